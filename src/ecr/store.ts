// ECR's state in the SQLite store: repositories, images (manifests, stored whole: they are small),
// tags, which blobs each repository may serve, and uploads in progress. The blobs themselves are
// files (blobs.ts). Plain tables, not document tables: the registry looks images up by digest and
// tag on every pull, and garbage collection asks "does any manifest still reference this blob?".
// Every row carries its account and region: repositories of two accounts never meet.
import type { Migration, Store } from '../store/store.js';

export const ecrMigrations: Migration[] = [
  {
    id: 'ecr/001-tables',
    up: `
      CREATE TABLE ecr_repositories (
        account TEXT NOT NULL, region TEXT NOT NULL, name TEXT NOT NULL,
        created_at INTEGER NOT NULL, doc TEXT NOT NULL,
        PRIMARY KEY (account, region, name)) WITHOUT ROWID;
      CREATE TABLE ecr_images (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        media_type TEXT NOT NULL, artifact_type TEXT, subject TEXT, size INTEGER NOT NULL,
        pushed_at INTEGER NOT NULL, manifest BLOB NOT NULL,
        PRIMARY KEY (account, region, repo, digest)) WITHOUT ROWID;
      CREATE TABLE ecr_tags (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, tag TEXT NOT NULL, digest TEXT NOT NULL,
        PRIMARY KEY (account, region, repo, tag)) WITHOUT ROWID;
      CREATE INDEX ecr_tags_by_digest ON ecr_tags (account, region, repo, digest);
      CREATE TABLE ecr_refs (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        child TEXT NOT NULL, kind TEXT NOT NULL,
        PRIMARY KEY (account, region, repo, digest, child)) WITHOUT ROWID;
      CREATE INDEX ecr_refs_by_child ON ecr_refs (child);
      CREATE TABLE ecr_links (
        account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL, digest TEXT NOT NULL,
        size INTEGER NOT NULL, linked_at INTEGER NOT NULL,
        PRIMARY KEY (account, region, repo, digest)) WITHOUT ROWID;
      CREATE INDEX ecr_links_by_digest ON ecr_links (digest);
      CREATE TABLE ecr_uploads (
        id TEXT PRIMARY KEY, account TEXT NOT NULL, region TEXT NOT NULL, repo TEXT NOT NULL,
        started_at INTEGER NOT NULL, touched_at INTEGER NOT NULL, size INTEGER NOT NULL, parts INTEGER NOT NULL);
      CREATE TABLE ecr_secret (id INTEGER PRIMARY KEY CHECK (id = 1), secret TEXT NOT NULL);
    `,
  },
];

/** Where a repository lives: the caller's account and region, and its name. */
export interface RepoRef {
  account: string;
  region: string;
  name: string;
}

export interface RepositoryDoc {
  arn: string;
  tagMutability: string;
  mutabilityExclusions?: Array<{ filterType: string; filter: string }>;
  scanOnPush: boolean;
  encryption: { encryptionType: string; kmsKey?: string };
  tags: Array<{ Key: string; Value: string }>;
  lifecyclePolicy?: { text: string; updatedAt: number };
  /** The last StartLifecyclePolicyPreview: its policy and the images it would expire (operations/scans-and-previews.ts). */
  lifecyclePreview?: { text: string; results: Array<{ digest: string; tags: string[]; pushedAt: number; rulePriority: number }> };
  /** When StartImageScan last scanned each image (digest → ms). */
  scans?: Record<string, number>;
  repositoryPolicy?: string;
}

export interface RepositoryRow extends RepoRef {
  createdAt: number;
  doc: RepositoryDoc;
}

export interface ImageRow {
  digest: string;
  mediaType: string;
  artifactType: string | null;
  subject: string | null;
  size: number;
  pushedAt: number;
  manifest: Buffer;
}

export interface ImageWithTags extends Omit<ImageRow, 'manifest'> {
  tags: string[];
}

export interface UploadRow {
  id: string;
  account: string;
  region: string;
  repo: string;
  startedAt: number;
  touchedAt: number;
  size: number;
  parts: number;
}

export class EcrStore {
  constructor(readonly store: Store) {}

  private get db() {
    return this.store.db;
  }

