// Lifecycle policy previews and image scans through the ECR API (docs/ecr.md "Previews and scans").
// - StartLifecyclePolicyPreview evaluates the given policy (or the stored one) against the
//   repository's images at once, with the rules lifecycle.ts applies, and keeps the result;
//   GetLifecyclePolicyPreview answers it (status COMPLETE: there is nothing to wait for).
// - StartImageScan / DescribeImageScanFindings: Wayfinder has no vulnerability database. A scan
//   completes at once with no findings, and says so in its description; an image counts as scanned
//   after StartImageScan, or when its repository has scanOnPush (AWS's basic scanning on push).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecr from '../../protocol/generated/ecr.js';
import { expiryDecisions, parseLifecyclePolicy, PolicyInvalid } from '../lifecycle.js';
import type { RepoRef, RepositoryRow } from '../store.js';
import { type EcrContext, findImage, imageIdText, imageNotFound, refOf, requireRepository } from './common.js';

const SCAN_DESCRIPTION = 'The scan was completed successfully. Wayfinder has no vulnerability database: a scan reports no findings.';
const PAGE_DEFAULT = 100;

function policyInvalid(e: PolicyInvalid): AwsError {
  return new AwsError('InvalidParameterException', `Invalid parameter at 'LifecyclePolicyText' failed to satisfy constraint: 'Lifecycle policy validation failure: ${e.message}'`);
}

