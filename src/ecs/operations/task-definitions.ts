// Task definitions (docs/aws-behavior.md §5.3): register with revisions, describe by family / family:revision / ARN,
// list, list families, deregister (INACTIVE, still describable), delete (DELETE_IN_PROGRESS).
import { accountRootArn } from '../../kernel/arn.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { parseTaskDefinitionRef, taskDefinitionArn } from '../arns.js';
import { familyKey, taskDefinitionKey, type TaskDefinitionRecord } from '../store.js';
import { taskDefinitionWire } from './wire.js';
import { atMost, checkTags, client, findTaskDefinition, invalid, page, type EcsOpsContext } from './common.js';
import { checkTaskRoles } from '../roles.js';
import { compatibilitiesOf, normaliseTaskDefinition } from './task-definition-rules.js';
import { partitionOf, scopePrefix, type Scope } from '../../store/store.js';

function sortedPage<T>(items: T[], maxResults: number | undefined, nextToken: string | undefined) {
  // Positions are stable within a listing; items are already in the requested order.
  const keyed = items.map((item, i) => ({ item, key: String(i).padStart(10, '0') }));
  const p = page(keyed, (x) => x.key, maxResults, nextToken);
  return { items: p.items.map((x) => x.item), nextToken: p.nextToken };
}

export function taskDefinitionOperations(c: EcsOpsContext) {
  const allInRegion = (scope: Scope) => c.ecs.taskDefinitions.withPrefix(scopePrefix(scope));

  return {
    RegisterTaskDefinition(input: Ecs.RegisterTaskDefinitionRequest, ctx: RequestContext): Ecs.RegisterTaskDefinitionResponse {
      if (!/^[A-Za-z0-9_-]{1,255}$/.test(input.family)) {
        throw client('Family contains invalid characters or is too long: up to 255 letters (uppercase and lowercase), numbers, underscores, and hyphens are allowed.');
      }
      const tags = checkTags(input.tags);
      const definition = normaliseTaskDefinition(input, c.containerUserProblem);
      checkTaskRoles(c.iam, ctx.accountId, input);
      const now = c.now();
      const record = c.ecs.store.withTx(() => {
        const fk = familyKey(ctx, input.family);
        const revision = (c.ecs.families.get(fk)?.lastRevision ?? 0) + 1;
        c.ecs.families.putTx(fk, { region: ctx.region, family: input.family, lastRevision: revision });
        const arn = taskDefinitionArn(ctx.region, ctx.accountId, input.family, revision);
        const rec: TaskDefinitionRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          family: input.family,
          revision,
          arn,
          status: 'ACTIVE',
          registeredAt: now,
          tags,
          definition: { ...definition, compatibilities: compatibilitiesOf(definition), registeredBy: accountRootArn(ctx.accountId) },
        };
        c.ecs.taskDefinitions.putTx(taskDefinitionKey(ctx, input.family, revision), rec);
        return rec;
      });
      return { taskDefinition: taskDefinitionWire(record), tags: record.tags };
    },

    DescribeTaskDefinition(input: Ecs.DescribeTaskDefinitionRequest, ctx: RequestContext): Ecs.DescribeTaskDefinitionResponse {
      const td = findTaskDefinition(c, ctx, input.taskDefinition);
      if (!td) throw client('Unable to describe task definition.');
      return { taskDefinition: taskDefinitionWire(td), ...(input.include?.includes('TAGS') ? { tags: td.tags } : {}) };
    },

    DeregisterTaskDefinition(input: Ecs.DeregisterTaskDefinitionRequest, ctx: RequestContext): Ecs.DeregisterTaskDefinitionResponse {
      const ref = parseTaskDefinitionRef(input.taskDefinition);
      if (!ref) throw client('Unable to describe task definition.');
      if (ref.revision === undefined) throw client('Invalid revision number. Use family:revision or the full task definition ARN.');
      const key = taskDefinitionKey(ctx, ref.family, ref.revision);
      const next = c.ecs.store.withTx(() => {
        const td = c.ecs.taskDefinitions.get(key);
        if (!td) throw client('The specified task definition does not exist.');
        if (td.status === 'ACTIVE') {
          td.status = 'INACTIVE';
          td.deregisteredAt = c.now();
          c.ecs.taskDefinitions.putTx(key, td);
        }
        return td;
      });
      return { taskDefinition: taskDefinitionWire(next) };
    },

    DeleteTaskDefinitions(input: Ecs.DeleteTaskDefinitionsRequest, ctx: RequestContext): Ecs.DeleteTaskDefinitionsResponse {
      if (!input.taskDefinitions.length) throw invalid('taskDefinitions can not be empty.');
      atMost('taskDefinitions', input.taskDefinitions, 10);
      const deleted: Ecs.TaskDefinition[] = [];
      const failures: Ecs.Failure[] = [];
      c.ecs.store.withTx(() => {
        for (const ref of input.taskDefinitions) {
          const parsed = parseTaskDefinitionRef(ref);
          const td = parsed?.revision !== undefined ? c.ecs.taskDefinitions.get(taskDefinitionKey(ctx, parsed.family, parsed.revision)) : undefined;
          if (!td) {
            failures.push({ arn: ref, reason: 'TASK_DEFINITION_NOT_FOUND', detail: 'The specified task definition does not exist.' });
            continue;
          }
          if (td.status === 'ACTIVE') {
            failures.push({ arn: td.arn, reason: 'The specified task definition is still in ACTIVE status. Please deregister the target and try again.' });
            continue;
          }
          if (td.status === 'INACTIVE') {
            td.status = 'DELETE_IN_PROGRESS';
            td.deleteRequestedAt = c.now();
            c.ecs.taskDefinitions.putTx(taskDefinitionKey(ctx, td.family, td.revision), td);
          }
          deleted.push(taskDefinitionWire(td));
        }
      });
      return { taskDefinitions: deleted, failures };
    },

    ListTaskDefinitions(input: Ecs.ListTaskDefinitionsRequest, ctx: RequestContext): Ecs.ListTaskDefinitionsResponse {
      const status = input.status ?? 'ACTIVE';
      let items = input.familyPrefix ? c.ecs.taskDefinitions.withPrefix(`${partitionOf(ctx)}/${input.familyPrefix}/`) : allInRegion(ctx);
      items = items.filter((td) => td.status === status);
      items.sort((a, b) => (a.family < b.family ? -1 : a.family > b.family ? 1 : a.revision - b.revision));
      if (input.sort === 'DESC') items.reverse();
      const p = sortedPage(items, input.maxResults, input.nextToken);
      return { taskDefinitionArns: p.items.map((td) => td.arn), nextToken: p.nextToken };
    },

    ListTaskDefinitionFamilies(input: Ecs.ListTaskDefinitionFamiliesRequest, ctx: RequestContext): Ecs.ListTaskDefinitionFamiliesResponse {
      const status = input.status ?? 'ACTIVE';
      const families = new Map<string, boolean>();
      for (const td of allInRegion(ctx)) {
        if (input.familyPrefix && !td.family.startsWith(input.familyPrefix)) continue;
        families.set(td.family, (families.get(td.family) ?? false) || td.status === 'ACTIVE');
      }
      const names = [...families.entries()].filter(([, active]) => status === 'ALL' || (status === 'ACTIVE') === active).map(([f]) => f);
      const p = page(names, (f) => f, input.maxResults, input.nextToken);
      return { families: p.items, nextToken: p.nextToken };
    },
  };
}