  tx<T>(fn: () => T): T {
    return this.store.withTx(fn);
  }

  /** The per-data-dir secret that signs registry tokens, made on first use. */
  secret(make: () => string): string {
    const row = this.db.prepare('SELECT secret FROM ecr_secret WHERE id = 1').get() as { secret: string } | undefined;
    if (row) return row.secret;
    const s = make();
    // In a transaction, so the store's durability barrier covers it like any acknowledged write.
    return this.tx(() => {
      this.db.prepare('INSERT OR IGNORE INTO ecr_secret (id, secret) VALUES (1, ?)').run(s);
      return (this.db.prepare('SELECT secret FROM ecr_secret WHERE id = 1').get() as { secret: string }).secret;
    });
  }

  // Repositories

  repository(r: RepoRef): RepositoryRow | undefined {
    const row = this.db.prepare('SELECT created_at, doc FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?').get(r.account, r.region, r.name) as
      | { created_at: number; doc: string }
      | undefined;
    return row ? { ...r, createdAt: row.created_at, doc: JSON.parse(row.doc) as RepositoryDoc } : undefined;
  }

  repositories(account: string, region: string): RepositoryRow[] {
    const rows = this.db.prepare('SELECT name, created_at, doc FROM ecr_repositories WHERE account = ? AND region = ? ORDER BY name').all(account, region) as Array<{
      name: string;
      created_at: number;
      doc: string;
    }>;
    return rows.map((row) => ({ account, region, name: row.name, createdAt: row.created_at, doc: JSON.parse(row.doc) as RepositoryDoc }));
  }

  putRepository(r: RepositoryRow): void {
    this.db
      .prepare('INSERT INTO ecr_repositories (account, region, name, created_at, doc) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET doc = excluded.doc')
      .run(r.account, r.region, r.name, r.createdAt, JSON.stringify(r.doc));
  }

  /** Removes a repository with its images, tags and links; returns the blob digests it referenced. */
  deleteRepository(r: RepoRef): void {
    const args = [r.account, r.region, r.name];
    this.db.prepare('DELETE FROM ecr_tags WHERE account = ? AND region = ? AND repo = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_refs WHERE account = ? AND region = ? AND repo = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_images WHERE account = ? AND region = ? AND repo = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_links WHERE account = ? AND region = ? AND repo = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_uploads WHERE account = ? AND region = ? AND repo = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_repositories WHERE account = ? AND region = ? AND name = ?').run(...args);
  }

  imageCount(r: RepoRef): number {
    return (this.db.prepare('SELECT count(*) AS n FROM ecr_images WHERE account = ? AND region = ? AND repo = ?').get(r.account, r.region, r.name) as { n: number }).n;
  }

  // Images and tags

  image(r: RepoRef, digest: string): ImageRow | undefined {
    const row = this.db
      .prepare('SELECT digest, media_type, artifact_type, subject, size, pushed_at, manifest FROM ecr_images WHERE account = ? AND region = ? AND repo = ? AND digest = ?')
      .get(r.account, r.region, r.name, digest) as Record<string, unknown> | undefined;
    return row ? imageOf(row) : undefined;
  }

  tagDigest(r: RepoRef, tag: string): string | undefined {
    const row = this.db.prepare('SELECT digest FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? AND tag = ?').get(r.account, r.region, r.name, tag) as
      | { digest: string }
      | undefined;
    return row?.digest;
  }

  tagsOf(r: RepoRef, digest: string): string[] {
    return (
      this.db.prepare('SELECT tag FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? AND digest = ? ORDER BY tag').all(r.account, r.region, r.name, digest) as Array<{
        tag: string;
      }>
    ).map((t) => t.tag);
  }

  tags(r: RepoRef): string[] {
    return (this.db.prepare('SELECT tag FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? ORDER BY tag').all(r.account, r.region, r.name) as Array<{ tag: string }>).map(
      (t) => t.tag,
    );
  }

