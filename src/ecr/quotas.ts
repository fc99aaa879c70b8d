// ECR's documented size quotas ("Amazon ECR service quotas", none adjustable) that an upload meets
// while it streams. The manifest's (4 MiB) is MANIFEST_LIMIT in manifests.ts.

const MiB = 1024 * 1024;

/** "Maximum layer size": 52,000 MiB. WAYFINDER_ECR_MAX_LAYER_BYTES lowers it (tests). */
export function maxLayerBytes(): number {
  const n = Number(process.env.WAYFINDER_ECR_MAX_LAYER_BYTES);
  return Number.isFinite(n) && n > 0 ? Math.min(n, 52_000 * MiB) : 52_000 * MiB;
}

/** "Maximum layer part size": 10 MiB (UploadLayerPart only; the registry's PATCH has no part size). */
export const MAX_LAYER_PART_BYTES = 10 * MiB;

/** "Layer parts": 4,200 UploadLayerPart calls per upload. */
export const MAX_LAYER_PARTS = 4200;
