// Internet gateways: create/describe/delete, attach to a VPC and detach. A gateway attaches to one VPC
// and a VPC takes one gateway; an attached gateway cannot be deleted (docs/aws-behavior.md §8.3).
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { scopePrefix } from '../../store/store.js';
import { tagList, type FilterFields } from '../filters.js';
import { natGatewayState } from '../lifecycle.js';
import { internetGatewayKey, type InternetGatewayRecord } from '../records.js';
import type { Ec2Store } from '../store.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';

function wire(g: InternetGatewayRecord): Ec2.InternetGateway {
  return {
    InternetGatewayId: g.internetGatewayId,
    OwnerId: g.ownerId,
    // AWS answers `available` for an attached internet gateway, a value the model's AttachmentStatus lacks.
    Attachments: g.vpcId ? [{ State: 'available' as Ec2.AttachmentStatus, VpcId: g.vpcId }] : [],
    Tags: tagList(g.tags),
  };
}

const FILTERS: FilterFields<InternetGatewayRecord> = {
  'internet-gateway-id': (g) => [g.internetGatewayId],
  'attachment.vpc-id': (g) => [g.vpcId],
  'attachment.state': (g) => (g.vpcId ? ['available'] : []),
  'owner-id': (g) => [g.ownerId],
};

export function internetGatewayOperations(ec2: Ec2Store) {
  const key = (ctx: RequestContext, id: string) => internetGatewayKey(ctx, id);

  function find(ctx: RequestContext, id: string): InternetGatewayRecord {
    const g = ec2.internetGateways.get(key(ctx, id));
    if (!g) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${id}' does not exist`);
    return g;
  }

  return {
    CreateInternetGateway(input: Ec2.CreateInternetGatewayRequest, ctx: RequestContext): Ec2.CreateInternetGatewayResult {
      ec2.ensureRegion(ctx);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'internet-gateway');
      dryRun(input);
      const g: InternetGatewayRecord = { region: ctx.region, accountId: ctx.accountId, internetGatewayId: ec2Id('igw'), ownerId: ctx.accountId, tags };
      ec2.store.withTx(() => ec2.internetGateways.putTx(key(ctx, g.internetGatewayId), g));
      return { InternetGateway: wire(g) };
    },

    DescribeInternetGateways(input: Ec2.DescribeInternetGatewaysRequest, ctx: RequestContext): Ec2.DescribeInternetGatewaysResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.InternetGatewayIds,
        get: (id) => ec2.internetGateways.get(key(ctx, id)),
        notFound: 'InvalidInternetGatewayID.NotFound',
        noun: 'internetGateway',
        all: () => ec2.internetGateways.withPrefix(scopePrefix(ctx)),
        filters: FILTERS,
        keyOf: (g) => g.internetGatewayId,
      });
      return { InternetGateways: p.items.map(wire), NextToken: p.nextToken };
    },

    DeleteInternetGateway(input: Ec2.DeleteInternetGatewayRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.InternetGatewayId);
      dryRun(input);
      ec2.store.withTx(() => {
        const g = find(ctx, input.InternetGatewayId);
        if (g.vpcId) throw new AwsError('DependencyViolation', `The internetGateway '${g.internetGatewayId}' has dependencies and cannot be deleted.`);
        ec2.internetGateways.deleteTx(key(ctx, g.internetGatewayId));
      });
    },

    AttachInternetGateway(input: Ec2.AttachInternetGatewayRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.InternetGatewayId);
      if (!ec2.vpc(ctx, input.VpcId)) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      dryRun(input);
      ec2.store.withTx(() => {
        const g = find(ctx, input.InternetGatewayId);
        if (g.vpcId) throw new AwsError('Resource.AlreadyAssociated', `resource ${g.internetGatewayId} is already attached to network ${g.vpcId}`);
        const other = ec2.internetGateways.withPrefix(scopePrefix(ctx)).find((x) => x.vpcId === input.VpcId);
        if (other) throw new AwsError('Resource.AlreadyAssociated', `network ${input.VpcId} already has an internet gateway attached`);
        ec2.internetGateways.putTx(key(ctx, g.internetGatewayId), { ...g, vpcId: input.VpcId });
      });
    },

    DetachInternetGateway(input: Ec2.DetachInternetGatewayRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.InternetGatewayId);
      dryRun(input);
      ec2.store.withTx(() => {
        const g = find(ctx, input.InternetGatewayId);
        if (g.vpcId !== input.VpcId) throw new AwsError('Gateway.NotAttached', `resource ${g.internetGatewayId} is not attached to network ${input.VpcId}`);
        // A public NAT gateway maps its elastic IP through the internet gateway.
        const now = Date.now();
        const mapped = ec2.natGateways.withPrefix(scopePrefix(ctx)).some((n) => n.vpcId === g.vpcId && n.publicIp && natGatewayState(n, now) !== 'deleted');
        if (mapped) {
          throw new AwsError('DependencyViolation', `Network ${g.vpcId} has some mapped public address(es). Please unmap those public address(es) before detaching the gateway.`);
        }
        const { vpcId: _vpc, ...detached } = g;
        ec2.internetGateways.putTx(key(ctx, g.internetGatewayId), detached);
      });
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