  /** Every image of a repository with its tags, oldest push first. */
  images(r: RepoRef): ImageWithTags[] {
    const rows = this.db
      .prepare('SELECT digest, media_type, artifact_type, subject, size, pushed_at FROM ecr_images WHERE account = ? AND region = ? AND repo = ? ORDER BY pushed_at, digest')
      .all(r.account, r.region, r.name) as Array<Record<string, unknown>>;
    const tags = new Map<string, string[]>();
    for (const t of this.db.prepare('SELECT tag, digest FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? ORDER BY tag').all(r.account, r.region, r.name) as Array<{
      tag: string;
      digest: string;
    }>) {
      const list = tags.get(t.digest) ?? [];
      list.push(t.tag);
      tags.set(t.digest, list);
    }
    return rows.map((row) => {
      const { manifest: _m, ...rest } = imageOf({ ...row, manifest: Buffer.alloc(0) });
      return { ...rest, tags: tags.get(rest.digest) ?? [] };
    });
  }

  putImage(r: RepoRef, img: ImageRow, children: Array<{ digest: string; kind: 'blob' | 'manifest' }>): void {
    this.db
      .prepare(
        'INSERT OR IGNORE INTO ecr_images (account, region, repo, digest, media_type, artifact_type, subject, size, pushed_at, manifest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)',
      )
      .run(r.account, r.region, r.name, img.digest, img.mediaType, img.artifactType, img.subject, img.size, img.pushedAt, img.manifest);
    const ref = this.db.prepare('INSERT OR IGNORE INTO ecr_refs (account, region, repo, digest, child, kind) VALUES (?, ?, ?, ?, ?, ?)');
    for (const c of children) ref.run(r.account, r.region, r.name, img.digest, c.digest, c.kind);
  }

  setTag(r: RepoRef, tag: string, digest: string): void {
    this.db
      .prepare('INSERT INTO ecr_tags (account, region, repo, tag, digest) VALUES (?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET digest = excluded.digest')
      .run(r.account, r.region, r.name, tag, digest);
  }

  deleteTag(r: RepoRef, tag: string): void {
    this.db.prepare('DELETE FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? AND tag = ?').run(r.account, r.region, r.name, tag);
  }

  deleteImage(r: RepoRef, digest: string): void {
    const args = [r.account, r.region, r.name, digest];
    this.db.prepare('DELETE FROM ecr_tags WHERE account = ? AND region = ? AND repo = ? AND digest = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_refs WHERE account = ? AND region = ? AND repo = ? AND digest = ?').run(...args);
    this.db.prepare('DELETE FROM ecr_images WHERE account = ? AND region = ? AND repo = ? AND digest = ?').run(...args);
  }

  /** Images of the repository whose manifest lists `digest` (an index naming it, a referrer's subject). */
  parentsOf(r: RepoRef, digest: string): string[] {
    return (
      this.db
        .prepare("SELECT digest FROM ecr_refs WHERE account = ? AND region = ? AND repo = ? AND child = ? AND kind = 'manifest'")
        .all(r.account, r.region, r.name, digest) as Array<{
        digest: string;
      }>
    ).map((x) => x.digest);
  }

  referrers(r: RepoRef, subject: string): ImageRow[] {
    return (
      this.db
        .prepare(
          'SELECT digest, media_type, artifact_type, subject, size, pushed_at, manifest FROM ecr_images WHERE account = ? AND region = ? AND repo = ? AND subject = ? ORDER BY digest',
        )
        .all(r.account, r.region, r.name, subject) as Array<Record<string, unknown>>
    ).map(imageOf);
  }

  childrenOf(r: RepoRef, digest: string): Array<{ child: string; kind: string }> {
    return this.db.prepare('SELECT child, kind FROM ecr_refs WHERE account = ? AND region = ? AND repo = ? AND digest = ?').all(r.account, r.region, r.name, digest) as Array<{
      child: string;
      kind: string;
    }>;
  }

  // Blobs a repository may serve

  link(r: RepoRef, digest: string, size: number, at: number): void {
    this.db
      .prepare('INSERT INTO ecr_links (account, region, repo, digest, size, linked_at) VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET linked_at = excluded.linked_at')
      .run(r.account, r.region, r.name, digest, size, at);
  }

  linkedSize(r: RepoRef, digest: string): number | undefined {
    const row = this.db.prepare('SELECT size FROM ecr_links WHERE account = ? AND region = ? AND repo = ? AND digest = ?').get(r.account, r.region, r.name, digest) as
      | { size: number }
      | undefined;
    return row?.size;
  }

