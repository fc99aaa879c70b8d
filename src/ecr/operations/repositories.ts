// Repositories and their settings: create, describe, delete (force), tag mutability, scanning,
// lifecycle and repository policies, resource tags, and DescribeRegistry.
import { AwsError } from '../../kernel/errors.js';
import { paginate } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecr from '../../protocol/generated/ecr.js';
import { parseLifecyclePolicy, PolicyInvalid } from '../lifecycle.js';
import type { RepoRef, RepositoryRow } from '../store.js';
import { checkRepositoryName, type EcrContext, refOf, registryOf, repositoryArn, repositoryNotFound, repositoryWire, requireRepository } from './common.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

const MAX_TAGS = 50;
const POLICY_LIMIT = 10_240;

const tooManyTags = () => new AwsError('TooManyTagsException', `A repository can have at most ${MAX_TAGS} tags.`);

function checkTags(tags: readonly Ecr.Tag[]): void {
  if (countedTags(tags.map((t) => t.Key)) > MAX_TAGS) throw tooManyTags();
  for (const t of tags) {
    if (isReservedTag(t.Key, t.Value)) throw new AwsError('InvalidTagParameterException', "Tag keys beginning with 'aws:' are reserved.");
  }
}

function mergeTags(existing: readonly Ecr.Tag[], added: readonly Ecr.Tag[]): Array<{ Key: string; Value: string }> {
  const m = new Map(existing.map((t) => [t.Key, t.Value]));
  for (const t of added) m.set(t.Key, t.Value);
  return [...m].map(([Key, Value]) => ({ Key, Value }));
}

function checkPolicyJson(text: string): void {
  if (text.length > POLICY_LIMIT) throw new AwsError('InvalidParameterException', `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Policy text is too long'`);
  try {
    const doc = JSON.parse(text) as unknown;
    if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new Error('not an object');
  } catch {
    throw new AwsError('InvalidParameterException', `Invalid parameter at 'PolicyText' failed to satisfy constraint: 'Invalid repository policy provided'`);
  }
}

