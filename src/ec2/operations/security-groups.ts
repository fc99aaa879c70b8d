// Security groups and their rules: create/describe/delete, authorize/revoke ingress and egress,
// DescribeSecurityGroupRules. Rules are stored one per peer (as AWS's SecurityGroupRule) and grouped
// back into IpPermissions for DescribeSecurityGroups.
import { arn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { parseCidr } from '../cidr.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { scopedKey, scopePrefix, type Scope } from '../../store/store.js';
import type { Ec2Store, RuleRecord, SecurityGroupRecord } from '../store.js';
import { dryRun, page, requireAll, tagsFromSpecifications } from './common.js';

const PROTOCOL_NAMES: Record<string, string> = { '6': 'tcp', '17': 'udp', '1': 'icmp', '58': 'icmpv6', all: '-1' };

function ruleWire(g: SecurityGroupRecord, r: RuleRecord): Ec2.SecurityGroupRule {
  return {
    SecurityGroupRuleId: r.ruleId,
    SecurityGroupRuleArn: arn('ec2', g.region, g.ownerId, `security-group-rule/${r.ruleId}`),
    GroupId: g.groupId,
    GroupOwnerId: g.ownerId,
    IsEgress: r.isEgress,
    IpProtocol: r.ipProtocol,
    FromPort: r.ipProtocol === '-1' ? -1 : r.fromPort,
    ToPort: r.ipProtocol === '-1' ? -1 : r.toPort,
    CidrIpv4: r.cidrIpv4,
    CidrIpv6: r.cidrIpv6,
    PrefixListId: r.prefixListId,
    ReferencedGroupInfo: r.referencedGroupId ? { GroupId: r.referencedGroupId, UserId: g.ownerId } : undefined,
    Description: r.description,
    Tags: [],
  };
}

function permissionsWire(g: SecurityGroupRecord, egress: boolean): Ec2.IpPermission[] {
  const byKey = new Map<string, Ec2.IpPermission>();
  for (const r of g.rules.filter((x) => x.isEgress === egress)) {
    const key = `${r.ipProtocol}/${r.fromPort}/${r.toPort}`;
    let p = byKey.get(key);
    if (!p) {
      p = { IpProtocol: r.ipProtocol, IpRanges: [], Ipv6Ranges: [], UserIdGroupPairs: [], PrefixListIds: [] };
      if (r.ipProtocol !== '-1') {
        p.FromPort = r.fromPort;
        p.ToPort = r.toPort;
      }
      byKey.set(key, p);
    }
    if (r.cidrIpv4) p.IpRanges!.push({ CidrIp: r.cidrIpv4, Description: r.description });
    if (r.cidrIpv6) p.Ipv6Ranges!.push({ CidrIpv6: r.cidrIpv6, Description: r.description });
    if (r.referencedGroupId) p.UserIdGroupPairs!.push({ GroupId: r.referencedGroupId, UserId: g.ownerId, Description: r.description });
    if (r.prefixListId) p.PrefixListIds!.push({ PrefixListId: r.prefixListId, Description: r.description });
  }
  return [...byKey.values()];
}

export function groupWire(g: SecurityGroupRecord): Ec2.SecurityGroup {
  return {
    GroupId: g.groupId,
    GroupName: g.groupName,
    Description: g.description,
    VpcId: g.vpcId,
    OwnerId: g.ownerId,
    SecurityGroupArn: arn('ec2', g.region, g.ownerId, `security-group/${g.groupId}`),
    IpPermissions: permissionsWire(g, false),
    IpPermissionsEgress: permissionsWire(g, true),
    Tags: Object.keys(g.tags).length ? tagList(g.tags) : undefined,
  };
}

const GROUP_FILTERS: FilterFields<SecurityGroupRecord> = {
  'group-id': (g) => [g.groupId],
  'group-name': (g) => [g.groupName],
  'vpc-id': (g) => [g.vpcId],
  description: (g) => [g.description],
  'owner-id': (g) => [g.ownerId],
  'ip-permission.cidr': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.cidrIpv4),
  'ip-permission.protocol': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.ipProtocol),
  'ip-permission.from-port': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.fromPort),
  'ip-permission.to-port': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.toPort),
  'ip-permission.group-id': (g) => g.rules.filter((r) => !r.isEgress).map((r) => r.referencedGroupId),
  'egress.ip-permission.cidr': (g) => g.rules.filter((r) => r.isEgress).map((r) => r.cidrIpv4),
};