  /** Links no manifest of their repository references, made before `before` (uploads never used). */
  staleLinks(before: number): Array<RepoRef & { digest: string }> {
    return this.db
      .prepare(
        `SELECT l.account, l.region, l.repo AS name, l.digest FROM ecr_links l WHERE l.linked_at < ? AND NOT EXISTS
           (SELECT 1 FROM ecr_refs f WHERE f.account = l.account AND f.region = l.region AND f.repo = l.repo AND f.child = l.digest)`,
      )
      .all(before) as Array<RepoRef & { digest: string }>;
  }

  unlink(r: RepoRef, digest: string): void {
    this.db.prepare('DELETE FROM ecr_links WHERE account = ? AND region = ? AND repo = ? AND digest = ?').run(r.account, r.region, r.name, digest);
  }

  /** Whether anything still needs the blob file: a manifest anywhere, or a repository's link. */
  blobInUse(digest: string): boolean {
    return (
      this.db.prepare('SELECT 1 FROM ecr_refs WHERE child = ? LIMIT 1').get(digest) !== undefined ||
      this.db.prepare('SELECT 1 FROM ecr_links WHERE digest = ? LIMIT 1').get(digest) !== undefined
    );
  }

  /** Links of blobs no manifest of the repository references any more (after a manifest went). */
  unreferencedLinks(r: RepoRef, digests: readonly string[]): string[] {
    const q = this.db.prepare('SELECT 1 FROM ecr_refs WHERE account = ? AND region = ? AND repo = ? AND child = ? LIMIT 1');
    return digests.filter((d) => q.get(r.account, r.region, r.name, d) === undefined);
  }

  allLinkedDigests(): Set<string> {
    const out = new Set<string>();
    for (const row of this.db.prepare('SELECT DISTINCT digest FROM ecr_links').all() as Array<{ digest: string }>) out.add(row.digest);
    for (const row of this.db.prepare("SELECT DISTINCT child FROM ecr_refs WHERE kind = 'blob'").all() as Array<{ child: string }>) out.add(row.child);
    return out;
  }

  // Uploads

  putUpload(u: UploadRow): void {
    this.db
      .prepare(
        'INSERT INTO ecr_uploads (id, account, region, repo, started_at, touched_at, size, parts) VALUES (?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT DO UPDATE SET touched_at = excluded.touched_at, size = excluded.size, parts = excluded.parts',
      )
      .run(u.id, u.account, u.region, u.repo, u.startedAt, u.touchedAt, u.size, u.parts);
  }

  upload(id: string): UploadRow | undefined {
    const row = this.db.prepare('SELECT id, account, region, repo, started_at, touched_at, size, parts FROM ecr_uploads WHERE id = ?').get(id) as
      | Record<string, unknown>
      | undefined;
    return row
      ? {
          id: row.id as string,
          account: row.account as string,
          region: row.region as string,
          repo: row.repo as string,
          startedAt: row.started_at as number,
          touchedAt: row.touched_at as number,
          size: row.size as number,
          parts: row.parts as number,
        }
      : undefined;
  }

  deleteUpload(id: string): void {
    this.db.prepare('DELETE FROM ecr_uploads WHERE id = ?').run(id);
  }

  idleUploads(before: number): string[] {
    return (this.db.prepare('SELECT id FROM ecr_uploads WHERE touched_at < ?').all(before) as Array<{ id: string }>).map((u) => u.id);
  }

  uploadIds(): Set<string> {
    return new Set((this.db.prepare('SELECT id FROM ecr_uploads').all() as Array<{ id: string }>).map((u) => u.id));
  }

  /** Repositories with any image, for the registry's _catalog. */
  catalog(account: string, region: string): string[] {
    return this.repositories(account, region).map((r) => r.name);
  }
}

function imageOf(row: Record<string, unknown>): ImageRow {
  return {
    digest: row.digest as string,
    mediaType: row.media_type as string,
    artifactType: (row.artifact_type as string | null) ?? null,
    subject: (row.subject as string | null) ?? null,
    size: row.size as number,
    pushedAt: row.pushed_at as number,
    manifest: row.manifest as Buffer,
  };
}
