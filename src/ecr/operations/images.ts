// Images through the ECR API: DescribeImages, ListImages, BatchGetImage, BatchDeleteImage, PutImage,
// and GetAuthorizationToken (the registry password). The registry (registry.ts) keeps the rules both
// this API and `docker push` obey.
import { AwsError } from '../../kernel/errors.js';
import { paginate } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecr from '../../protocol/generated/ecr.js';
import { isDigest } from '../blobs.js';
import { MANIFEST_LIMIT } from '../manifests.js';
import { RegistryError, TAG } from '../registry.js';
import type { ImageWithTags, RepoRef } from '../store.js';
import { mintPassword, TOKEN_LIFETIME_MS } from '../tokens.js';
import { type EcrContext, findImage, imageNotFound, refOf, requireRepository } from './common.js';

const badToken = () => new AwsError('InvalidParameterException', 'Invalid parameter at nextToken failed to satisfy constraint: invalid pagination token');

function detail(r: RepoRef, img: ImageWithTags): Ecr.ImageDetail {
  return {
    registryId: r.account,
    repositoryName: r.name,
    imageDigest: img.digest,
    ...(img.tags.length ? { imageTags: img.tags } : {}),
    imageSizeInBytes: img.size,
    imagePushedAt: new Date(img.pushedAt),
    imageManifestMediaType: img.mediaType,
    ...(img.artifactType ? { artifactMediaType: img.artifactType } : {}),
    ...(img.subject ? { subjectManifestDigest: img.subject } : {}),
    imageStatus: 'ACTIVE',
  };
}

/** One id per tag of the image, or its bare digest when it has none: how ListImages and BatchDeleteImage name an image. */
function idsOf(digest: string, tags: string[]): Ecr.ImageIdentifier[] {
  return tags.length ? tags.map((imageTag) => ({ imageDigest: digest, imageTag })) : [{ imageDigest: digest }];
}

function tagStatusFilter(status: Ecr.TagStatus | undefined): (img: ImageWithTags) => boolean {
  if (status === 'TAGGED') return (img) => img.tags.length > 0;
  if (status === 'UNTAGGED') return (img) => img.tags.length === 0;
  return () => true;
}

