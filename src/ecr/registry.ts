// The image store both faces share: the ECR API (PutImage, BatchDeleteImage, DescribeImages …) and the
// OCI registry on the edge port (docker push/pull). It keeps the rules in one place: a manifest's
// blobs must be in the repository, tags of an IMMUTABLE repository never move, the lifecycle policy
// runs after each push, and a blob file goes when nothing references it any more. Failures are
// RegistryError kinds that each face turns into its own wire error (AWS's exception, OCI's code).
import { statSync } from 'node:fs';
import type { Logger } from '../kernel/log.js';
import { type BlobFiles, digestOf } from './blobs.js';
import { expiredImages, parseLifecyclePolicy } from './lifecycle.js';
import { ManifestInvalid, parseManifest, type ParsedManifest } from './manifests.js';
import type { EcrStore, ImageRow, RepoRef, RepositoryRow } from './store.js';

export type RegistryErrorKind =
  | 'NAME_UNKNOWN'
  | 'MANIFEST_UNKNOWN'
  | 'MANIFEST_INVALID'
  | 'MANIFEST_BLOB_UNKNOWN'
  | 'DIGEST_INVALID'
  | 'TAG_IMMUTABLE'
  | 'IMAGE_EXISTS'
  | 'MANIFEST_REFERENCED';

export class RegistryError extends Error {
  constructor(
    readonly kind: RegistryErrorKind,
    message: string,
    readonly detail?: unknown,
  ) {
    super(message);
  }
}

/** ECR's tag rule (the model's ImageTag pattern), which the OCI spec's tag grammar matches too. */
export const TAG = /^[A-Za-z0-9_][A-Za-z0-9._-]{0,127}$/;

/** ECR's repository name rule (the model's RepositoryName pattern, anchored): 2–256 characters. */
const REPOSITORY_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function isRepositoryName(name: string): boolean {
  return name.length >= 2 && name.length <= 256 && REPOSITORY_NAME.test(name);
}

export interface PutResult {
  digest: string;
  /** The same manifest under the same tag (or none) was already there: nothing changed. */
  unchanged: boolean;
}

/** How long an upload may sit idle, and a blob stay unreferenced after upload, before the sweep removes it. */
export interface SweepTimes {
  uploadIdleMs: number;
  unreferencedBlobMs: number;
}

export class Registry {
  constructor(
    readonly store: EcrStore,
    readonly blobs: BlobFiles,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  repository(r: RepoRef): RepositoryRow {
    const repo = this.store.repository(r);
    if (!repo) throw new RegistryError('NAME_UNKNOWN', `The repository with name '${r.name}' does not exist in the registry with id '${r.account}'`);
    return repo;
  }

  /** Digest of a tag or digest reference, or undefined. */
  resolve(r: RepoRef, reference: string): string | undefined {
    if (reference.includes(':')) return this.store.image(r, reference) ? reference : undefined;
    return this.store.tagDigest(r, reference);
  }

  manifest(r: RepoRef, reference: string): ImageRow | undefined {
    const digest = this.resolve(r, reference);
    return digest ? this.store.image(r, digest) : undefined;
  }

  /** The blob's size when the repository may serve it (uploaded there, mounted, or named by one of its manifests). */
  blobSize(r: RepoRef, digest: string): number | undefined {
    const size = this.store.linkedSize(r, digest);
    if (size === undefined) return undefined;
    return this.blobs.exists(digest) ? size : undefined;
  }

  /** Records that a finished upload (or a mount) put the blob in the repository. */
  linkBlob(r: RepoRef, digest: string, size: number): void {
    this.store.tx(() => this.store.link(r, digest, size, this.now()));
  }

  /**
   * Stores a manifest under a tag (or only by digest). `expectDigest` is the digest the client named
   * (a push by digest, ECR's imageDigest); the body must hash to it.
   */
  putManifest(r: RepoRef, body: Buffer, contentType: string | undefined, tag: string | undefined, expectDigest?: string): PutResult {
    const repo = this.repository(r);
    let parsed: ParsedManifest;
    try {
      parsed = parseManifest(body, contentType);
    } catch (e) {
      if (e instanceof ManifestInvalid) throw new RegistryError('MANIFEST_INVALID', e.message);
      throw e;
    }
    const digest = digestOf(body, expectDigest?.startsWith('sha512:') ? 'sha512' : 'sha256');
    if (expectDigest && expectDigest !== digest) throw new RegistryError('DIGEST_INVALID', `the manifest's digest is ${digest}, not ${expectDigest}`);
    const missing = parsed.blobs.filter((b) => this.blobSize(r, b.digest) === undefined).map((b) => b.digest);
    if (missing.length) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `blob unknown to registry: ${missing[0]}`, missing);
    let size = parsed.size;
    for (const m of parsed.manifests) {
      const child = this.store.image(r, m.digest);
      if (!child) throw new RegistryError('MANIFEST_BLOB_UNKNOWN', `manifest unknown to registry: ${m.digest}`, [m.digest]);
      size += child.size;
    }
    const result = this.store.tx((): PutResult => {
      const existing = this.store.image(r, digest);
      if (tag !== undefined) {
        const current = this.store.tagDigest(r, tag);
        if (current === digest && existing) return { digest, unchanged: true };
        if (current !== undefined && current !== digest && immutable(repo, tag)) {
          throw new RegistryError(
            'TAG_IMMUTABLE',
            `The image tag '${tag}' already exists in the '${r.name}' repository and cannot be overwritten because the repository is immutable.`,
          );
        }
      } else if (existing) return { digest, unchanged: true };
      if (!existing) {
        const children = [
          ...parsed.blobs.map((b) => ({ digest: b.digest, kind: 'blob' as const })),
          ...parsed.manifests.map((m) => ({ digest: m.digest, kind: 'manifest' as const })),
        ];
        this.store.putImage(
          r,
          { digest, mediaType: parsed.mediaType, artifactType: parsed.artifactType, subject: parsed.subject, size, pushedAt: this.now(), manifest: body },
          children,
        );
      }
      if (tag !== undefined) this.store.setTag(r, tag, digest);
      return { digest, unchanged: false };
    });
    if (!result.unchanged) this.applyLifecycle(r);
    return result;
  }