interface RuleRequest {
  GroupId?: string;
  GroupName?: string;
  IpPermissions?: Ec2.IpPermission[];
  IpProtocol?: string;
  FromPort?: number;
  ToPort?: number;
  CidrIp?: string;
  SourceSecurityGroupName?: string;
  DryRun?: boolean;
}

function ruleText(r: RuleRecord): string {
  const peer = r.cidrIpv4 ?? r.cidrIpv6 ?? r.referencedGroupId ?? r.prefixListId ?? '';
  const proto = r.ipProtocol === '-1' ? 'ALL' : r.ipProtocol.toUpperCase();
  return r.ipProtocol === '-1' ? `peer: ${peer}, ${proto}, ALLOW` : `peer: ${peer}, ${proto}, from port: ${r.fromPort}, to port: ${r.toPort}, ALLOW`;
}

const sameRule = (a: RuleRecord, b: RuleRecord) =>
  a.isEgress === b.isEgress &&
  a.ipProtocol === b.ipProtocol &&
  (a.ipProtocol === '-1' || (a.fromPort === b.fromPort && a.toPort === b.toPort)) &&
  a.cidrIpv4 === b.cidrIpv4 &&
  a.cidrIpv6 === b.cidrIpv6 &&
  a.referencedGroupId === b.referencedGroupId &&
  a.prefixListId === b.prefixListId;