export function repositoryOperations(ecr: EcrContext) {
  const store = ecr.registry.store;

  function repoOfArn(ctx: RequestContext, arn: string): RepositoryRow {
    const m = /^arn:aws[^:]*:ecr:([^:]+):(\d{12}):repository\/(.+)$/.exec(arn);
    if (!m) throw new AwsError('InvalidParameterException', `Invalid parameter at 'resourceArn' failed to satisfy constraint: 'Invalid ARN'`);
    // Another account's ARN is refused as its registryId is (registryOf): else any account could tag another's repositories.
    const r: RepoRef = { account: registryOf(ctx, m[2]!, m[3]!), region: m[1]!, name: m[3]! };
    if (r.region !== ctx.region) throw repositoryNotFound(r);
    return requireRepository(ecr, r);
  }

  function update(repo: RepositoryRow, change: Partial<RepositoryRow['doc']>): RepositoryRow {
    const next = { ...repo, doc: { ...repo.doc, ...change } };
    store.tx(() => store.putRepository(next));
    return next;
  }

  return {
    CreateRepository(input: Ecr.CreateRepositoryRequest, ctx: RequestContext): Ecr.CreateRepositoryResponse {
      checkRepositoryName(input.repositoryName);
      const r = refOf(ctx, input);
      const tags = input.tags ?? [];
      checkTags(tags);
      const enc = input.encryptionConfiguration ?? { encryptionType: 'AES256' };
      if (enc.encryptionType === 'AES256' && enc.kmsKey) {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: kmsKey can only be specified when encryptionType is KMS or KMS_DSSE');
      }
      const kmsKey = enc.encryptionType === 'AES256' ? undefined : (enc.kmsKey ?? `arn:aws:kms:${r.region}:${r.account}:alias/aws/ecr`);
      const row: RepositoryRow = {
        ...r,
        createdAt: Date.now(),
        doc: {
          arn: repositoryArn(r),
          tagMutability: input.imageTagMutability ?? 'MUTABLE',
          mutabilityExclusions: input.imageTagMutabilityExclusionFilters,
          scanOnPush: input.imageScanningConfiguration?.scanOnPush ?? false,
          encryption: { encryptionType: enc.encryptionType, ...(kmsKey ? { kmsKey } : {}) },
          tags: mergeTags([], tags),
        },
      };
      store.tx(() => {
        if (store.repository(r)) {
          throw new AwsError('RepositoryAlreadyExistsException', `The repository with name '${r.name}' already exists in the registry with id '${r.account}'`);
        }
        store.putRepository(row);
      });
      return { repository: repositoryWire(ecr, row) };
    },

    DescribeRepositories(input: Ecr.DescribeRepositoriesRequest, ctx: RequestContext): Ecr.DescribeRepositoriesResponse {
      const account = registryOf(ctx, input.registryId);
      if (input.repositoryNames?.length && (input.nextToken || input.maxResults)) {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used with repositoryNames');
      }
      let repos: RepositoryRow[];
      if (input.repositoryNames?.length) {
        repos = input.repositoryNames.map((name) => requireRepository(ecr, { account, region: ctx.region, name }));
      } else repos = store.repositories(account, ctx.region);
      const page = paginate(
        repos,
        (r) => r.name,
        input.maxResults,
        input.nextToken,
        () => new AwsError('InvalidParameterException', 'Invalid parameter: nextToken is not valid'),
      );
      return { repositories: page.items.map((r) => repositoryWire(ecr, r)), nextToken: page.nextToken };
    },

    DeleteRepository(input: Ecr.DeleteRepositoryRequest, ctx: RequestContext): Ecr.DeleteRepositoryResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      if (!input.force && store.imageCount(r) > 0) {
        throw new AwsError(
          'RepositoryNotEmptyException',
          `The repository with name '${r.name}' in registry with id '${r.account}' cannot be deleted because it still contains images`,
        );
      }
      ecr.registry.deleteRepository(r);
      return { repository: repositoryWire(ecr, repo) };
    },

    PutImageTagMutability(input: Ecr.PutImageTagMutabilityRequest, ctx: RequestContext): Ecr.PutImageTagMutabilityResponse {
      const r = refOf(ctx, input);
      const repo = update(requireRepository(ecr, r), { tagMutability: input.imageTagMutability, mutabilityExclusions: input.imageTagMutabilityExclusionFilters });
      return {
        registryId: r.account,
        repositoryName: r.name,
        imageTagMutability: repo.doc.tagMutability as Ecr.ImageTagMutability,
        ...(input.imageTagMutabilityExclusionFilters ? { imageTagMutabilityExclusionFilters: input.imageTagMutabilityExclusionFilters } : {}),
      };
    },

    PutImageScanningConfiguration(input: Ecr.PutImageScanningConfigurationRequest, ctx: RequestContext): Ecr.PutImageScanningConfigurationResponse {
      const r = refOf(ctx, input);
      const scanOnPush = input.imageScanningConfiguration.scanOnPush ?? false;
      update(requireRepository(ecr, r), { scanOnPush });
      return { registryId: r.account, repositoryName: r.name, imageScanningConfiguration: { scanOnPush } };
    },

    PutLifecyclePolicy(input: Ecr.PutLifecyclePolicyRequest, ctx: RequestContext): Ecr.PutLifecyclePolicyResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      try {
        parseLifecyclePolicy(input.lifecyclePolicyText);
      } catch (e) {
        if (!(e instanceof PolicyInvalid)) throw e;
        throw new AwsError(
          'InvalidParameterException',
          `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${e.message}'`,
        );
      }
      update(repo, { lifecyclePolicy: { text: input.lifecyclePolicyText, updatedAt: Date.now() } });
      // AWS evaluates within 24 hours; Wayfinder at once, and again after every push.
      ecr.registry.applyLifecycle(r);
      return { registryId: r.account, repositoryName: r.name, lifecyclePolicyText: input.lifecyclePolicyText };
    },

    GetLifecyclePolicy(input: Ecr.GetLifecyclePolicyRequest, ctx: RequestContext): Ecr.GetLifecyclePolicyResponse {
      const r = refOf(ctx, input);
      const p = requireRepository(ecr, r).doc.lifecyclePolicy;
      if (!p) throw lifecycleNotFound(r);
      return { registryId: r.account, repositoryName: r.name, lifecyclePolicyText: p.text, lastEvaluatedAt: new Date(p.updatedAt) };
    },

    DeleteLifecyclePolicy(input: Ecr.DeleteLifecyclePolicyRequest, ctx: RequestContext): Ecr.DeleteLifecyclePolicyResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      const p = repo.doc.lifecyclePolicy;
      if (!p) throw lifecycleNotFound(r);
      update(repo, { lifecyclePolicy: undefined });
      return { registryId: r.account, repositoryName: r.name, lifecyclePolicyText: p.text, lastEvaluatedAt: new Date(p.updatedAt) };
    },

    SetRepositoryPolicy(input: Ecr.SetRepositoryPolicyRequest, ctx: RequestContext): Ecr.SetRepositoryPolicyResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      checkPolicyJson(input.policyText);
      update(repo, { repositoryPolicy: input.policyText });
      return { registryId: r.account, repositoryName: r.name, policyText: input.policyText };
    },

    GetRepositoryPolicy(input: Ecr.GetRepositoryPolicyRequest, ctx: RequestContext): Ecr.GetRepositoryPolicyResponse {
      const r = refOf(ctx, input);
      const text = requireRepository(ecr, r).doc.repositoryPolicy;
      if (text === undefined) throw repositoryPolicyNotFound(r);
      return { registryId: r.account, repositoryName: r.name, policyText: text };
    },

    DeleteRepositoryPolicy(input: Ecr.DeleteRepositoryPolicyRequest, ctx: RequestContext): Ecr.DeleteRepositoryPolicyResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      const text = repo.doc.repositoryPolicy;
      if (text === undefined) throw repositoryPolicyNotFound(r);
      update(repo, { repositoryPolicy: undefined });
      return { registryId: r.account, repositoryName: r.name, policyText: text };
    },

    TagResource(input: Ecr.TagResourceRequest, ctx: RequestContext): Ecr.TagResourceResponse {
      const repo = repoOfArn(ctx, input.resourceArn);
      checkTags(input.tags);
      const tags = mergeTags(repo.doc.tags, input.tags);
      // Counted after the merge; the reserved-key check was of the added tags only, as the repository may hold AWS's own.
      if (countedTags(tags.map((t) => t.Key)) > MAX_TAGS) throw tooManyTags();
      update(repo, { tags });
      return {};
    },

    UntagResource(input: Ecr.UntagResourceRequest, ctx: RequestContext): Ecr.UntagResourceResponse {
      const repo = repoOfArn(ctx, input.resourceArn);
      const drop = new Set(input.tagKeys);
      update(repo, { tags: repo.doc.tags.filter((t) => !drop.has(t.Key)) });
      return {};
    },

    ListTagsForResource(input: Ecr.ListTagsForResourceRequest, ctx: RequestContext): Ecr.ListTagsForResourceResponse {
      return { tags: repoOfArn(ctx, input.resourceArn).doc.tags };
    },

    DescribeRegistry(_input: Ecr.DescribeRegistryRequest, ctx: RequestContext): Ecr.DescribeRegistryResponse {
      return { registryId: ctx.accountId, replicationConfiguration: { rules: [] } };
    },
  };
}

function lifecycleNotFound(r: RepoRef): AwsError {
  return new AwsError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${r.name}' in the registry with id '${r.account}'`);
}

function repositoryPolicyNotFound(r: RepoRef): AwsError {
  return new AwsError('RepositoryPolicyNotFoundException', `Repository policy does not exist for the repository with name '${r.name}' in the registry with id '${r.account}'`);
}
