// Network ACLs: create/describe/delete, their numbered entries, and which ACL a subnet uses
// (ReplaceNetworkAclAssociation). Every VPC has a default ACL that cannot be deleted; a new ACL has
// only the `*` deny entries (rule 32767), as AWS (docs/aws-behavior.md §8.1).
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { aclAssociations, findAclAssociation, moveSubnetAclTx } from '../associations.js';
import { parseCidr } from '../cidr.js';
import { scopePrefix } from '../../store/store.js';
import { tagList, type FilterFields } from '../filters.js';
import { networkAclKey } from '../records.js';
import type { Ec2Store, NetworkAclEntryRecord, NetworkAclRecord } from '../store.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';

const DEFAULT_RULE = 32767;
const PROTOCOL_NUMBERS: Record<string, string> = { all: '-1', tcp: '6', udp: '17', icmp: '1', icmpv6: '58' };

function entryWire(e: NetworkAclEntryRecord): Ec2.NetworkAclEntry {
  return {
    RuleNumber: e.ruleNumber,
    Egress: e.egress,
    Protocol: e.protocol,
    RuleAction: e.ruleAction,
    CidrBlock: e.cidrBlock,
    Ipv6CidrBlock: e.ipv6CidrBlock,
    PortRange: e.portRange ? { From: e.portRange.from, To: e.portRange.to } : undefined,
    IcmpTypeCode: e.icmpTypeCode ? { Type: e.icmpTypeCode.type, Code: e.icmpTypeCode.code } : undefined,
  };
}

