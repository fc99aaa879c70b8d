// Tags on namespaces and services, addressed by ARN (≤ 200 per resource).
import { AwsError } from '../../kernel/errors.js';
import { countedTags } from '../../kernel/system-tags.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import type { NamespaceRecord, ServiceRecord } from '../store.js';
import { tagsFromList, tagsToList, type CloudMapOpsContext } from './common.js';
import { scopedKey } from '../../store/store.js';

const MAX_TAGS = 200;

export function tagOperations({ store, cm }: CloudMapOpsContext) {
  type Tagged = { kind: 'namespace'; record: NamespaceRecord } | { kind: 'service'; record: ServiceRecord };

  function resolve(ctx: RequestContext, resourceArn: string): Tagged {
    const m = /^arn:aws[a-z-]*:servicediscovery:([^:]+):(\d{12}):(namespace|service)\/([^/]+)$/.exec(resourceArn);
    if (!m) throw new AwsError('InvalidInput', `Invalid resource ARN: ${resourceArn.slice(0, 256)}`);
    const [, region, account, kind, id] = m;
    const notFound = () => new AwsError('ResourceNotFoundException', `Resource not found: ${resourceArn}`);
    if (region !== ctx.region || account !== ctx.accountId) throw notFound();
    if (kind === 'namespace') {
      const record = cm.namespace(ctx, id!);
      if (!record) throw notFound();
      return { kind, record };
    }
    const record = cm.service(ctx, id!);
    if (!record) throw notFound();
    return { kind: 'service', record };
  }

  function save(t: Tagged, tags: Record<string, string>): void {
    if (countedTags(Object.keys(tags)) > MAX_TAGS) {
      throw new AwsError('TooManyTagsException', `A resource can have at most ${MAX_TAGS} tags.`, { fields: { ResourceName: t.record.arn } });
    }
    const key = scopedKey(t.record, t.record.id);
    if (t.kind === 'namespace') cm.namespaces.putTx(key, { ...t.record, tags });
    else cm.services.putTx(key, { ...t.record, tags });
  }

  return {
    TagResource(input: SD.TagResourceRequest, ctx: RequestContext): SD.TagResourceResponse {
      const add = tagsFromList(input.Tags);
      store.withTx(() => {
        const t = resolve(ctx, input.ResourceARN);
        save(t, { ...t.record.tags, ...add });
      });
      return {};
    },

    UntagResource(input: SD.UntagResourceRequest, ctx: RequestContext): SD.UntagResourceResponse {
      store.withTx(() => {
        const t = resolve(ctx, input.ResourceARN);
        const tags = { ...t.record.tags };
        for (const k of input.TagKeys) delete tags[k];
        save(t, tags);
      });
      return {};
    },

    ListTagsForResource(input: SD.ListTagsForResourceRequest, ctx: RequestContext): SD.ListTagsForResourceResponse {
      return { Tags: tagsToList(resolve(ctx, input.ResourceARN).record.tags) };
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
