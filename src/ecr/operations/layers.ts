// The layer-level push API (what `docker push` does over the registry, as JSON calls): check,
// initiate, upload parts, complete, and a download URL. Uploads share the registry's upload files
// and blob store, so a layer pushed here is pullable with docker and the other way round.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecr from '../../protocol/generated/ecr.js';
import { DigestMismatch, isDigest } from '../blobs.js';
import { MAX_LAYER_PART_BYTES, MAX_LAYER_PARTS, maxLayerBytes } from '../quotas.js';
import type { RepoRef } from '../store.js';
import { mintPassword, TOKEN_LIFETIME_MS } from '../tokens.js';
import { type EcrContext, refOf, requireRepository } from './common.js';

export function layerOperations(ecr: EcrContext, secret: () => string) {
  const registry = ecr.registry;
  const store = registry.store;
  const blobs = registry.blobs;

  function uploadOf(r: RepoRef, uploadId: string) {
    const u = /^[0-9a-f-]{36}$/.test(uploadId) ? store.upload(uploadId) : undefined;
    if (!u || u.account !== r.account || u.region !== r.region || u.repo !== r.name) {
      throw new AwsError('UploadNotFoundException', `Upload with id '${uploadId}' does not exist for the repository with name '${r.name}' in the registry with id '${r.account}'`);
    }
    return u;
  }

  return {
    BatchCheckLayerAvailability(input: Ecr.BatchCheckLayerAvailabilityRequest, ctx: RequestContext): Ecr.BatchCheckLayerAvailabilityResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const layers: Ecr.Layer[] = [];
      const failures: Ecr.LayerFailure[] = [];
      for (const digest of input.layerDigests) {
        if (!isDigest(digest)) {
          failures.push({ layerDigest: digest, failureCode: 'InvalidLayerDigest', failureReason: 'Invalid layer digest' });
          continue;
        }
        const size = registry.blobSize(r, digest);
        if (size === undefined) failures.push({ layerDigest: digest, failureCode: 'MissingLayerDigest', failureReason: 'Could not find layer' });
        else layers.push({ layerDigest: digest, layerAvailability: 'AVAILABLE', layerSize: size, mediaType: 'application/vnd.docker.container.image.rootfs.diff.tar.gzip' });
      }
      return { layers, failures };
    },

    InitiateLayerUpload(input: Ecr.InitiateLayerUploadRequest, ctx: RequestContext): Ecr.InitiateLayerUploadResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const id = blobs.newUploadId();
      blobs.startUpload(id);
      const now = Date.now();
      store.tx(() => store.putUpload({ id, account: r.account, region: r.region, repo: r.name, startedAt: now, touchedAt: now, size: 0, parts: 0 }));
      return { uploadId: id, partSize: MAX_LAYER_PART_BYTES };
    },

    async UploadLayerPart(input: Ecr.UploadLayerPartRequest, ctx: RequestContext): Promise<Ecr.UploadLayerPartResponse> {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const u = uploadOf(r, input.uploadId);
      const data = Buffer.from(input.layerPartBlob);
      const size = blobs.uploadSize(u.id) ?? 0;
      // ECR's quotas: a part is at most 10 MiB ("Maximum layer part size"), a layer at most 52,000 MiB
      // in at most 4,200 parts. The model alone would let a part be 20 MiB.
      if (input.partFirstByte !== size || input.partLastByte - input.partFirstByte + 1 !== data.length || data.length === 0 || data.length > MAX_LAYER_PART_BYTES) {
        throw new AwsError(
          'InvalidLayerPartException',
          `The layer part size is not valid, or the first byte specified is not consecutive to the last byte of a previous layer part upload.`,
          {
            fields: { registryId: r.account, repositoryName: r.name, uploadId: u.id, lastValidByteReceived: size - 1 },
          },
        );
      }
      if (u.parts >= MAX_LAYER_PARTS || size + data.length > maxLayerBytes()) {
        const which = u.parts >= MAX_LAYER_PARTS ? `more than ${MAX_LAYER_PARTS} layer parts` : `a layer over ${Math.floor(maxLayerBytes() / 1024 / 1024)} MiB`;
        throw new AwsError(
          'LimitExceededException',
          `The operation did not succeed because it would have exceeded a service limit for your account (${which}). For more information, see Amazon ECR service quotas in the Amazon Elastic Container Registry User Guide.`,
        );
      }
      const next = await blobs.appendBuffer(u.id, data);
      store.tx(() => store.putUpload({ ...u, touchedAt: Date.now(), size: next, parts: u.parts + 1 }));
      return { registryId: r.account, repositoryName: r.name, uploadId: u.id, lastByteReceived: next - 1 };
    },

    async CompleteLayerUpload(input: Ecr.CompleteLayerUploadRequest, ctx: RequestContext): Promise<Ecr.CompleteLayerUploadResponse> {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      const u = uploadOf(r, input.uploadId);
      const digest = input.layerDigests[0]!;
      if (input.layerDigests.length !== 1 || !isDigest(digest)) throw new AwsError('InvalidLayerException', 'Invalid layer digest: exactly one sha256 digest is expected');
      if ((blobs.uploadSize(u.id) ?? 0) === 0) throw new AwsError('EmptyUploadException', `The specified layer upload does not contain any layer parts.`);
      if (registry.blobSize(r, digest) !== undefined) {
        store.tx(() => store.deleteUpload(u.id));
        blobs.dropUpload(u.id);
        throw new AwsError(
          'LayerAlreadyExistsException',
          `The layer with digest '${digest}' already exists in the repository with name '${r.name}' in the registry with id '${r.account}'`,
        );
      }
      let size: number;
      try {
        size = await blobs.complete(u.id, digest);
      } catch (e) {
        store.tx(() => store.deleteUpload(u.id));
        if (e instanceof DigestMismatch)
          throw new AwsError('InvalidLayerException', `The layer digest calculated for the upload is ${e.message.slice(9)}, which does not match ${digest}`);
        throw e;
      }
      store.tx(() => {
        store.deleteUpload(u.id);
        store.link(r, digest, size, Date.now());
      });
      return { registryId: r.account, repositoryName: r.name, uploadId: u.id, layerDigest: digest };
    },

    GetDownloadUrlForLayer(input: Ecr.GetDownloadUrlForLayerRequest, ctx: RequestContext): Ecr.GetDownloadUrlForLayerResponse {
      const r = refOf(ctx, input);
      requireRepository(ecr, r);
      if (!isDigest(input.layerDigest))
        throw new AwsError('InvalidParameterException', "Invalid parameter at 'layerDigest' failed to satisfy constraint: 'must be a valid digest'");
      if (registry.blobSize(r, input.layerDigest) === undefined) {
        throw new AwsError(
          'LayersNotFoundException',
          `Layers with digests '[${input.layerDigest}]' required for pulling image from repository with name '${r.name}' in the registry with id '${r.account}' do not exist`,
        );
      }
      // A presigned URL, as AWS's S3 one: the registry accepts the password in the query for a blob GET.
      const password = mintPassword(secret(), { account: r.account, region: r.region, expiresAt: Date.now() + TOKEN_LIFETIME_MS });
      return {
        downloadUrl: `http://${ecr.registryHost(r.account, r.region)}/v2/${r.name}/blobs/${input.layerDigest}?X-Wayfinder-Token=${encodeURIComponent(password)}`,
        layerDigest: input.layerDigest,
      };
    },
  };
}