export function scanAndPreviewOperations(ecr: EcrContext) {
  const store = ecr.registry.store;

  function update(repo: RepositoryRow, change: Partial<RepositoryRow['doc']>): void {
    store.tx(() => store.putRepository({ ...repo, doc: { ...repo.doc, ...change } }));
  }

  /** The image an id names; a malformed id is InvalidParameterException, an unknown one ImageNotFoundException. */
  function imageDigest(r: RepoRef, id: Ecr.ImageIdentifier | undefined): string {
    const found = findImage(store, r, id ?? {});
    if (!('failure' in found)) return found.digest;
    const { failureCode, failureReason } = found.failure;
    if (failureCode === 'ImageNotFound' || failureCode === 'ImageTagDoesNotMatchDigest') throw imageNotFound(r, id ?? {});
    throw new AwsError('InvalidParameterException', failureReason!);
  }

  return {
    StartLifecyclePolicyPreview(input: Ecr.StartLifecyclePolicyPreviewRequest, ctx: RequestContext): Ecr.StartLifecyclePolicyPreviewResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      const text = input.lifecyclePolicyText ?? repo.doc.lifecyclePolicy?.text;
      if (!text) {
        throw new AwsError('LifecyclePolicyNotFoundException', `Lifecycle policy does not exist for the repository with name '${r.name}' in the registry with id '${r.account}'`);
      }
      let rules: ReturnType<typeof parseLifecyclePolicy>;
      try {
        rules = parseLifecyclePolicy(text);
      } catch (e) {
        if (e instanceof PolicyInvalid) throw policyInvalid(e);
        throw e;
      }
      const images = store.images(r);
      const byDigest = new Map(images.map((i) => [i.digest, i]));
      const results = expiryDecisions(rules, images, Date.now()).map((d) => {
        const img = byDigest.get(d.digest)!;
        return { digest: d.digest, tags: img.tags, pushedAt: img.pushedAt, rulePriority: d.rulePriority };
      });
      update(repo, { lifecyclePreview: { text, results } });
      return { registryId: r.account, repositoryName: r.name, lifecyclePolicyText: text, status: 'IN_PROGRESS' };
    },

    GetLifecyclePolicyPreview(input: Ecr.GetLifecyclePolicyPreviewRequest, ctx: RequestContext): Ecr.GetLifecyclePolicyPreviewResponse {
      const r = refOf(ctx, input);
      const preview = requireRepository(ecr, r).doc.lifecyclePreview;
      if (!preview) {
        throw new AwsError('LifecyclePolicyPreviewNotFoundException', `There is no dry run for the repository with name '${r.name}' in the registry with id '${r.account}'`);
      }
      if (input.imageIds?.length && (input.nextToken || input.maxResults)) {
        throw new AwsError('InvalidParameterException', 'Invalid parameter: nextToken and maxResults cannot be used with imageIds');
      }
      let results = preview.results;
      const status = input.filter?.tagStatus;
      if (status === 'TAGGED') results = results.filter((x) => x.tags.length > 0);
      else if (status === 'UNTAGGED') results = results.filter((x) => x.tags.length === 0);
      if (input.imageIds?.length) {
        const wanted = input.imageIds;
        results = results.filter((x) => wanted.some((id) => (id.imageDigest ? id.imageDigest === x.digest : false) || (id.imageTag ? x.tags.includes(id.imageTag) : false)));
      }
      let start = 0;
      if (input.nextToken) {
        start = Number(Buffer.from(input.nextToken, 'base64url').toString('utf8'));
        if (!Number.isInteger(start) || start < 0 || start > results.length) {
          throw new AwsError('InvalidParameterException', 'Invalid parameter at nextToken failed to satisfy constraint: invalid pagination token');
        }
      }
      const size = input.maxResults ?? PAGE_DEFAULT;
      const page = results.slice(start, start + size);
      const next = start + size < results.length ? Buffer.from(String(start + size)).toString('base64url') : undefined;
      return {
        registryId: r.account,
        repositoryName: r.name,
        lifecyclePolicyText: preview.text,
        status: 'COMPLETE',
        previewResults: page.map((x) => ({
          ...(x.tags.length ? { imageTags: x.tags } : {}),
          imageDigest: x.digest,
          imagePushedAt: new Date(x.pushedAt),
          action: { type: 'EXPIRE' },
          appliedRulePriority: x.rulePriority,
          storageClass: 'STANDARD',
        })),
        ...(next ? { nextToken: next } : {}),
        summary: { expiringImageTotalCount: preview.results.length },
      };
    },

    StartImageScan(input: Ecr.StartImageScanRequest, ctx: RequestContext): Ecr.StartImageScanResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      const digest = imageDigest(r, input.imageId);
      // Entries of deleted images go when the next scan is recorded.
      const scans = Object.fromEntries(Object.entries(repo.doc.scans ?? {}).filter(([d]) => store.image(r, d)));
      update(repo, { scans: { ...scans, [digest]: Date.now() } });
      return {
        registryId: r.account,
        repositoryName: r.name,
        imageId: { imageDigest: digest, ...(input.imageId.imageTag ? { imageTag: input.imageId.imageTag } : {}) },
        imageScanStatus: { status: 'COMPLETE', description: SCAN_DESCRIPTION },
      };
    },

    DescribeImageScanFindings(input: Ecr.DescribeImageScanFindingsRequest, ctx: RequestContext): Ecr.DescribeImageScanFindingsResponse {
      const r = refOf(ctx, input);
      const repo = requireRepository(ecr, r);
      const digest = imageDigest(r, input.imageId);
      const scannedAt = repo.doc.scans?.[digest] ?? (repo.doc.scanOnPush ? store.image(r, digest)?.pushedAt : undefined);
      if (scannedAt === undefined) {
        throw new AwsError(
          'ScanNotFoundException',
          `Image scan does not exist for the image with '${imageIdText(input.imageId)}' in the repository with name '${r.name}' in the registry with id '${r.account}'`,
        );
      }
      return {
        registryId: r.account,
        repositoryName: r.name,
        imageId: { imageDigest: digest, ...(input.imageId.imageTag ? { imageTag: input.imageId.imageTag } : {}) },
        imageScanStatus: { status: 'COMPLETE', description: SCAN_DESCRIPTION },
        imageScanFindings: { imageScanCompletedAt: new Date(scannedAt), vulnerabilitySourceUpdatedAt: new Date(scannedAt), findingSeverityCounts: {}, findings: [] },
      };
    },
  };
}