/** CreateNetworkAclEntry/ReplaceNetworkAclEntry's input, checked as AWS does. */
function entryFrom(input: Ec2.CreateNetworkAclEntryRequest): NetworkAclEntryRecord {
  if (!Number.isInteger(input.RuleNumber) || input.RuleNumber < 1 || input.RuleNumber > 32766) {
    throw new AwsError('InvalidParameterValue', `Value (${input.RuleNumber}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766.`);
  }
  const raw = String(input.Protocol ?? '').toLowerCase();
  const protocol = PROTOCOL_NUMBERS[raw] ?? raw;
  if (protocol !== '-1' && !(/^\d{1,3}$/.test(protocol) && Number(protocol) <= 255)) {
    throw new AwsError('InvalidParameterValue', `Invalid value '${input.Protocol}' for protocol. VPC security group rules must specify protocols explicitly.`);
  }
  if (input.RuleAction !== 'allow' && input.RuleAction !== 'deny') {
    throw new AwsError('InvalidParameterValue', `Value (${input.RuleAction}) for parameter ruleAction is invalid. Valid values: allow, deny.`);
  }
  if ((input.CidrBlock === undefined) === (input.Ipv6CidrBlock === undefined)) {
    throw new AwsError('MissingParameter', 'Either CidrBlock or Ipv6CidrBlock must be specified, but not both.');
  }
  if (input.CidrBlock !== undefined && !parseCidr(input.CidrBlock)) {
    throw new AwsError('InvalidParameterValue', `Value (${input.CidrBlock}) for parameter cidrBlock is invalid. This is not a valid CIDR block.`);
  }
  const entry: NetworkAclEntryRecord = { ruleNumber: input.RuleNumber, egress: input.Egress, protocol, ruleAction: input.RuleAction };
  if (input.CidrBlock !== undefined) entry.cidrBlock = input.CidrBlock;
  if (input.Ipv6CidrBlock !== undefined) entry.ipv6CidrBlock = input.Ipv6CidrBlock;
  if (protocol === '6' || protocol === '17') {
    const { From, To } = input.PortRange ?? {};
    if (From === undefined || To === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter portRange');
    if (From < 0 || To > 65535 || From > To) throw new AwsError('InvalidParameterValue', `Invalid port range ${From}-${To}`);
    entry.portRange = { from: From, to: To };
  }
  if (protocol === '1' || protocol === '58') {
    const { Type, Code } = input.IcmpTypeCode ?? {};
    if (Type === undefined || Code === undefined) throw new AwsError('MissingParameter', 'The request must contain the parameter icmpTypeCode');
    entry.icmpTypeCode = { type: Type, code: Code };
  }
  return entry;
}

export function networkAclOperations(ec2: Ec2Store) {
  const wire = (a: NetworkAclRecord): Ec2.NetworkAcl => ({
    NetworkAclId: a.networkAclId,
    VpcId: a.vpcId,
    IsDefault: a.isDefault,
    OwnerId: a.ownerId,
    // AWS lists entries egress first, each direction by rule number.
    Entries: [...a.entries].sort((x, y) => Number(y.egress) - Number(x.egress) || x.ruleNumber - y.ruleNumber).map(entryWire),
    Associations: aclAssociations(ec2, a).map((x) => ({ NetworkAclAssociationId: x.associationId, NetworkAclId: a.networkAclId, SubnetId: x.subnetId })),
    Tags: tagList(a.tags),
  });

  const FILTERS: FilterFields<NetworkAclRecord> = {
    'network-acl-id': (a) => [a.networkAclId],
    'vpc-id': (a) => [a.vpcId],
    default: (a) => [a.isDefault],
    'owner-id': (a) => [a.ownerId],
    'association.association-id': (a) => aclAssociations(ec2, a).map((x) => x.associationId),
    'association.network-acl-id': (a) => (aclAssociations(ec2, a).length ? [a.networkAclId] : []),
    'association.subnet-id': (a) => aclAssociations(ec2, a).map((x) => x.subnetId),
    'entry.cidr': (a) => a.entries.map((e) => e.cidrBlock),
    'entry.ipv6-cidr': (a) => a.entries.map((e) => e.ipv6CidrBlock),
    'entry.egress': (a) => a.entries.map((e) => e.egress),
    'entry.protocol': (a) => a.entries.map((e) => e.protocol),
    'entry.rule-action': (a) => a.entries.map((e) => e.ruleAction),
    'entry.rule-number': (a) => a.entries.map((e) => e.ruleNumber),
    'entry.port-range.from': (a) => a.entries.map((e) => e.portRange?.from),
    'entry.port-range.to': (a) => a.entries.map((e) => e.portRange?.to),
  };

  function find(ctx: RequestContext, id: string): NetworkAclRecord {
    const acl = ec2.acls.get(networkAclKey(ctx, id));
    if (!acl) throw new AwsError('InvalidNetworkAclID.NotFound', `The networkAcl ID '${id}' does not exist`);
    return acl;
  }

  /** Changes one ACL's entries in a transaction that re-reads it. */
  function changeEntries(ctx: RequestContext, id: string, change: (entries: NetworkAclEntryRecord[]) => NetworkAclEntryRecord[]): void {
    ec2.store.withTx(() => {
      const acl = find(ctx, id);
      ec2.acls.putTx(networkAclKey(ctx, id), { ...acl, entries: change(acl.entries) });
    });
  }

  const notFoundEntry = () => new AwsError('InvalidNetworkAclEntry.NotFound', 'The specified rule does not exist in this network acl.');

  return {
    CreateNetworkAcl(input: Ec2.CreateNetworkAclRequest, ctx: RequestContext): Ec2.CreateNetworkAclResult {
      ec2.ensureRegion(ctx);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'network-acl');
      dryRun(input);
      const acl: NetworkAclRecord = {
        region: ctx.region,
        networkAclId: ec2Id('acl'),
        vpcId: vpc.vpcId,
        isDefault: false,
        ownerId: ctx.accountId,
        entries: [true, false].map((egress) => ({ ruleNumber: DEFAULT_RULE, egress, protocol: '-1', ruleAction: 'deny' as const, cidrBlock: '0.0.0.0/0' })),
        associations: [],
        tags,
      };
      ec2.store.withTx(() => ec2.acls.putTx(networkAclKey(ctx, acl.networkAclId), acl));
      return { NetworkAcl: wire(acl), ClientToken: input.ClientToken };
    },

    DescribeNetworkAcls(input: Ec2.DescribeNetworkAclsRequest, ctx: RequestContext): Ec2.DescribeNetworkAclsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.NetworkAclIds,
        get: (id) => ec2.acls.get(networkAclKey(ctx, id)),
        notFound: 'InvalidNetworkAclID.NotFound',
        noun: 'network ACL',
        all: () => ec2.acls.withPrefix(scopePrefix(ctx)),
        filters: FILTERS,
        keyOf: (a) => a.networkAclId,
      });
      return { NetworkAcls: p.items.map(wire), NextToken: p.nextToken };
    },

    DeleteNetworkAcl(input: Ec2.DeleteNetworkAclRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const acl = find(ctx, input.NetworkAclId);
      if (acl.isDefault) throw new AwsError('InvalidParameterValue', `cannot delete default network ACL ${acl.networkAclId}`);
      dryRun(input);
      ec2.store.withTx(() => {
        const fresh = find(ctx, input.NetworkAclId);
        if (fresh.associations?.length) throw new AwsError('DependencyViolation', `The networkAcl '${fresh.networkAclId}' has dependencies and cannot be deleted.`);
        ec2.acls.deleteTx(networkAclKey(ctx, fresh.networkAclId));
      });
    },

    CreateNetworkAclEntry(input: Ec2.CreateNetworkAclEntryRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const entry = entryFrom(input);
      find(ctx, input.NetworkAclId);
      dryRun(input);
      changeEntries(ctx, input.NetworkAclId, (entries) => {
        if (entries.some((e) => e.ruleNumber === entry.ruleNumber && e.egress === entry.egress)) {
          throw new AwsError('NetworkAclEntryAlreadyExists', `The network acl entry identified by ${entry.ruleNumber} already exists.`);
        }
        return [...entries, entry];
      });
    },

    ReplaceNetworkAclEntry(input: Ec2.ReplaceNetworkAclEntryRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const entry = entryFrom(input);
      find(ctx, input.NetworkAclId);
      dryRun(input);
      changeEntries(ctx, input.NetworkAclId, (entries) => {
        const i = entries.findIndex((e) => e.ruleNumber === entry.ruleNumber && e.egress === entry.egress);
        if (i < 0) throw notFoundEntry();
        return entries.map((e, j) => (j === i ? entry : e));
      });
    },

    DeleteNetworkAclEntry(input: Ec2.DeleteNetworkAclEntryRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.NetworkAclId);
      if (input.RuleNumber === DEFAULT_RULE)
        throw new AwsError('InvalidParameterValue', `Value (${DEFAULT_RULE}) for parameter ruleNumber is invalid. Rule number must be between 1 and 32766.`);
      dryRun(input);
      changeEntries(ctx, input.NetworkAclId, (entries) => {
        const kept = entries.filter((e) => !(e.ruleNumber === input.RuleNumber && e.egress === input.Egress));
        if (kept.length === entries.length) throw notFoundEntry();
        return kept;
      });
    },

    ReplaceNetworkAclAssociation(input: Ec2.ReplaceNetworkAclAssociationRequest, ctx: RequestContext): Ec2.ReplaceNetworkAclAssociationResult {
      ec2.ensureRegion(ctx);
      const target = find(ctx, input.NetworkAclId);
      dryRun(input);
      const newAssociationId = ec2Id('aclassoc');
      ec2.store.withTx(() => {
        const current = findAclAssociation(ec2, ctx, input.AssociationId);
        if (!current) throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${input.AssociationId}' does not exist`);
        const subnet = ec2.subnet(ctx, current.subnetId);
        if (subnet?.vpcId !== target.vpcId) {
          throw new AwsError('InvalidParameterValue', `Network ACL ${target.networkAclId} and subnet ${current.subnetId} belong to different networks`);
        }
        moveSubnetAclTx(ec2, ctx, current.subnetId, target, newAssociationId);
      });
      return { NewAssociationId: newAssociationId };
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