export function imageOperations(ecr: EcrContext, secret: () => string) {
  const registry = ecr.registry;
  const store = registry.store;

  /** Walks a batch request's ids: those that name no image go to `failures`, the others to `each` with their digest. */
  function forEachFound(r: RepoRef, ids: Ecr.ImageIdentifier[], failures: Ecr.ImageFailure[], each: (id: Ecr.ImageIdentifier, digest: string) => void) {
    for (const id of ids) {
      const found = findImage(store, r, id);
      if ('failure' in found) failures.push(found.failure);
      else each(id, found.digest);
    }
  }

  return {
    GetAuthorizationToken(_input: Ecr.GetAuthorizationTokenRequest, ctx: RequestContext): Ecr.GetAuthorizationTokenResponse {
      const expiresAt = Date.now() + TOKEN_LIFETIME_MS;
      const password = mintPassword(secret(), { account: ctx.accountId, region: ctx.region, expiresAt });
      return {
        authorizationData: [
          {
            authorizationToken: Buffer.from(`AWS:${password}`).toString('base64'),
            expiresAt: new Date(expiresAt),
            proxyEndpoint: `http://${ecr.registryHost(ctx.accountId, ctx.region)}`,
          },
        ],
      };
    },

    DescribeImages(input: Ecr.DescribeImagesRequest, ctx: RequestContext): Ecr.DescribeImagesResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      if (input.imageIds?.length && (input.nextToken || input.maxResults)) {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used with imageIds');
      }
      let images = store.images(r).filter(tagStatusFilter(input.filter?.tagStatus));
      if (input.imageIds?.length) {
        const wanted = new Set<string>();
        for (const id of input.imageIds) {
          const found = findImage(store, r, id);
          if ('failure' in found) throw imageNotFound(r, id);
          wanted.add(found.digest);
        }
        images = images.filter((i) => wanted.has(i.digest));
      }
      const page = paginate(images, (i) => i.digest, input.maxResults, input.nextToken, badToken);
      return { imageDetails: page.items.map((i) => detail(r, i)), nextToken: page.nextToken };
    },

    ListImages(input: Ecr.ListImagesRequest, ctx: RequestContext): Ecr.ListImagesResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const ids: Ecr.ImageIdentifier[] = [];
      for (const img of store.images(r).filter(tagStatusFilter(input.filter?.tagStatus))) ids.push(...idsOf(img.digest, img.tags));
      const page = paginate(ids, (i) => `${i.imageDigest}\n${i.imageTag ?? ''}`, input.maxResults, input.nextToken, badToken);
      return { imageIds: page.items, nextToken: page.nextToken };
    },

    BatchGetImage(input: Ecr.BatchGetImageRequest, ctx: RequestContext): Ecr.BatchGetImageResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const images: Ecr.Image[] = [];
      const failures: Ecr.ImageFailure[] = [];
      forEachFound(r, input.imageIds, failures, (id, digest) => {
        const img = store.image(r, digest)!;
        if (input.acceptedMediaTypes?.length && !input.acceptedMediaTypes.includes(img.mediaType)) {
          failures.push({ imageId: id, failureCode: 'ImageNotFound', failureReason: 'Requested image not found' });
          return;
        }
        images.push({
          registryId: r.account,
          repositoryName: r.name,
          imageId: { imageDigest: img.digest, ...(id.imageTag ? { imageTag: id.imageTag } : {}) },
          imageManifest: img.manifest.toString('utf8'),
          imageManifestMediaType: img.mediaType,
        });
      });
      return { images, failures };
    },

    BatchDeleteImage(input: Ecr.BatchDeleteImageRequest, ctx: RequestContext): Ecr.BatchDeleteImageResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const imageIds: Ecr.ImageIdentifier[] = [];
      const failures: Ecr.ImageFailure[] = [];
      forEachFound(r, input.imageIds, failures, (id, digest) => {
        const tags = store.tagsOf(r, digest);
        // A tag of an image with other tags goes alone; the last tag, or a digest, takes the image.
        if (id.imageTag && !id.imageDigest && tags.length > 1) {
          registry.untag(r, id.imageTag);
          imageIds.push({ imageDigest: digest, imageTag: id.imageTag });
          return;
        }
        try {
          registry.deleteImage(r, digest);
        } catch (e) {
          if (!(e instanceof RegistryError) || e.kind !== 'MANIFEST_REFERENCED') throw e;
          failures.push({ imageId: id, failureCode: 'ImageReferencedByManifestList', failureReason: 'Requested image is referenced by a manifest list' });
          return;
        }
        imageIds.push(...idsOf(digest, tags));
      });
      return { imageIds, failures };
    },

    PutImage(input: Ecr.PutImageRequest, ctx: RequestContext): Ecr.PutImageResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      if (input.imageTag !== undefined && !TAG.test(input.imageTag)) {
        throw new AwsError(
          'InvalidParameterException',
          "Invalid parameter at 'imageTag' failed to satisfy constraint: 'must satisfy regular expression '[a-zA-Z0-9_][a-zA-Z0-9._-]{0,127}''",
        );
      }
      if (input.imageDigest !== undefined && !isDigest(input.imageDigest)) {
        throw new AwsError('InvalidParameterException', "Invalid parameter at 'imageDigest' failed to satisfy constraint: 'must be a valid digest'");
      }
      const body = Buffer.from(input.imageManifest, 'utf8');
      if (body.length > MANIFEST_LIMIT)
        throw new AwsError('InvalidParameterException', "Invalid parameter at 'ImageManifest' failed to satisfy constraint: 'Manifest is too large'");
      let put: { digest: string; unchanged: boolean };
      try {
        put = registry.putManifest(r, body, input.imageManifestMediaType, input.imageTag, input.imageDigest);
      } catch (e) {
        throw putError(r, e, input);
      }
      if (put.unchanged) {
        throw new AwsError(
          'ImageAlreadyExistsException',
          `Image with digest '${put.digest}' and tag '${input.imageTag ?? 'null'}' already exists in the repository with name '${r.name}' in registry with id '${r.account}'`,
        );
      }
      return {
        image: {
          registryId: r.account,
          repositoryName: r.name,
          imageId: { imageDigest: put.digest, ...(input.imageTag ? { imageTag: input.imageTag } : {}) },
          imageManifest: input.imageManifest,
          imageManifestMediaType: store.image(r, put.digest)?.mediaType,
        },
      };
    },
  };
}

function putError(r: RepoRef, e: unknown, input: Ecr.PutImageRequest): unknown {
  if (!(e instanceof RegistryError)) return e;
  switch (e.kind) {
    case 'MANIFEST_INVALID':
      return new AwsError('InvalidParameterException', `Invalid parameter at 'ImageManifest' failed to satisfy constraint: '${e.message}'`);
    case 'DIGEST_INVALID':
      return new AwsError(
        'ImageDigestDoesNotMatchException',
        `Invalid parameter at 'imageDigest' failed to satisfy constraint: 'The provided digest ${input.imageDigest} does not match the manifest's digest'`,
      );
    case 'MANIFEST_BLOB_UNKNOWN':
      return new AwsError(
        'LayersNotFoundException',
        `Layers with digests '[${(e.detail as string[]).join(', ')}]' required for pushing image into repository with name '${r.name}' in the registry with id '${r.account}' do not exist`,
      );
    case 'TAG_IMMUTABLE':
      return new AwsError('ImageTagAlreadyExistsException', e.message);
    default:
      return new AwsError('InvalidParameterException', e.message);
  }
}
