// CreateTags / DeleteTags / DescribeTags across VPCs, subnets, security groups, network ACLs, route tables
// and network interfaces.
import { AwsError } from '../../kernel/errors.js';
import type { Ec2ErrorCode } from '../../protocol/error-codes.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Operations } from '../../protocol/generated/ec2.js';
import type { CreateTagsRequest, DeleteTagsRequest, DescribeTagsRequest, DescribeTagsResult, TagDescription } from '../../protocol/generated/ec2.js';
import { applyFilters } from '../filters.js';
import { scopedKey, scopePrefix } from '../../store/store.js';
import type { Ec2Store } from '../store.js';
import { checkTags, dryRun, mergeTags, page } from './common.js';

interface Taggable {
  table: {
    get(key: string): { tags: Record<string, string> } | undefined;
    putTx(key: string, v: unknown): boolean;
    withPrefix(p: string): Array<{ tags: Record<string, string> }>;
  };
  type: string;
  idOf: (r: never) => string;
  notFound: Ec2ErrorCode;
  noun: string;
}

export function tagOperations(ec2: Ec2Store) {
  const kinds: Record<string, Taggable> = {
    vpc: { table: ec2.vpcs, type: 'vpc', idOf: (r: { vpcId: string }) => r.vpcId, notFound: 'InvalidVpcID.NotFound', noun: 'vpc' },
    subnet: { table: ec2.subnets, type: 'subnet', idOf: (r: { subnetId: string }) => r.subnetId, notFound: 'InvalidSubnetID.NotFound', noun: 'subnet' },
    sg: { table: ec2.groups, type: 'security-group', idOf: (r: { groupId: string }) => r.groupId, notFound: 'InvalidGroup.NotFound', noun: 'security group' },
    acl: { table: ec2.acls, type: 'network-acl', idOf: (r: { networkAclId: string }) => r.networkAclId, notFound: 'InvalidNetworkAclID.NotFound', noun: 'network ACL' },
    rtb: { table: ec2.routeTables, type: 'route-table', idOf: (r: { routeTableId: string }) => r.routeTableId, notFound: 'InvalidRouteTableID.NotFound', noun: 'route table' },
    eni: {
      table: ec2.enis,
      type: 'network-interface',
      idOf: (r: { networkInterfaceId: string }) => r.networkInterfaceId,
      notFound: 'InvalidNetworkInterfaceID.NotFound',
      noun: 'networkInterface',
    },
  };

  function kindOf(id: string): Taggable {
    const prefix = id.slice(0, id.lastIndexOf('-'));
    const kind = kinds[prefix];
    if (!kind || !/^[a-z]+-[0-9a-f]{8,17}$/.test(id)) throw new AwsError('InvalidID', `The ID '${id}' is not valid`);
    return kind;
  }

  function update(ctx: RequestContext, ids: string[], change: (tags: Record<string, string>) => Record<string, string>): void {
    const targets = ids.map((id) => {
      const kind = kindOf(id);
      const record = kind.table.get(scopedKey(ctx, id));
      if (!record) throw new AwsError(kind.notFound, `The ${kind.noun} ID '${id}' does not exist`);
      return { id, kind };
    });
    ec2.store.withTx(() => {
      for (const { id, kind } of targets) {
        const record = kind.table.get(scopedKey(ctx, id))!;
        kind.table.putTx(scopedKey(ctx, id), { ...record, tags: change(record.tags) });
      }
    });
  }

  return {
    CreateTags(input: CreateTagsRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const tags = checkTags(input.Tags);
      dryRun(input);
      update(ctx, input.Resources, (current) => mergeTags(current, tags));
    },

    DeleteTags(input: DeleteTagsRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      dryRun(input);
      update(ctx, input.Resources, (current) => {
        if (!input.Tags?.length) return {};
        const next = { ...current };
        // A tag with a value is deleted only when the value matches; without a value, whatever it is.
        for (const t of input.Tags) if (t.Key !== undefined && (t.Value === undefined || next[t.Key] === t.Value)) delete next[t.Key];
        return next;
      });
    },

    DescribeTags(input: DescribeTagsRequest, ctx: RequestContext): DescribeTagsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const rows: Array<TagDescription & { tags: Record<string, string> }> = [];
      for (const kind of Object.values(kinds)) {
        for (const r of kind.table.withPrefix(scopePrefix(ctx))) {
          const id = (kind.idOf as (x: unknown) => string)(r);
          for (const [Key, Value] of Object.entries(r.tags))
            rows.push({ ResourceId: id, ResourceType: kind.type as TagDescription['ResourceType'], Key, Value, tags: { [Key]: Value } });
        }
      }
      const filtered = applyFilters(rows, input.Filters, {
        'resource-id': (t) => [t.ResourceId],
        'resource-type': (t) => [t.ResourceType],
        key: (t) => [t.Key],
        value: (t) => [t.Value],
      });
      const p = page(filtered, (t) => `${t.ResourceId}\0${t.Key}`, input.MaxResults, input.NextToken);
      return { Tags: p.items.map(({ tags: _t, ...t }) => t), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2Operations>;
}
