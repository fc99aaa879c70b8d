// NAT gateways: create (public with an elastic IP, or private), describe, delete. A gateway is
// `pending` for a moment and then `available`, or `failed` when a public one's VPC has no internet
// gateway; deleting is `deleting` then `deleted`, shown for an hour (docs/aws-behavior.md §8.5).
// Its ENI takes an address of its subnet and carries the elastic IP while the gateway lives.
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { allocateEniTx, releaseEniTx } from '../enis.js';
import { scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { natGatewayGone, natGatewayState } from '../lifecycle.js';
import { addressKey, natGatewayKey, type NatGatewayRecord } from '../records.js';
import type { Ec2Store } from '../store.js';
import { unassociated } from './addresses.js';
import { dryRun, page, tagsFromSpecifications } from './common.js';

function wire(n: NatGatewayRecord, now: number): Ec2.NatGateway {
  const state = natGatewayState(n, now);
  const addressStatus: Ec2.NatGatewayAddressStatus = state === 'pending' ? 'associating' : state === 'deleting' || state === 'deleted' ? 'disassociating' : 'succeeded';
  return {
    NatGatewayId: n.natGatewayId,
    SubnetId: n.subnetId,
    VpcId: n.vpcId,
    ConnectivityType: n.connectivityType,
    State: state,
    CreateTime: new Date(n.createdAt),
    DeleteTime: n.deletedAt !== undefined ? new Date(n.deletedAt) : undefined,
    FailureCode: n.failureCode,
    FailureMessage: n.failureMessage,
    NatGatewayAddresses: n.failureCode
      ? []
      : [
          {
            AllocationId: n.allocationId,
            NetworkInterfaceId: n.networkInterfaceId,
            PrivateIp: n.privateIp,
            PublicIp: n.publicIp,
            AssociationId: state === 'deleted' ? undefined : n.associationId,
            IsPrimary: true,
            Status: addressStatus,
          },
        ],
    Tags: tagList(n.tags),
  };
}

export function natGatewayOperations(ec2: Ec2Store) {
  const key = (ctx: RequestContext, id: string) => natGatewayKey(ctx, id);
  const now = () => Date.now();

  const FILTERS: FilterFields<NatGatewayRecord> = {
    'nat-gateway-id': (n) => [n.natGatewayId],
    'subnet-id': (n) => [n.subnetId],
    'vpc-id': (n) => [n.vpcId],
    state: (n) => [natGatewayState(n, now())],
  };

  function visible(ctx: RequestContext, id: string): NatGatewayRecord | undefined {
    const n = ec2.natGateways.get(key(ctx, id));
    return n && !natGatewayGone(n, now()) ? n : undefined;
  }

  const notFound = (id: string) => new AwsError('NatGatewayNotFound', `NAT gateway ${id} was not found`);

  return {
    CreateNatGateway(input: Ec2.CreateNatGatewayRequest, ctx: RequestContext): Ec2.CreateNatGatewayResult {
      ec2.ensureRegion(ctx);
      if (!input.SubnetId) throw new AwsError('MissingParameter', 'The request must contain the parameter SubnetId');
      const connectivityType = input.ConnectivityType ?? 'public';
      if (connectivityType !== 'public' && connectivityType !== 'private') {
        throw new AwsError('InvalidParameterValue', `Value (${connectivityType}) for parameter connectivityType is invalid. Valid values: public, private.`);
      }
      if (connectivityType === 'public' && !input.AllocationId)
        throw new AwsError('MissingParameter', 'The request must contain the parameter AllocationId for a public NAT gateway');
      if (connectivityType === 'private' && input.AllocationId) {
        throw new AwsError('InvalidParameterCombination', 'A private NAT gateway cannot have an Elastic IP address (AllocationId).');
      }
      if (input.SecondaryAllocationIds?.length || input.SecondaryPrivateIpAddresses?.length || input.SecondaryPrivateIpAddressCount) {
        throw new AwsError('InvalidParameterValue', 'Wayfinder NAT gateways have one address: secondary addresses are not supported.');
      }
      const subnet = ec2.subnet(ctx, input.SubnetId);
      if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'natgateway');
      dryRun(input);
      const natGatewayId = ec2Id('nat');
      const gateway = ec2.store.withTx(() => {
        const n: NatGatewayRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          natGatewayId,
          subnetId: subnet.subnetId,
          vpcId: subnet.vpcId,
          connectivityType,
          createdAt: now(),
          tags,
        };
        if (input.AllocationId) {
          const address = ec2.addresses.get(addressKey(ctx, input.AllocationId));
          if (!address) throw new AwsError('InvalidAllocationID.NotFound', `The allocation ID '${input.AllocationId}' does not exist`);
          if (address.associationId) throw new AwsError('Resource.AlreadyAssociated', `Elastic IP address ${address.allocationId} is already associated`);
          n.allocationId = address.allocationId;
          n.publicIp = address.publicIp;
        }
        const attached = ec2.internetGateways.withPrefix(scopePrefix(ctx)).some((g) => g.vpcId === subnet.vpcId);
        if (connectivityType === 'public' && !attached) {
          // AWS accepts the request; the gateway then fails.
          n.failureCode = 'Gateway.NotAttached';
          n.failureMessage = `Network ${subnet.vpcId} has no Internet gateway attached`;
        } else {
          const eni = allocateEniTx(ec2, {
            region: ctx.region,
            accountId: ctx.accountId,
            subnetId: subnet.subnetId,
            groupIds: [],
            description: `Interface for NAT Gateway ${natGatewayId}`,
            interfaceType: 'natGateway',
            requesterManaged: true,
            privateIpAddress: input.PrivateIpAddress,
            attached: true,
          });
          n.networkInterfaceId = eni.networkInterfaceId;
          n.privateIp = eni.privateIpAddress;
          if (n.allocationId) {
            n.associationId = ec2Id('eipassoc');
            const address = ec2.addresses.get(addressKey(ctx, n.allocationId))!;
            ec2.addresses.putTx(addressKey(ctx, n.allocationId), {
              ...address,
              associationId: n.associationId,
              networkInterfaceId: eni.networkInterfaceId,
              privateIpAddress: eni.privateIpAddress,
            });
          }
        }
        ec2.natGateways.putTx(key(ctx, natGatewayId), n);
        return n;
      });
      return { NatGateway: wire(gateway, now()), ClientToken: input.ClientToken };
    },

    DescribeNatGateways(input: Ec2.DescribeNatGatewaysRequest, ctx: RequestContext): Ec2.DescribeNatGatewaysResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      let found: NatGatewayRecord[];
      if (input.NatGatewayIds?.length) {
        found = input.NatGatewayIds.map((id) => {
          const n = visible(ctx, id);
          if (!n) throw notFound(id);
          return n;
        });
      } else {
        found = ec2.natGateways.withPrefix(scopePrefix(ctx)).filter((n) => !natGatewayGone(n, now()));
      }
      const p = page(applyFilters(found, input.Filter, FILTERS), (n) => n.natGatewayId, input.MaxResults, input.NextToken);
      const at = now();
      return { NatGateways: p.items.map((n) => wire(n, at)), NextToken: p.nextToken };
    },

    DeleteNatGateway(input: Ec2.DeleteNatGatewayRequest, ctx: RequestContext): Ec2.DeleteNatGatewayResult {
      ec2.ensureRegion(ctx);
      const existing = visible(ctx, input.NatGatewayId);
      if (!existing || natGatewayState(existing, now()) === 'deleted') throw notFound(input.NatGatewayId);
      dryRun(input);
      ec2.store.withTx(() => {
        const n = ec2.natGateways.get(key(ctx, input.NatGatewayId))!;
        if (n.deletedAt !== undefined) return;
        // The gateway lets go of its ENI and its address at once: both may be reused while it shows `deleting`.
        if (n.networkInterfaceId) releaseEniTx(ec2, ctx, n.networkInterfaceId);
        if (n.allocationId) {
          const address = ec2.addresses.get(addressKey(ctx, n.allocationId));
          if (address && address.associationId === n.associationId) ec2.addresses.putTx(addressKey(ctx, n.allocationId), unassociated(address));
        }
        ec2.natGateways.putTx(key(ctx, n.natGatewayId), { ...n, deletedAt: now() });
      });
      return { NatGatewayId: input.NatGatewayId };
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
