// DescribeNetworkAcls: each VPC's default network ACL, associated with every subnet of the VPC.
import type { RequestContext } from '../../protocol/handlers.js';
import type { DescribeNetworkAclsRequest, DescribeNetworkAclsResult, Ec2Operations, NetworkAcl } from '../../protocol/generated/ec2.js';
import { scopedKey, scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { aclAssociationId, ec2Scope, type Ec2Store, type NetworkAclRecord } from '../store.js';
import { dryRun, page, requireAll } from './common.js';

export function networkAclOperations(ec2: Ec2Store) {
  const subnetsOf = (a: NetworkAclRecord) =>
    ec2.subnets
      .withPrefix(scopePrefix(ec2Scope(a)))
      .filter((s) => s.vpcId === a.vpcId)
      .map((s) => s.subnetId);
  const associations = (a: NetworkAclRecord) => subnetsOf(a).map((subnetId) => ({ subnetId, associationId: aclAssociationId(a.networkAclId, subnetId) }));

  const wire = (a: NetworkAclRecord): NetworkAcl => ({
    NetworkAclId: a.networkAclId,
    VpcId: a.vpcId,
    IsDefault: a.isDefault,
    OwnerId: a.ownerId,
    Entries: a.entries.map((e) => ({ RuleNumber: e.ruleNumber, Egress: e.egress, Protocol: e.protocol, RuleAction: e.ruleAction, CidrBlock: e.cidrBlock })),
    Associations: associations(a).map((x) => ({ NetworkAclAssociationId: x.associationId, NetworkAclId: a.networkAclId, SubnetId: x.subnetId })),
    Tags: tagList(a.tags),
  });

  const FILTERS: FilterFields<NetworkAclRecord> = {
    'network-acl-id': (a) => [a.networkAclId],
    'vpc-id': (a) => [a.vpcId],
    default: (a) => [a.isDefault],
    'owner-id': (a) => [a.ownerId],
    'association.association-id': (a) => associations(a).map((x) => x.associationId),
    'association.network-acl-id': (a) => (subnetsOf(a).length ? [a.networkAclId] : []),
    'association.subnet-id': (a) => subnetsOf(a),
    'entry.cidr': (a) => a.entries.map((e) => e.cidrBlock),
    'entry.egress': (a) => a.entries.map((e) => e.egress),
    'entry.protocol': (a) => a.entries.map((e) => e.protocol),
    'entry.rule-action': (a) => a.entries.map((e) => e.ruleAction),
    'entry.rule-number': (a) => a.entries.map((e) => e.ruleNumber),
  };

  return {
    DescribeNetworkAcls(input: DescribeNetworkAclsRequest, ctx: RequestContext): DescribeNetworkAclsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const byId = requireAll(input.NetworkAclIds, (id) => ec2.acls.get(scopedKey(ctx, id)), 'InvalidNetworkAclID.NotFound', 'network ACL');
      const acls = applyFilters(byId ?? ec2.acls.withPrefix(scopePrefix(ctx)), input.Filters, FILTERS);
      const p = page(acls, (a) => a.networkAclId, input.MaxResults, input.NextToken);
      return { NetworkAcls: p.items.map(wire), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2Operations>;
}
