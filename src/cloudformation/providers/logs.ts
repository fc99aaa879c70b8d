// AWS::Logs::LogGroup → CloudWatch Logs' CreateLogGroup / PutRetentionPolicy / DeleteLogGroup.
import { deleteIgnoringMissing, mergedTags, tagMap, type ProviderContext, type ResourceProvider } from './provider.js';

const arnOf = (ctx: ProviderContext, name: string) => `arn:aws:logs:${ctx.region}:${ctx.accountId}:log-group:${name}:*`;

async function setRetention(ctx: ProviderContext, name: string, days: unknown): Promise<void> {
  if (days === undefined) await deleteIgnoringMissing(() => ctx.call('logs', 'DeleteRetentionPolicy', { logGroupName: name }));
  else await ctx.call('logs', 'PutRetentionPolicy', { logGroupName: name, retentionInDays: days });
}

export const logGroup: ResourceProvider = {
  type: 'AWS::Logs::LogGroup',
  attributes: ['Arn'],
  replaceOn: ['LogGroupName', 'LogGroupClass'],
  async create(props, ctx) {
    const name = (props.LogGroupName as string | undefined) ?? ctx.generatedName(512);
    const tags = mergedTags(props, ctx);
    await ctx.call('logs', 'CreateLogGroup', {
      logGroupName: name,
      kmsKeyId: props.KmsKeyId,
      logGroupClass: props.LogGroupClass,
      tags: tags.length ? tagMap(tags) : undefined,
    });
    if (props.RetentionInDays !== undefined) await setRetention(ctx, name, props.RetentionInDays);
    return { physicalId: name, attributes: { Arn: arnOf(ctx, name) } };
  },
  async update(name, props, old, ctx) {
    if (props.RetentionInDays !== old.RetentionInDays) await setRetention(ctx, name, props.RetentionInDays);
    const arn = arnOf(ctx, name).slice(0, -2);
    const tags = tagMap(mergedTags(props, ctx));
    const gone = Object.keys(tagMap(mergedTags(old, ctx))).filter((k) => !(k in tags));
    if (gone.length) await ctx.call('logs', 'UntagResource', { resourceArn: arn, tagKeys: gone });
    if (Object.keys(tags).length) await ctx.call('logs', 'TagResource', { resourceArn: arn, tags });
    return { attributes: { Arn: arnOf(ctx, name) } };
  },
  async delete(name, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('logs', 'DeleteLogGroup', { logGroupName: name }));
  },
};
