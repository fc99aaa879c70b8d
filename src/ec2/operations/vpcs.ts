// CreateVpc / DescribeVpcs / DeleteVpc / ModifyVpcAttribute / DescribeVpcAttribute.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type {
  CreateVpcRequest,
  CreateVpcResult,
  DeleteVpcRequest,
  DescribeVpcAttributeRequest,
  DescribeVpcAttributeResult,
  DescribeVpcsRequest,
  DescribeVpcsResult,
  ModifyVpcAttributeRequest,
  Vpc,
} from '../../protocol/generated/ec2.js';
import { parseCidr } from '../cidr.js';
import { tagList, type FilterFields } from '../filters.js';
import { scopedKey, scopePrefix, type Scope } from '../../store/store.js';
import { vpcAttributes, type Ec2Store, type VpcRecord } from '../store.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';
import { natGatewayState } from '../lifecycle.js';

/**
 * What keeps a VPC from being deleted, as AWS: subnets, non-default security groups, an attached internet
 * gateway, live NAT gateways, VPC endpoints, route tables other than the main one, custom network ACLs.
 */
export function vpcDependencies(ec2: Ec2Store, scope: Scope, vpcId: string): string[] {
  const prefix = scopePrefix(scope);
  const now = Date.now();
  return [
    ...ec2.subnets
      .withPrefix(prefix)
      .filter((s) => s.vpcId === vpcId)
      .map((s) => s.subnetId),
    ...ec2.groups
      .withPrefix(prefix)
      .filter((g) => g.vpcId === vpcId && g.groupName !== 'default')
      .map((g) => g.groupId),
    ...ec2.internetGateways
      .withPrefix(prefix)
      .filter((g) => g.vpcId === vpcId)
      .map((g) => g.internetGatewayId),
    ...ec2.natGateways
      .withPrefix(prefix)
      .filter((n) => n.vpcId === vpcId && natGatewayState(n, now) !== 'deleted')
      .map((n) => n.natGatewayId),
    ...ec2.vpcEndpoints
      .withPrefix(prefix)
      .filter((e) => e.vpcId === vpcId)
      .map((e) => e.vpcEndpointId),
    ...ec2.routeTables
      .withPrefix(prefix)
      .filter((t) => t.vpcId === vpcId && !t.mainAssociationId)
      .map((t) => t.routeTableId),
    ...ec2.acls
      .withPrefix(prefix)
      .filter((a) => a.vpcId === vpcId && !a.isDefault)
      .map((a) => a.networkAclId),
  ];
}

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

const VPC_ATTRIBUTES = ['enableDnsSupport', 'enableDnsHostnames', 'enableNetworkAddressUsageMetrics'] as const;
type VpcAttribute = (typeof VPC_ATTRIBUTES)[number];
const wireName = (a: VpcAttribute) => (a[0]!.toUpperCase() + a.slice(1)) as 'EnableDnsSupport' | 'EnableDnsHostnames' | 'EnableNetworkAddressUsageMetrics';

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
      ec2.ensureRegion(ctx);
      if (!input.CidrBlock) throw new AwsError('MissingParameter', 'Either CidrBlock or Ipv4IpamPoolId must be specified.');
      const cidr = parseCidr(input.CidrBlock);
      if (!cidr) throw new AwsError('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
      if (cidr.prefix < 16 || cidr.prefix > 28) throw new AwsError('InvalidVpc.Range', `The CIDR '${input.CidrBlock}' is invalid.`);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc');
      dryRun(input);
      const vpc = { ...ec2.newVpc(ctx, input.CidrBlock, false), tags, instanceTenancy: input.InstanceTenancy ?? 'default' };
      ec2.store.withTx(() => {
        ec2.vpcs.putTx(scopedKey(ctx, vpc.vpcId), vpc);
        ec2.createVpcDefaultsTx(ctx, vpc);
      });
      return { Vpc: { ...vpcWire(vpc), State: 'pending' } };
    },

    DescribeVpcs(input: DescribeVpcsRequest, ctx: RequestContext): DescribeVpcsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.VpcIds,
        get: (id) => ec2.vpc(ctx, id),
        notFound: 'InvalidVpcID.NotFound',
        noun: 'vpc',
        all: () => ec2.vpcs.withPrefix(scopePrefix(ctx)),
        filters: VPC_FILTERS,
        keyOf: (v) => v.vpcId,
      });
      return { Vpcs: p.items.map(vpcWire), NextToken: p.nextToken };
    },

    DeleteVpc(input: DeleteVpcRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      dryRun(input);
      ec2.store.withTx(() => {
        if (vpcDependencies(ec2, ctx, vpc.vpcId).length) {
          throw new AwsError('DependencyViolation', `The vpc '${vpc.vpcId}' has dependencies and cannot be deleted.`);
        }
        ec2.deleteVpcDefaultsTx(ctx, vpc.vpcId);
        ec2.vpcs.deleteTx(scopedKey(ctx, vpc.vpcId));
      });
    },

    /** One attribute per call, as AWS: two in one request is InvalidParameterCombination. */
    ModifyVpcAttribute(input: ModifyVpcAttributeRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const given = VPC_ATTRIBUTES.filter((a) => input[wireName(a)] !== undefined);
      if (given.length > 1) throw new AwsError('InvalidParameterCombination', `Fields for multiple attribute types specified: ${given.join(', ')}`);
      const attribute = given[0];
      const value = attribute ? input[wireName(attribute)]?.Value : undefined;
      if (!attribute || value === undefined)
        throw new AwsError('MissingParameter', 'The request must contain the parameter EnableDnsSupport, EnableDnsHostnames or EnableNetworkAddressUsageMetrics');
      ec2.store.withTx(() => {
        const vpc = ec2.vpc(ctx, input.VpcId);
        if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
        ec2.vpcs.putTx(scopedKey(ctx, vpc.vpcId), { ...vpc, [attribute]: value });
      });
    },

    DescribeVpcAttribute(input: DescribeVpcAttributeRequest, ctx: RequestContext): DescribeVpcAttributeResult {
      ec2.ensureRegion(ctx);
      const attribute = VPC_ATTRIBUTES.find((a) => a === input.Attribute);
      if (!attribute) throw new AwsError('InvalidParameterValue', `Value (${input.Attribute}) for parameter attribute is invalid. Unknown attribute.`);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      dryRun(input);
      return { VpcId: vpc.vpcId, [wireName(attribute)]: { Value: vpcAttributes(vpc)[attribute] } };
    },
  } satisfies Partial<Ec2Operations>;
}
