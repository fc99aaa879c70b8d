// Tags on API Gateway resources by ARN (docs/aws-behavior.md §2.0): `arn:aws:apigateway:{region}::/apis/{id}`,
// `…/apis/{id}/stages/{name}`, `…/vpclinks/{id}`, `…/domainnames/{name}`. TagResource answers 201.
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations } from '../../protocol/generated/apigatewayv2.js';
import type { DocTable } from '../../store/store.js';
import { apiKey, childKey } from '../store.js';
import { badRequest, checkTagCount, checkTags, notFound, type GatewayOpsContext } from './common.js';
import { scopedKey } from '../../store/store.js';

interface Tagged {
  tags: Record<string, string>;
}

function resolve(c: GatewayOpsContext, ctx: RequestContext, arn: string): { table: DocTable<Tagged>; key: string } {
  const m = /^arn:aws[a-z-]*:apigateway:([a-z0-9-]+)::(\/.+)$/.exec(arn);
  if (!m) throw badRequest(`Invalid resource ARN '${arn.slice(0, 200)}'.`);
  const region = m[1]!;
  const path = m[2]!;
  const missing = () => notFound('Resource', `Invalid resource identifier specified ${arn}`);
  if (region !== ctx.region) throw missing();
  let p: RegExpExecArray | null;
  let found: { table: DocTable<Tagged>; key: string } | undefined;
  if ((p = /^\/apis\/([a-z0-9]+)$/.exec(path))) found = { table: c.gw.apis as unknown as DocTable<Tagged>, key: apiKey(ctx, p[1]!) };
  else if ((p = /^\/apis\/([a-z0-9]+)\/stages\/([^/]+)$/.exec(path))) found = { table: c.gw.stages as unknown as DocTable<Tagged>, key: childKey(ctx, p[1]!, p[2]!) };
  else if ((p = /^\/vpclinks\/([a-z0-9]+)$/.exec(path))) found = { table: c.gw.vpcLinks as unknown as DocTable<Tagged>, key: scopedKey(ctx, p[1]!) };
  else if ((p = /^\/domainnames\/([^/]+)$/.exec(path))) found = { table: c.gw.domainNames as unknown as DocTable<Tagged>, key: scopedKey(ctx, p[1]!.toLowerCase()) };
  if (!found?.table.has(found.key)) throw missing();
  return found;
}

export function tagOperations(c: GatewayOpsContext) {
  return {
    TagResource(input, ctx: RequestContext) {
      c.gw.store.withTx(() => {
        const { table, key } = resolve(c, ctx, input.ResourceArn);
        const rec = table.get(key)!;
        // Only the added tags are checked for reserved keys: the resource may hold AWS's own (CloudFormation's).
        table.putTx(key, { ...rec, tags: checkTagCount({ ...rec.tags, ...checkTags(input.Tags) }) });
      });
      return {};
    },

    UntagResource(input, ctx) {
      c.gw.store.withTx(() => {
        const { table, key } = resolve(c, ctx, input.ResourceArn);
        const rec = table.get(key)!;
        const tags = { ...rec.tags };
        for (const k of input.TagKeys) delete tags[k];
        table.putTx(key, { ...rec, tags });
      });
    },

    GetTags(input, ctx) {
      const { table, key } = resolve(c, ctx, input.ResourceArn);
      return { Tags: table.get(key)!.tags };
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
