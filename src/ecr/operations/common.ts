// What every ECR operation needs: the repository a request names, AWS's messages for the common
// failures, and the wire form of a repository.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecr from '../../protocol/generated/ecr.js';
import { isDigest } from '../blobs.js';
import { isRepositoryName, type Registry, TAG } from '../registry.js';
import type { EcrStore, RepoRef, RepositoryRow } from '../store.js';

/** What the operations share: the image store and where the registry is reached (for repositoryUri). */
export interface EcrContext {
  registry: Registry;
  /** `host[:port]` of the registry as clients reach it, for this account and region. */
  registryHost(account: string, region: string): string;
}

export function checkRepositoryName(name: string): void {
  if (!isRepositoryName(name)) {
    throw new AwsError(
      'InvalidParameterException',
      `Invalid parameter at 'repositoryName' failed to satisfy constraint: 'must satisfy regular expression '(?:[a-z0-9]+(?:[._-][a-z0-9]+)*/)*[a-z0-9]+(?:[._-][a-z0-9]+)*''`,
    );
  }
}

/**
 * The registry a call names: the caller's own. Another account's registryId would need a repository
 * policy allowing the caller, and policies are stored, not enforced (docs/ecr.md), so it is refused as
 * AWS refuses a caller no policy allows; else any account could read or delete any other's images.
 */
export function registryOf(ctx: RequestContext, registryId: string | undefined, repositoryName = '*'): string {
  if (registryId === undefined || registryId === ctx.accountId) return ctx.accountId;
  throw new AwsError(
    'AccessDeniedException',
    `User: arn:aws:iam::${ctx.accountId}:root is not authorized to perform: ecr:${ctx.operation} on resource: arn:aws:ecr:${ctx.region}:${registryId.slice(0, 12)}:repository/${repositoryName.slice(0, 256)} because no resource-based policy allows the ecr:${ctx.operation} action`,
  );
}

export function refOf(ctx: RequestContext, input: { registryId?: string; repositoryName: string }): RepoRef {
  return { account: registryOf(ctx, input.registryId, input.repositoryName), region: ctx.region, name: input.repositoryName };
}

export function repositoryNotFound(r: RepoRef): AwsError {
  return new AwsError('RepositoryNotFoundException', `The repository with name '${r.name}' does not exist in the registry with id '${r.account}'`);
}

export function requireRepository(ecr: EcrContext, r: RepoRef): RepositoryRow {
  const repo = ecr.registry.store.repository(r);
  if (!repo) throw repositoryNotFound(r);
  return repo;
}

export function repositoryWire(ecr: EcrContext, repo: RepositoryRow): Ecr.Repository {
  return {
    repositoryArn: repo.doc.arn,
    registryId: repo.account,
    repositoryName: repo.name,
    repositoryUri: `${ecr.registryHost(repo.account, repo.region)}/${repo.name}`,
    createdAt: new Date(repo.createdAt),
    imageTagMutability: repo.doc.tagMutability as Ecr.ImageTagMutability,
    ...(repo.doc.mutabilityExclusions?.length ? { imageTagMutabilityExclusionFilters: repo.doc.mutabilityExclusions as Ecr.ImageTagMutabilityExclusionFilters } : {}),
    imageScanningConfiguration: { scanOnPush: repo.doc.scanOnPush },
    encryptionConfiguration: repo.doc.encryption as Ecr.EncryptionConfiguration,
  };
}

export function repositoryArn(r: RepoRef): string {
  return `arn:aws:ecr:${r.region}:${r.account}:repository/${r.name}`;
}

export function imageIdText(id: { imageDigest?: string; imageTag?: string }): string {
  return `{imageDigest:'${id.imageDigest ?? 'null'}', imageTag:'${id.imageTag ?? 'null'}'}`;
}

export function imageNotFound(r: RepoRef, id: Ecr.ImageIdentifier): AwsError {
  return new AwsError(
    'ImageNotFoundException',
    `The image with imageId ${imageIdText(id)} does not exist within the repository with name '${r.name}' in the registry with id '${r.account}'`,
  );
}

/**
 * The digest an image id names in the repository, or the failure entry BatchGetImage/BatchDeleteImage
 * report for it (the single-image operations turn it into their exception).
 */
export function findImage(store: EcrStore, r: RepoRef, id: Ecr.ImageIdentifier): { digest: string } | { failure: Ecr.ImageFailure } {
  if (!id.imageDigest && !id.imageTag)
    return { failure: { imageId: id, failureCode: 'MissingDigestAndTag', failureReason: 'Invalid request parameters: both tag and digest cannot be null' } };
  if (id.imageDigest && !isDigest(id.imageDigest))
    return { failure: { imageId: id, failureCode: 'InvalidImageDigest', failureReason: 'Invalid request parameters: image digest should satisfy the regex' } };
  if (id.imageTag && !TAG.test(id.imageTag))
    return { failure: { imageId: id, failureCode: 'InvalidImageTag', failureReason: 'Invalid request parameters: image tag should satisfy the regex' } };
  const byTag = id.imageTag ? store.tagDigest(r, id.imageTag) : undefined;
  if (id.imageTag && id.imageDigest && byTag && byTag !== id.imageDigest) {
    return { failure: { imageId: id, failureCode: 'ImageTagDoesNotMatchDigest', failureReason: 'Invalid request parameters: given tag does not map to the given digest' } };
  }
  const digest = id.imageDigest ?? byTag;
  if (!digest || !store.image(r, digest) || (id.imageTag && !byTag)) return { failure: { imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' } };
  return { digest };
}
