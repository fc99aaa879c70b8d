// Content-addressed blob files under the data dir, shared by every repository:
//   <root>/blobs/<algorithm>/<first two hex>/<hex>     one file per digest
//   <root>/uploads/<id>                                 an upload in progress
// Bytes stream between the socket and these files and are never held whole in memory. A finished
// upload is hashed by reading its file back (streamed), then renamed into place: a blob file exists
// only once its content matches its name.
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { type FileHandle, open, rename, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, type Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Disk I/O unit: 1 MiB. Each file read or write is one trip to libuv's thread pool; a socket delivers
 * 64 KiB at a time, so a push gathers 16 of them into one writev, and a pull reads 1 MiB per trip.
 */
const CHUNK = 1024 * 1024;
/** Buffers a pull reuses: one being read while up to three more are still queued on the socket. */
const PULL_BUFFERS = 4;
/** Bytes of a push that may wait for the disk before the request is paused. */
const WRITE_AHEAD = 4 * CHUNK;

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

  /**
   * Writes the blob (or bytes start..end of it) to `out` and resolves when the last chunk is queued.
   * A read stream piped into a response alternates: read 1 MiB, write it, wait for 'drain', read
   * again, allocating a fresh buffer each time (garbage the collector then spends time on). Here the
   * next read overlaps the socket's sending of the previous chunks, and four buffers go round: a
   * buffer is read into again only once the socket has written it out (its write callback).
   */
  async sendTo(out: Writable, digest: string, range?: { start: number; end: number }): Promise<void> {
    const fh = await open(this.pathOf(digest), 'r');
    try {
      let pos = range?.start ?? 0;
      const end = range ? range.end + 1 : (await fh.stat()).size;
      const free: Buffer[] = [];
      let made = 0;
      let wake: (() => void) | undefined;
      let closed = false;
      const onClose = () => {
        closed = true;
        wake?.();
      };
      out.once('close', onClose);
      try {
        while (pos < end) {
          while (free.length === 0 && made >= PULL_BUFFERS && !closed) await new Promise<void>((r) => (wake = r));
          if (closed || out.destroyed) return;
          const buf = free.pop() ?? (made++, Buffer.allocUnsafeSlow(CHUNK));
          const { bytesRead } = await fh.read(buf, 0, Math.min(CHUNK, end - pos), pos);
          if (bytesRead === 0) throw new Error(`blob ${digest} is shorter than its size`);
          pos += bytesRead;
          out.write(bytesRead === CHUNK ? buf : buf.subarray(0, bytesRead), () => {
            free.push(buf);
            const w = wake;
            wake = undefined;
            w?.();
          });
        }
      } finally {
        out.removeListener('close', onClose);
      }
    } finally {
      await fh.close();
    }
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

  /**
   * Appends a stream to an upload at its end; returns the new size. Refuses more than `limit` bytes
   * in all. Socket chunks (64 KiB) are hashed as they arrive and gathered into 1 MiB writev calls,
   * written in order while the next MiB is read: the request is paused only when the disk is more
   * than WRITE_AHEAD behind, so at most about 5 MiB of an upload is in memory.
   */
  async append(id: string, body: Readable, limit = Number.POSITIVE_INFINITY): Promise<number> {
    const path = this.uploadPath(id);
    const fh = await open(path, 'a');
    try {
      const start = (await fh.stat()).size;
      let seen = start;
      let state = this.running.get(id);
      if (start === 0) state = { hash: createHash('sha256'), size: 0 };
      const hashing = state && state.size === start ? state : undefined;
      this.running.delete(id);
      let pending: Buffer[] = [];
      let pendingBytes = 0;
      let writing: Promise<void> = Promise.resolve();
      let queued = 0;
      const flush = async () => {
        const batch = pending;
        const bytes = pendingBytes;
        pending = [];
        pendingBytes = 0;
        // Writes run one after another (the file is opened to append); the request is paused only
        // when more than WRITE_AHEAD bytes wait for the disk.
        queued += bytes;
        writing = writing.then(() => writeAll(fh, batch, bytes)).finally(() => (queued -= bytes));
        // Observed at the next flush or below; until then it must not count as unhandled.
        writing.catch(() => {});
        if (queued > WRITE_AHEAD) await writing;
      };
      try {
        for await (const chunk of body) {
          const b = chunk as Buffer;
          seen += b.length;
          if (seen > limit) throw new UploadTooLarge(`upload over ${limit} bytes`);
          hashing?.hash.update(b);
          pending.push(b);
          pendingBytes += b.length;
          if (pendingBytes >= CHUNK) await flush();
        }
        if (pendingBytes > 0) await flush();
      } catch (e) {
        // A request cut midway keeps every byte it delivered, as a restart does: the client's retry
        // resumes from the upload's size (GET of the upload). An oversized one is refused whole.
        if (e instanceof UploadTooLarge) throw e;
        if (pendingBytes > 0) await flush();
        await writing;
        if (hashing) this.running.set(id, { hash: hashing.hash, size: seen });
        throw e;
      } finally {
        await writing;
      }
      if (hashing) this.running.set(id, { hash: hashing.hash, size: seen });
      return seen;
    } finally {
      await fh.close();
    }
  }

  /** Appends bytes already in memory (UploadLayerPart's part). */
  async appendBuffer(id: string, data: Buffer): Promise<number> {
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

/** Writes every byte of `buffers` at the file's end (writev may write less than asked). */
async function writeAll(fh: FileHandle, buffers: Buffer[], bytes: number): Promise<void> {
  let { bytesWritten } = await fh.writev(buffers);
  if (bytesWritten === bytes) return;
  const rest = Buffer.concat(buffers, bytes).subarray(bytesWritten);
  for (let off = 0; off < rest.length; off += bytesWritten) ({ bytesWritten } = await fh.write(rest, off));
}

export async function hashFile(path: string, algorithm: string): Promise<string> {
  const h = createHash(algorithm);
  await pipeline(createReadStream(path, { highWaterMark: CHUNK }), async (src: AsyncIterable<Buffer>) => {
    for await (const chunk of src) h.update(chunk);
  });
  return `${algorithm}:${h.digest('hex')}`;
}

export function digestOf(data: Buffer, algorithm = 'sha256'): string {
  return `${algorithm}:${createHash(algorithm).update(data).digest('hex')}`;
}