  /** Removes a tag; the image stays (untagged), as `BatchDeleteImage` by tag does when other tags remain. */
  untag(r: RepoRef, tag: string): void {
    this.store.tx(() => this.store.deleteTag(r, tag));
  }

  /** Deletes an image and its tags, then the blobs nothing references any more. */
  deleteImage(r: RepoRef, digest: string): void {
    const parents = this.store.parentsOf(r, digest).filter((p) => this.store.image(r, p)?.subject !== digest);
    if (parents.length) throw new RegistryError('MANIFEST_REFERENCED', `the image is referenced by the manifest list ${parents[0]}`);
    const children = this.store.childrenOf(r, digest);
    this.store.tx(() => this.store.deleteImage(r, digest));
    this.collect(
      r,
      children.filter((c) => c.kind === 'blob').map((c) => c.child),
    );
  }

  /** Deletes a repository with everything in it (the caller checked `force`). */
  deleteRepository(r: RepoRef): void {
    const digests = new Set<string>();
    for (const img of this.store.images(r)) for (const c of this.store.childrenOf(r, img.digest)) if (c.kind === 'blob') digests.add(c.child);
    this.store.tx(() => this.store.deleteRepository(r));
    for (const d of digests) this.removeIfUnused(d);
    this.sweepUnlinkedFiles(0);
  }

  /** Unlinks the given blobs from the repository when none of its manifests needs them, and deletes unused files. */
  private collect(r: RepoRef, digests: string[]): void {
    const gone = this.store.unreferencedLinks(r, digests);
    this.store.tx(() => {
      for (const d of gone) this.store.unlink(r, d);
    });
    for (const d of gone) this.removeIfUnused(d);
  }

  private removeIfUnused(digest: string): void {
    if (!this.store.blobInUse(digest)) {
      const freed = this.blobs.remove(digest);
      if (freed) this.logger.debug({ digest, freed }, 'ecr: blob garbage-collected');
    }
  }

  /** Runs the repository's lifecycle policy (after each push, and on the periodic sweep). */
  applyLifecycle(r: RepoRef): string[] {
    const repo = this.store.repository(r);
    const text = repo?.doc.lifecyclePolicy?.text;
    if (!text) return [];
    let expired: string[];
    try {
      expired = expiredImages(parseLifecyclePolicy(text), this.store.images(r), this.now());
    } catch (e) {
      this.logger.warn({ err: e, repository: r.name }, 'ecr: lifecycle policy not applied');
      return [];
    }
    const done: string[] = [];
    for (const digest of expired) {
      try {
        this.deleteImage(r, digest);
        done.push(digest);
      } catch (e) {
        if (!(e instanceof RegistryError)) throw e;
      }
    }
    if (done.length) this.logger.info({ repository: r.name, expired: done }, 'ecr: lifecycle policy expired images');
    return done;
  }

  /** Removes idle uploads, blobs uploaded but never used by a manifest, and files no row knows. */
  sweep(times: SweepTimes): void {
    const now = this.now();
    const idle = this.store.idleUploads(now - times.uploadIdleMs);
    for (const id of idle) {
      this.store.tx(() => this.store.deleteUpload(id));
      this.blobs.dropUpload(id);
    }
    const known = this.store.uploadIds();
    for (const f of this.blobs.uploadFiles()) {
      if (!known.has(f.id) && f.mtimeMs < now - times.uploadIdleMs) {
        try {
          this.blobs.dropUpload(f.id);
        } catch {
          /* a foreign file name: leave it */
        }
      }
    }
    for (const l of this.store.staleLinks(now - times.unreferencedBlobMs)) {
      this.store.tx(() => this.store.unlink(l, l.digest));
      this.removeIfUnused(l.digest);
    }
    this.sweepUnlinkedFiles(times.unreferencedBlobMs);
  }

  /** Blob files no link and no manifest names (left by a crash between rename and commit). */
  private sweepUnlinkedFiles(olderThanMs: number): void {
    const used = this.store.allLinkedDigests();
    const cutoff = this.now() - olderThanMs;
    for (const digest of this.blobs.allDigests()) {
      if (used.has(digest)) continue;
      try {
        const { mtimeMs } = statSync(this.blobs.pathOf(digest));
        if (mtimeMs <= cutoff) this.blobs.remove(digest);
      } catch {
        /* gone meanwhile */
      }
    }
  }
}

function immutable(repo: RepositoryRow, tag: string): boolean {
  const m = repo.doc.tagMutability;
  const excluded = (repo.doc.mutabilityExclusions ?? []).some((f) => new RegExp(`^${f.filter.split('*').map(escapeRe).join('.*')}$`).test(tag));
  if (m === 'IMMUTABLE') return true;
  if (m === 'IMMUTABLE_WITH_EXCLUSION') return !excluded;
  if (m === 'MUTABLE_WITH_EXCLUSION') return excluded;
  return false;
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
