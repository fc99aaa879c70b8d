// CreateVpc / DescribeVpcs / DeleteVpc.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type { CreateVpcRequest, CreateVpcResult, DeleteVpcRequest, DescribeVpcsRequest, DescribeVpcsResult, Vpc } from '../../protocol/generated/ec2.js';
import { parseCidr } from '../cidr.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { regionKey } from '../../store/store.js';
import type { Ec2Store, VpcRecord } from '../store.js';
import { dryRun, page, requireAll, tagsFromSpecifications } from './common.js';

export function vpcWire(v: VpcRecord): Vpc {
  return {
    VpcId: v.vpcId,
    State: 'available',
    CidrBlock: v.cidrBlock,
    CidrBlockAssociationSet: [{ AssociationId: v.cidrAssociationId, CidrBlock: v.cidrBlock, CidrBlockState: { State: 'associated' } }],
    DhcpOptionsId: v.dhcpOptionsId,
    InstanceTenancy: v.instanceTenancy as Vpc['InstanceTenancy'],
    IsDefault: v.isDefault,
    OwnerId: v.ownerId,
    Tags: Object.keys(v.tags).length ? tagList(v.tags) : undefined,
  };
}

const VPC_FILTERS: FilterFields<VpcRecord> = {
  'vpc-id': (v) => [v.vpcId],
  cidr: (v) => [v.cidrBlock],
  'cidr-block-association.cidr-block': (v) => [v.cidrBlock],
  'cidr-block-association.association-id': (v) => [v.cidrAssociationId],
  'cidr-block-association.state': () => ['associated'],
  'dhcp-options-id': (v) => [v.dhcpOptionsId],
  'is-default': (v) => [v.isDefault],
  'owner-id': (v) => [v.ownerId],
  state: () => ['available'],
};

export function vpcOperations(ec2: Ec2Store) {
  return {
    CreateVpc(input: CreateVpcRequest, ctx: RequestContext): CreateVpcResult {
      ec2.ensureRegion(ctx.region, ctx.accountId);
      if (!input.CidrBlock) throw new AwsError('MissingParameter', 'Either CidrBlock or Ipv4IpamPoolId must be specified.');
      const cidr = parseCidr(input.CidrBlock);
      if (!cidr) throw new AwsError('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
      if (cidr.prefix < 16 || cidr.prefix > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');
      dryRun(input);
      const vpc = { ...ec2.newVpc(ctx.region, ctx.accountId, input.CidrBlock, false), tags, instanceTenancy: input.InstanceTenancy ?? 'default' };
      ec2.store.withTx(() => {
        ec2.vpcs.putTx(regionKey(ctx.region, vpc.vpcId), vpc);
        ec2.createDefaultGroupTx(ctx.region, vpc);
      });
      return { Vpc: { ...vpcWire(vpc), State: 'pending' } };
    },

    DescribeVpcs(input: DescribeVpcsRequest, ctx: RequestContext): DescribeVpcsResult {
      ec2.ensureRegion(ctx.region, ctx.accountId);
      dryRun(input);
      const byId = requireAll(input.VpcIds, (id) => ec2.vpc(ctx.region, id), 'InvalidVpcID.NotFound', 'vpc');
      const vpcs = applyFilters(byId ?? ec2.vpcs.withPrefix(`${ctx.region}/`), input.Filters, VPC_FILTERS);
      const p = page(vpcs, (v) => v.vpcId, input.MaxResults, input.NextToken);
      return { Vpcs: p.items.map(vpcWire), NextToken: p.nextToken };
    },

    DeleteVpc(input: DeleteVpcRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx.region, ctx.accountId);
      const vpc = ec2.vpc(ctx.region, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      dryRun(input);
      ec2.store.withTx(() => {
        const subnets = ec2.subnets.withPrefix(`${ctx.region}/`).filter((s) => s.vpcId === vpc.vpcId);
        const groups = ec2.groups.withPrefix(`${ctx.region}/`).filter((g) => g.vpcId === vpc.vpcId);
        if (subnets.length || groups.some((g) => g.groupName !== 'default')) {
          throw new AwsError('DependencyViolation', `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`);
        }
        for (const g of groups) ec2.groups.deleteTx(regionKey(ctx.region, g.groupId));
        ec2.vpcs.deleteTx(regionKey(ctx.region, vpc.vpcId));
      });
    },
  } satisfies Partial<Ec2Operations>;
}
