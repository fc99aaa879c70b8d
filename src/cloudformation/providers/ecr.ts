// AWS::ECR::Repository → ECR's CreateRepository / PutImageTagMutability /
// PutImageScanningConfiguration / PutLifecyclePolicy / SetRepositoryPolicy / Tag… / DeleteRepository.
// Ref is the repository's name.
import { asInput } from './api-shape.js';
import { deleteIgnoringMissing, mergedTags, type ProviderContext, type ResourceProvider } from './provider.js';

type Props = Record<string, unknown>;
type Out = Record<string, unknown>;

async function attributes(ctx: ProviderContext, name: string): Promise<Out> {
  const out = await ctx.call('ecr', 'DescribeRepositories', { repositoryNames: [name] });
  const repo = ((out.repositories as Out[] | undefined) ?? [])[0] ?? {};
  return { Arn: repo.repositoryArn, RepositoryUri: repo.repositoryUri };
}

const same = (a: unknown, b: unknown) => JSON.stringify(a ?? null) === JSON.stringify(b ?? null);

/** The settings ECR changes in place, from `old` (absent on create) to `props`. */
async function configure(ctx: ProviderContext, name: string, props: Props, old?: Props): Promise<void> {
  if (old && !same(props.ImageTagMutability, old.ImageTagMutability)) {
    await ctx.call('ecr', 'PutImageTagMutability', { repositoryName: name, imageTagMutability: props.ImageTagMutability ?? 'MUTABLE' });
  }
  if (old && !same(props.ImageScanningConfiguration, old.ImageScanningConfiguration)) {
    const scan = (props.ImageScanningConfiguration as Props | undefined)?.ScanOnPush ?? false;
    await ctx.call('ecr', 'PutImageScanningConfiguration', { repositoryName: name, imageScanningConfiguration: { scanOnPush: scan } });
  }
  const lifecycle = (props.LifecyclePolicy as Props | undefined)?.LifecyclePolicyText;
  if (!same(lifecycle, (old?.LifecyclePolicy as Props | undefined)?.LifecyclePolicyText)) {
    if (lifecycle === undefined) await deleteIgnoringMissing(() => ctx.call('ecr', 'DeleteLifecyclePolicy', { repositoryName: name }));
    else await ctx.call('ecr', 'PutLifecyclePolicy', { repositoryName: name, lifecyclePolicyText: typeof lifecycle === 'string' ? lifecycle : JSON.stringify(lifecycle) });
  }
  if (!same(props.RepositoryPolicyText, old?.RepositoryPolicyText)) {
    const text = props.RepositoryPolicyText;
    if (text === undefined) await deleteIgnoringMissing(() => ctx.call('ecr', 'DeleteRepositoryPolicy', { repositoryName: name }));
    else await ctx.call('ecr', 'SetRepositoryPolicy', { repositoryName: name, policyText: typeof text === 'string' ? text : JSON.stringify(text) });
  }
}

export const repository: ResourceProvider = {
  type: 'AWS::ECR::Repository',
  attributes: ['Arn', 'RepositoryUri'],
  replaceOn: ['RepositoryName', 'EncryptionConfiguration'],
  async create(props, ctx) {
    // ECR names are lower case; CloudFormation's generated names are too.
    const name = (props.RepositoryName as string | undefined) ?? ctx.generatedName(256).toLowerCase();
    const tags = mergedTags(props, ctx);
    await ctx.call('ecr', 'CreateRepository', {
      ...asInput('ecr', 'CreateRepository', {
        ImageTagMutability: props.ImageTagMutability,
        ImageScanningConfiguration: props.ImageScanningConfiguration,
        EncryptionConfiguration: props.EncryptionConfiguration,
      }),
      repositoryName: name,
      tags: tags.length ? tags : undefined,
    });
    try {
      await configure(ctx, name, props);
    } catch (e) {
      await deleteIgnoringMissing(() => ctx.call('ecr', 'DeleteRepository', { repositoryName: name, force: true }));
      throw e;
    }
    return { physicalId: name, attributes: await attributes(ctx, name) };
  },
  async update(name, props, old, ctx) {
    await configure(ctx, name, props, old);
    const arn = (await attributes(ctx, name)).Arn as string;
    const now = mergedTags(props, ctx);
    const gone = mergedTags(old, ctx).filter((t) => !now.some((n) => n.Key === t.Key));
    if (gone.length) await ctx.call('ecr', 'UntagResource', { resourceArn: arn, tagKeys: gone.map((t) => t.Key) });
    if (now.length) await ctx.call('ecr', 'TagResource', { resourceArn: arn, tags: now });
    return { attributes: await attributes(ctx, name) };
  },
  async delete(name, props, ctx) {
    // As on AWS: a repository with images is only deleted when EmptyOnDelete says so; otherwise the
    // delete fails with ECR's RepositoryNotEmptyException.
    const force = String(props.EmptyOnDelete ?? false) === 'true';
    await deleteIgnoringMissing(() => ctx.call('ecr', 'DeleteRepository', { repositoryName: name, force }));
  },
};
