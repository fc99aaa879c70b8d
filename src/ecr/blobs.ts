// Content-addressed blob files under the data dir, shared by every repository:
//   <root>/blobs/<algorithm>/<first two hex>/<hex>     one file per digest
//   <root>/uploads/<id>                                 an upload in progress
// Bytes stream between the socket and these files and are never held whole in memory. A finished
// upload is hashed by reading its file back (streamed), then renamed into place: a blob file exists
// only once its content matches its name.
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync, type ReadStream } from 'node:fs';
import { rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** Digests the registry accepts: what the OCI spec registers (sha256, sha512), lower-case hex. */
const DIGEST = /^(sha256:[a-f0-9]{64}|sha512:[a-f0-9]{128})$/;

export function isDigest(s: string): boolean {
  return DIGEST.test(s);
}

export class DigestMismatch extends Error {}
export class UploadTooLarge extends Error {}

export class BlobFiles {
  private readonly blobsDir: string;
  private readonly uploadsDir: string;
  /**
   * The running sha256 of uploads whose every byte passed through this process in order: completing
   * one then needs no second read of its file. An upload resumed after a restart has none and is
   * hashed from its file.
   */
  private readonly running = new Map<string, { hash: Hash; size: number }>();

  constructor(readonly root: string) {
    this.blobsDir = join(root, 'blobs');
    this.uploadsDir = join(root, 'uploads');
    mkdirSync(this.blobsDir, { recursive: true });
    mkdirSync(this.uploadsDir, { recursive: true });
  }

  /** The file of a digest (isDigest already checked: no path can escape the root). */
  pathOf(digest: string): string {
    const [alg, hex] = digest.split(':') as [string, string];
    return join(this.blobsDir, alg, hex.slice(0, 2), hex);
  }

  /** The blob's size, or undefined when there is no such file. */
  size(digest: string): number | undefined {
    try {
      return statSync(this.pathOf(digest)).size;
    } catch {
      return undefined;
    }
  }

  read(digest: string, range?: { start: number; end: number }): ReadStream {
    // 1 MiB reads: a layer is read once, start to end, and fewer larger writes keep the socket busy.
    return createReadStream(this.pathOf(digest), { ...range, highWaterMark: 1024 * 1024 });
  }

  newUploadId(): string {
    return randomUUID();
  }

  private uploadPath(id: string): string {
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad upload id');
    return join(this.uploadsDir, id);
  }

  /** Creates the (empty) file of a new upload. */
  startUpload(id: string): void {
    writeFileSync(this.uploadPath(id), '');
  }

  uploadSize(id: string): number | undefined {
    try {
      return statSync(this.uploadPath(id)).size;
    } catch {
      return undefined;
    }
  }

  /** Appends a stream to an upload at its end; returns the new size. Refuses more than `limit` bytes in all. */
  async append(id: string, body: Readable, limit = Number.POSITIVE_INFINITY): Promise<number> {
    const path = this.uploadPath(id);
    const start = (await stat(path)).size;
    let seen = start;
    let state = this.running.get(id);
    if (start === 0) state = { hash: createHash('sha256'), size: 0 };
    const hashing = state && state.size === start ? state : undefined;
    this.running.delete(id);
    const guard = async function* (src: Readable) {
      for await (const chunk of src) {
        seen += (chunk as Buffer).length;
        if (seen > limit) throw new UploadTooLarge(`upload over ${limit} bytes`);
        hashing?.hash.update(chunk as Buffer);
        yield chunk as Buffer;
      }
    };
    await pipeline(body, guard, createWriteStream(path, { flags: 'a', highWaterMark: 1024 * 1024 }));
    if (hashing) this.running.set(id, { hash: hashing.hash, size: seen });
    return seen;
  }

  /** Appends bytes already in memory (UploadLayerPart's part). */
  async appendBuffer(id: string, data: Buffer): Promise<number> {
    const { Readable } = await import('node:stream');
    return this.append(id, Readable.from([data]));
  }

  /**
   * Hashes the finished upload and moves it into place under `digest`; a mismatch removes the
   * upload and throws DigestMismatch. Returns the blob's size.
   */
  async complete(id: string, digest: string): Promise<number> {
    const path = this.uploadPath(id);
    const algorithm = digest.split(':')[0]!;
    const state = this.running.get(id);
    this.running.delete(id);
    const size0 = (await stat(path)).size;
    const actual = algorithm === 'sha256' && state?.size === size0 ? `sha256:${state.hash.digest('hex')}` : await hashFile(path, algorithm);
    if (actual !== digest) {
      await rm(path, { force: true });
      throw new DigestMismatch(`computed ${actual}`);
    }
    const size = (await stat(path)).size;
    const target = this.pathOf(digest);
    mkdirSync(join(target, '..'), { recursive: true });
    // Same content under the same name: replacing an existing file changes nothing a reader sees.
    await rename(path, target);
    return size;
  }

  dropUpload(id: string): void {
    this.running.delete(id);
    rmSync(this.uploadPath(id), { force: true });
  }

  /** Deletes a blob file; returns the bytes freed (0 when there was none). */
  remove(digest: string): number {
    const path = this.pathOf(digest);
    try {
      const size = statSync(path).size;
      rmSync(path, { force: true });
      return size;
    } catch {
      return 0;
    }
  }

  /** Every digest with a file (for the sweep of files no row knows). */
  allDigests(): string[] {
    const out: string[] = [];
    for (const alg of safeList(this.blobsDir)) {
      for (const prefix of safeList(join(this.blobsDir, alg))) {
        for (const hex of safeList(join(this.blobsDir, alg, prefix))) out.push(`${alg}:${hex}`);
      }
    }
    return out;
  }

  uploadFiles(): Array<{ id: string; mtimeMs: number }> {
    return safeList(this.uploadsDir).flatMap((id) => {
      try {
        return [{ id, mtimeMs: statSync(join(this.uploadsDir, id)).mtimeMs }];
      } catch {
        return [];
      }
    });
  }

  exists(digest: string): boolean {
    return existsSync(this.pathOf(digest));
  }

  /** Moves every file away (reset). */
  wipe(): void {
    for (const dir of [this.blobsDir, this.uploadsDir]) {
      const gone = `${dir}.wiped-${process.pid}-${Date.now()}`;
      try {
        renameSync(dir, gone);
        rmSync(gone, { recursive: true, force: true });
      } catch {
        /* nothing there */
      }
      mkdirSync(dir, { recursive: true });
    }
  }
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir);
  } catch {
    return [];
  }
}

export async function hashFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  await pipeline(createReadStream(path), async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) h.update(chunk);
  });
  return `${algorithm}:${h.digest('hex')}`;
}

export function digestOf(data: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
