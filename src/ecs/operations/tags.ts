// TagResource / UntagResource / ListTagsForResource for clusters, services, tasks and task definitions.
import { AwsError } from '../../kernel/errors.js';
import { parseArn } from '../../kernel/arn.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { clusterKey, serviceKey, taskDefinitionKey, taskKey, type Tag } from '../store.js';
import { checkTags, invalid, mergeTags, type EcsOpsContext } from './common.js';

interface Target {
  get(): { tags: Tag[] } | undefined;
  put(tags: Tag[]): void;
}

export function tagOperations(c: EcsOpsContext) {
  function target(ctx: RequestContext, resourceArn: string): Target {
    const p = parseArn(resourceArn);
    if (p?.service !== 'ecs') throw invalid('The ARN provided is invalid.');
    // A resource of another region or account is not found here (requests act in their own only).
    const foreign = (p.region !== '' && p.region !== ctx.region) || (p.account !== '' && p.account !== ctx.accountId);
    const [kind, ...rest] = p.resource.split('/');
    const path = rest.join('/');
    const table = <T extends { tags: Tag[] }>(t: { get(k: string): T | undefined; putTx(k: string, v: T): boolean }, key: string): Target => ({
      get: () => (foreign ? undefined : t.get(key)),
      put: (tags) =>
        c.ecs.store.withTx(() => {
          const cur = t.get(key);
          if (cur) t.putTx(key, { ...cur, tags });
        }),
    });
    let found: Target | undefined;
    switch (kind) {
      case 'cluster':
        found = table(c.ecs.clusters, clusterKey(ctx, path));
        if (!found.get()) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
        return found;
      case 'service': {
        const parts = path.split('/');
        if (parts.length === 2) found = table(c.ecs.services, serviceKey(ctx, parts[0]!, parts[1]!));
        break;
      }
      case 'task': {
        const parts = path.split('/');
        if (parts.length === 2) found = table(c.ecs.tasks, taskKey(ctx, parts[0]!, parts[1]!));
        break;
      }
      case 'task-definition': {
        const m = /^([A-Za-z0-9_-]+):(\d+)$/.exec(path);
        if (m) found = table(c.ecs.taskDefinitions, taskDefinitionKey(ctx, m[1]!, Number(m[2])));
        break;
      }
      case 'capacity-provider':
        throw invalid('The built-in FARGATE and FARGATE_SPOT capacity providers cannot be tagged.');
      default:
        throw invalid('The ARN provided is invalid.');
    }
    if (!found?.get()) throw new AwsError('ResourceNotFoundException', 'The specified resource was not found.');
    return found;
  }

  return {
    TagResource(input: Ecs.TagResourceRequest, ctx: RequestContext): Ecs.TagResourceResponse {
      const t = target(ctx, input.resourceArn);
      const add = checkTags(input.tags);
      t.put(mergeTags(t.get()!.tags, add));
      return {};
    },

    UntagResource(input: Ecs.UntagResourceRequest, ctx: RequestContext): Ecs.UntagResourceResponse {
      const t = target(ctx, input.resourceArn);
      t.put(t.get()!.tags.filter((x) => !input.tagKeys.includes(x.key)));
      return {};
    },

    ListTagsForResource(input: Ecs.ListTagsForResourceRequest, ctx: RequestContext): Ecs.ListTagsForResourceResponse {
      return { tags: target(ctx, input.resourceArn).get()!.tags };
    },
  };
}
