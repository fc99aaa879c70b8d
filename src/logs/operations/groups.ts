// Log groups: create, delete, describe, retention, tags (both the ARN-based and the legacy calls).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Logs from '../../protocol/generated/logs.js';
import { groupKey, streamKey, type LogGroupRecord, type LogsStore } from '../store.js';
import { groupArn, groupNameFrom, page, requireGroup } from './common.js';
import { partitionOf } from '../../store/store.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

const RETENTION_DAYS = new Set([1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653]);
const MAX_TAGS = 50;

function groupWire(g: LogGroupRecord, storedBytes: number): Logs.LogGroup {
  return {
    logGroupName: g.name,
    creationTime: g.createdAt,
    retentionInDays: g.retentionInDays,
    metricFilterCount: 0,
    arn: `${groupArn(g)}:*`,
    logGroupArn: groupArn(g),
    storedBytes,
    kmsKeyId: g.kmsKeyId,
    logGroupClass: g.logGroupClass as Logs.LogGroupClass,
  };
}

function checkTags(tags: Record<string, string>): void {
  for (const [k, v] of Object.entries(tags)) {
    if (isReservedTag(k, v)) throw new AwsError('InvalidParameterException', "Tag keys beginning with 'aws:' are reserved.");
  }
}

export function groupOperations(logs: LogsStore) {
  /** Resolves a `resourceArn` of TagResource & co to a log group. */
  function groupOfArn(ctx: RequestContext, resourceArn: string): LogGroupRecord {
    const m = /^arn:aws[^:]*:logs:([^:]*):([^:]*):log-group:([^:]+)(:\*)?$/.exec(resourceArn);
    if (!m) throw new AwsError('InvalidParameterException', `Invalid resource ARN: ${resourceArn.slice(0, 200)}`);
    // A group of another region or account is not found here.
    const g = (m[1] || ctx.region) === ctx.region && (m[2] || ctx.accountId) === ctx.accountId ? logs.groups.get(groupKey(ctx, m[3]!)) : undefined;
    if (!g) throw new AwsError('ResourceNotFoundException', `The specified log group does not exist.`);
    return g;
  }

  /** Stores a group's tags after TagX/UntagX; only the added ones are checked, as the group may hold AWS's own (CloudFormation's). */
  function setTags(g: LogGroupRecord, tags: Record<string, string>): void {
    if (countedTags(Object.keys(tags)) > MAX_TAGS)
      throw new AwsError('TooManyTagsException', `Log group ${g.name} would have more than ${MAX_TAGS} tags.`, { fields: { resourceName: groupArn(g) } });
    logs.store.withTx(() => logs.groups.putTx(groupKey(g, g.name), { ...g, tags }));
  }

  return {
    CreateLogGroup(input: Logs.CreateLogGroupRequest, ctx: RequestContext): void {
      // The model's pattern is unanchored (Smithy semantics); the service checks the whole name.
      if (!/^[.\-_/#A-Za-z0-9]+$/.test(input.logGroupName)) {
        throw new AwsError(
          'InvalidParameterException',
          `1 validation error detected: Value '${input.logGroupName}' at 'logGroupName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\.\\-_/#A-Za-z0-9]+`,
        );
      }
      const tags = input.tags ?? {};
      checkTags(tags);
      if (countedTags(Object.keys(tags)) > MAX_TAGS) throw new AwsError('InvalidParameterException', `A log group can have at most ${MAX_TAGS} tags.`);
      logs.store.withTx(() => {
        const key = groupKey(ctx, input.logGroupName);
        if (logs.groups.has(key)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log group already exists');
        logs.groups.putTx(key, {
          region: ctx.region,
          accountId: ctx.accountId,
          name: input.logGroupName,
          createdAt: Date.now(),
          kmsKeyId: input.kmsKeyId,
          logGroupClass: input.logGroupClass ?? 'STANDARD',
          tags,
        });
      });
    },

    DeleteLogGroup(input: Logs.DeleteLogGroupRequest, ctx: RequestContext): void {
      const g = requireGroup(logs, ctx, input.logGroupName);
      logs.store.withTx(() => {
        for (const s of logs.streams.withPrefix(`${groupKey(ctx, g.name)}\n`)) logs.streams.deleteTx(streamKey(ctx, g.name, s.name));
        logs.groups.deleteTx(groupKey(ctx, g.name));
        logs.deleteEventsOfGroup(ctx, g.name);
      });
    },

    DescribeLogGroups(input: Logs.DescribeLogGroupsRequest, ctx: RequestContext): Logs.DescribeLogGroupsResponse {
      if (input.logGroupNamePrefix && input.logGroupNamePattern) {
        throw new AwsError('InvalidParameterException', 'LogGroup name prefix and LogGroup name pattern are mutually exclusive parameters.');
      }
      let groups = logs.groups.withPrefix(`${partitionOf(ctx)}/${input.logGroupNamePrefix ?? ''}`);
      if (input.logGroupNamePattern) {
        const needle = input.logGroupNamePattern.toLowerCase();
        groups = groups.filter((g) => g.name.toLowerCase().includes(needle));
      }
      if (input.logGroupClass) groups = groups.filter((g) => g.logGroupClass === input.logGroupClass);
      if (input.logGroupIdentifiers?.length) {
        const names = new Set(input.logGroupIdentifiers.map((id) => groupNameFrom({ logGroupIdentifier: id })));
        groups = groups.filter((g) => names.has(g.name));
      }
      const p = page(groups, (g) => g.name, input.limit ?? 50, input.nextToken);
      const bytes = logs.groupsBytes(
        ctx,
        p.items.map((g) => g.name),
      );
      return { logGroups: p.items.map((g) => groupWire(g, bytes.get(g.name) ?? 0)), nextToken: p.nextToken };
    },

    PutRetentionPolicy(input: Logs.PutRetentionPolicyRequest, ctx: RequestContext): void {
      if (!RETENTION_DAYS.has(input.retentionInDays)) {
        throw new AwsError(
          'InvalidParameterException',
          `1 validation error detected: Value '${input.retentionInDays}' at 'retentionInDays' failed to satisfy constraint: Member must satisfy enum value set: [${[...RETENTION_DAYS].join(', ')}]`,
        );
      }
      const g = requireGroup(logs, ctx, input.logGroupName);
      logs.store.withTx(() => logs.groups.putTx(groupKey(ctx, g.name), { ...g, retentionInDays: input.retentionInDays }));
    },

    DeleteRetentionPolicy(input: Logs.DeleteRetentionPolicyRequest, ctx: RequestContext): void {
      const g = requireGroup(logs, ctx, input.logGroupName);
      const { retentionInDays: _drop, ...rest } = g;
      logs.store.withTx(() => logs.groups.putTx(groupKey(ctx, g.name), rest));
    },

    TagResource(input: Logs.TagResourceRequest, ctx: RequestContext): void {
      const g = groupOfArn(ctx, input.resourceArn);
      checkTags(input.tags);
      setTags(g, { ...g.tags, ...input.tags });
    },

    UntagResource(input: Logs.UntagResourceRequest, ctx: RequestContext): void {
      const g = groupOfArn(ctx, input.resourceArn);
      const tags = { ...g.tags };
      for (const k of input.tagKeys) delete tags[k];
      setTags(g, tags);
    },

    ListTagsForResource(input: Logs.ListTagsForResourceRequest, ctx: RequestContext): Logs.ListTagsForResourceResponse {
      return { tags: groupOfArn(ctx, input.resourceArn).tags };
    },

    TagLogGroup(input: Logs.TagLogGroupRequest, ctx: RequestContext): void {
      const g = requireGroup(logs, ctx, input.logGroupName);
      checkTags(input.tags);
      setTags(g, { ...g.tags, ...input.tags });
    },

    UntagLogGroup(input: Logs.UntagLogGroupRequest, ctx: RequestContext): void {
      const g = requireGroup(logs, ctx, input.logGroupName);
      const tags = { ...g.tags };
      for (const k of input.tags) delete tags[k];
      setTags(g, tags);
    },

    ListTagsLogGroup(input: Logs.ListTagsLogGroupRequest, ctx: RequestContext): Logs.ListTagsLogGroupResponse {
      return { tags: requireGroup(logs, ctx, input.logGroupName).tags };
    },
  } satisfies Partial<Logs.LogsOperations>;
}