export function securityGroupOperations(ec2: Ec2Store) {
  function find(scope: Scope, input: { GroupId?: string; GroupName?: string }): SecurityGroupRecord {
    if (input.GroupId) {
      const g = ec2.group(scope, input.GroupId);
      if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${input.GroupId}' does not exist`);
      return g;
    }
    if (input.GroupName) {
      const vpc = ec2.defaultVpc(scope);
      const g = ec2.groups.withPrefix(scopePrefix(scope)).find((x) => x.groupName === input.GroupName && x.vpcId === vpc?.vpcId);
      if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${input.GroupName}' does not exist in default VPC '${vpc?.vpcId ?? 'none'}'`);
      return g;
    }
    throw new AwsError('MissingParameter', 'The request must contain the parameter groupName or groupId');
  }

  /** The rules a request names, normalised (protocol names, ports, peers checked). */
  function requestedRules(scope: Scope, group: SecurityGroupRecord, input: RuleRequest, isEgress: boolean): RuleRecord[] {
    const perms: Ec2.IpPermission[] = [...(input.IpPermissions ?? [])];
    if (input.IpProtocol || input.CidrIp || input.SourceSecurityGroupName) {
      perms.push({
        IpProtocol: input.IpProtocol ?? '-1',
        FromPort: input.FromPort,
        ToPort: input.ToPort,
        IpRanges: input.CidrIp ? [{ CidrIp: input.CidrIp }] : [],
        UserIdGroupPairs: input.SourceSecurityGroupName ? [{ GroupName: input.SourceSecurityGroupName }] : [],
      });
    }
    if (!perms.length) throw new AwsError('MissingParameter', 'No IpPermissions specified');
    const rules: RuleRecord[] = [];
    for (const p of perms) {
      const raw = (p.IpProtocol ?? '').toLowerCase();
      const protocol = PROTOCOL_NAMES[raw] ?? raw;
      if (!['tcp', 'udp', 'icmp', 'icmpv6', '-1'].includes(protocol) && !/^\d{1,3}$/.test(protocol)) {
        throw new AwsError('InvalidParameterValue', `Invalid value '${p.IpProtocol ?? ''}' for IP protocol. Unknown protocol.`);
      }
      let fromPort: number | undefined;
      let toPort: number | undefined;
      if (protocol === 'tcp' || protocol === 'udp') {
        if (p.FromPort === undefined || p.ToPort === undefined) {
          throw new AwsError('InvalidParameterValue', 'Invalid value for portRange. Must specify both from and to ports with TCP/UDP.');
        }
        if (p.FromPort < 0 || p.ToPort > 65535 || p.FromPort > p.ToPort) {
          throw new AwsError(
            'InvalidParameterValue',
            `Invalid value for portRange. From port (${p.FromPort}) must be less than or equal to to port (${p.ToPort}) and both within 0-65535.`,
          );
        }
        fromPort = p.FromPort;
        toPort = p.ToPort;
      } else if (protocol !== '-1') {
        fromPort = p.FromPort ?? -1;
        toPort = p.ToPort ?? -1;
      }
      const base = { isEgress, ipProtocol: protocol, fromPort, toPort };
      for (const r of p.IpRanges ?? []) {
        if (!r.CidrIp || !/^\d{1,3}(\.\d{1,3}){3}\/\d{1,2}$/.test(r.CidrIp) || !parseCidr(normalizeCidr(r.CidrIp))) {
          throw new AwsError('InvalidParameterValue', `CIDR block ${r.CidrIp ?? ''} is malformed`);
        }
        rules.push({ ...base, ruleId: '', cidrIpv4: r.CidrIp, description: r.Description });
      }
      for (const r of p.Ipv6Ranges ?? []) {
        if (!r.CidrIpv6 || !/^[0-9a-fA-F:]+\/\d{1,3}$/.test(r.CidrIpv6)) throw new AwsError('InvalidParameterValue', `CIDR block ${r.CidrIpv6 ?? ''} is malformed`);
        rules.push({ ...base, ruleId: '', cidrIpv6: r.CidrIpv6, description: r.Description });
      }
      for (const pair of p.UserIdGroupPairs ?? []) {
        const ref = pair.GroupId
          ? ec2.group(scope, pair.GroupId)
          : ec2.groups.withPrefix(scopePrefix(scope)).find((x) => x.groupName === pair.GroupName && x.vpcId === group.vpcId);
        if (!ref) throw new AwsError('InvalidGroup.NotFound', `The security group '${pair.GroupId ?? pair.GroupName ?? ''}' does not exist`);
        rules.push({ ...base, ruleId: '', referencedGroupId: ref.groupId, description: pair.Description });
      }
      for (const pl of p.PrefixListIds ?? []) {
        rules.push({ ...base, ruleId: '', prefixListId: pl.PrefixListId, description: pl.Description });
      }
      if (!p.IpRanges?.length && !p.Ipv6Ranges?.length && !p.UserIdGroupPairs?.length && !p.PrefixListIds?.length) {
        throw new AwsError('MissingParameter', 'The request must contain a source or destination: IpRanges, Ipv6Ranges, UserIdGroupPairs or PrefixListIds');
      }
    }
    return rules;
  }

  function authorize(input: RuleRequest, ctx: RequestContext, isEgress: boolean): Ec2.AuthorizeSecurityGroupIngressResult {
    ec2.ensureRegion(ctx);
    const group = find(ctx, input);
    const wanted = requestedRules(ctx, group, input, isEgress);
    dryRun(input);
    const added: RuleRecord[] = [];
    ec2.store.withTx(() => {
      const current = ec2.group(ctx, group.groupId)!;
      for (const r of wanted) {
        if (current.rules.some((x) => sameRule(x, r)) || added.some((x) => sameRule(x, r))) {
          throw new AwsError('InvalidPermission.Duplicate', `the specified rule "${ruleText(r)}" already exists`);
        }
        added.push({ ...r, ruleId: ec2Id('sgr') });
      }
      ec2.groups.putTx(scopedKey(ctx, group.groupId), { ...current, rules: [...current.rules, ...added] });
    });
    return { Return: true, SecurityGroupRules: added.map((r) => ruleWire(group, r)) };
  }

  function revoke(input: RuleRequest & { SecurityGroupRuleIds?: string[] }, ctx: RequestContext, isEgress: boolean): Ec2.RevokeSecurityGroupIngressResult {
    ec2.ensureRegion(ctx);
    const group = find(ctx, input);
    const byId = input.SecurityGroupRuleIds ?? [];
    const wanted = byId.length && !input.IpPermissions?.length && !input.IpProtocol ? [] : requestedRules(ctx, group, input, isEgress);
    dryRun(input);
    let revoked: RuleRecord[] = [];
    ec2.store.withTx(() => {
      const current = ec2.group(ctx, group.groupId)!;
      const unknownIds = byId.filter((id) => !current.rules.some((r) => r.ruleId === id && r.isEgress === isEgress));
      if (unknownIds.length) throw new AwsError('InvalidSecurityGroupRuleId.NotFound', `The security group rule ID '${unknownIds[0]}' does not exist`);
      revoked = current.rules.filter((r) => byId.includes(r.ruleId) || wanted.some((w) => sameRule(r, w)));
      if (!revoked.length) throw new AwsError('InvalidPermission.NotFound', 'The specified rule does not exist in this security group.');
      ec2.groups.putTx(scopedKey(ctx, group.groupId), { ...current, rules: current.rules.filter((r) => !revoked.includes(r)) });
    });
    return {
      Return: true,
      RevokedSecurityGroupRules: revoked.map((r) => ({
        SecurityGroupRuleId: r.ruleId,
        GroupId: group.groupId,
        IsEgress: r.isEgress,
        IpProtocol: r.ipProtocol,
        FromPort: r.fromPort,
        ToPort: r.toPort,
        CidrIpv4: r.cidrIpv4,
        CidrIpv6: r.cidrIpv6,
        PrefixListId: r.prefixListId,
        ReferencedSecurityGroupId: r.referencedGroupId,
        Description: r.description,
      })),
    };
  }

  return {
    CreateSecurityGroup(input: Ec2.CreateSecurityGroupRequest, ctx: RequestContext): Ec2.CreateSecurityGroupResult {
      ec2.ensureRegion(ctx);
      const vpc = input.VpcId ? ec2.vpc(ctx, input.VpcId) : ec2.defaultVpc(ctx);
      if (!vpc) {
        if (input.VpcId) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
        throw new AwsError('VPCIdNotSpecified', 'No default VPC for this user');
      }
      if (input.GroupName.length > 255 || input.GroupName === '')
        throw new AwsError('InvalidParameterValue', `Invalid value '${input.GroupName}' for groupName. Length must be 1-255.`);
      if (input.GroupName.toLowerCase().startsWith('sg-')) throw new AwsError('InvalidParameterValue', `Group names may not be in the format sg-*.`);
      if (input.Description.length > 255) throw new AwsError('InvalidParameterValue', 'Invalid value for GroupDescription. Length exceeds maximum of 255.');
      const tags = tagsFromSpecifications(input.TagSpecifications, 'security-group');
      dryRun(input);
      const group: SecurityGroupRecord = {
        region: ctx.region,
        groupId: ec2Id('sg'),
        groupName: input.GroupName,
        description: input.Description,
        vpcId: vpc.vpcId,
        ownerId: ctx.accountId,
        rules: [{ ruleId: ec2Id('sgr'), isEgress: true, ipProtocol: '-1', cidrIpv4: '0.0.0.0/0' }],
        tags,
      };
      ec2.store.withTx(() => {
        if (ec2.groups.withPrefix(scopePrefix(ctx)).some((g) => g.vpcId === vpc.vpcId && g.groupName === input.GroupName)) {
          throw new AwsError('InvalidGroup.Duplicate', `The security group '${input.GroupName}' already exists for VPC '${vpc.vpcId}'`);
        }
        ec2.groups.putTx(scopedKey(ctx, group.groupId), group);
      });
      return { GroupId: group.groupId, SecurityGroupArn: groupWire(group).SecurityGroupArn, Tags: Object.keys(tags).length ? tagList(tags) : undefined };
    },

    DescribeSecurityGroups(input: Ec2.DescribeSecurityGroupsRequest, ctx: RequestContext): Ec2.DescribeSecurityGroupsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      let groups = requireAll(input.GroupIds, (id) => ec2.group(ctx, id), 'InvalidGroup.NotFound', 'security group') ?? ec2.groups.withPrefix(scopePrefix(ctx));
      if (input.GroupNames?.length) {
        const vpc = ec2.defaultVpc(ctx);
        const named = input.GroupNames.map((n) => {
          const g = groups.find((x) => x.groupName === n && x.vpcId === vpc?.vpcId);
          if (!g) throw new AwsError('InvalidGroup.NotFound', `The security group '${n}' does not exist in default VPC '${vpc?.vpcId ?? 'none'}'`);
          return g;
        });
        groups = named;
      }
      const filtered = applyFilters(groups, input.Filters, GROUP_FILTERS);
      const p = page(filtered, (g) => g.groupId, input.MaxResults, input.NextToken);
      return { SecurityGroups: p.items.map(groupWire), NextToken: p.nextToken };
    },

    DeleteSecurityGroup(input: Ec2.DeleteSecurityGroupRequest, ctx: RequestContext): Ec2.DeleteSecurityGroupResult {
      ec2.ensureRegion(ctx);
      const group = find(ctx, input);
      if (group.groupName === 'default') {
        throw new AwsError('CannotDelete', `the specified group: "${group.groupId}" name: "default" cannot be deleted by a user`);
      }
      dryRun(input);
      ec2.store.withTx(() => {
        const referencing = ec2.groups.withPrefix(scopePrefix(ctx)).find((g) => g.groupId !== group.groupId && g.rules.some((r) => r.referencedGroupId === group.groupId));
        const inUse = ec2.enis.withPrefix(scopePrefix(ctx)).some((e) => e.groupIds.includes(group.groupId));
        if (referencing || inUse) {
          throw new AwsError('DependencyViolation', `resource ${group.groupId} has a dependent object`);
        }
        ec2.groups.deleteTx(scopedKey(ctx, group.groupId));
      });
      return { Return: true, GroupId: group.groupId };
    },

    AuthorizeSecurityGroupIngress: (input: Ec2.AuthorizeSecurityGroupIngressRequest, ctx: RequestContext) => authorize(input, ctx, false),
    AuthorizeSecurityGroupEgress: (input: Ec2.AuthorizeSecurityGroupEgressRequest, ctx: RequestContext) => authorize(input, ctx, true),
    RevokeSecurityGroupIngress: (input: Ec2.RevokeSecurityGroupIngressRequest, ctx: RequestContext) => revoke(input, ctx, false),
    RevokeSecurityGroupEgress: (input: Ec2.RevokeSecurityGroupEgressRequest, ctx: RequestContext) => revoke(input, ctx, true),

    DescribeSecurityGroupRules(input: Ec2.DescribeSecurityGroupRulesRequest, ctx: RequestContext): Ec2.DescribeSecurityGroupRulesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const all = ec2.groups.withPrefix(scopePrefix(ctx)).flatMap((g) => g.rules.map((r) => ({ g, r, tags: {} as Record<string, string> })));
      const ids = input.SecurityGroupRuleIds;
      const selected = ids?.length ? all.filter((x) => ids.includes(x.r.ruleId)) : all;
      const filtered = applyFilters(selected, input.Filters, {
        'group-id': (x) => [x.g.groupId],
        'security-group-rule-id': (x) => [x.r.ruleId],
      });
      const p = page(filtered, (x) => x.r.ruleId, input.MaxResults, input.NextToken);
      return { SecurityGroupRules: p.items.map((x) => ruleWire(x.g, x.r)), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2Operations>;
}

function normalizeCidr(cidr: string): string {
  // AWS accepts host bits in rule CIDRs (10.0.0.5/24); compare on the network address.
  const [ip = '', len = '32'] = cidr.split('/');
  const parts = ip.split('.').map(Number);
  const n = ((parts[0]! << 24) | (parts[1]! << 16) | (parts[2]! << 8) | parts[3]!) >>> 0;
  const prefix = Number(len);
  const base = prefix === 0 ? 0 : (n & (~0 << (32 - prefix))) >>> 0;
  return `${base >>> 24}.${(base >>> 16) & 255}.${(base >>> 8) & 255}.${base & 255}/${prefix}`;
}
