// Reads a request body up to a limit. A declared Content-Length over the limit is refused before a
// byte is read; a chunked body is counted as it streams and refused the moment it passes the limit.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ServerExchange } from '../http1/exchange.js';

export class BodyTooLargeError extends Error {
  constructor(readonly limit: number) {
    super(`Request body exceeds the limit of ${limit} bytes.`);
  }
}

export function readBody(req: IncomingMessage, limit: number): Promise<Buffer> {
  const declared = req.headers['content-length'];
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    const finish = (err?: Error) => {
      if (done) return;
      done = true;
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      if (err) reject(err);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        req.pause();
        finish(new BodyTooLargeError(limit));
        return;
      }
      chunks.push(chunk);
    };
    const onEnd = () => finish();
    const onError = (e: Error) => finish(e);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
  });
}

/**
 * readBody for a handler that answers an oversized body itself: the answer it sends next closes the
 * connection. The unread rest is not skipped to keep the connection (node:http would read it all,
 * unbounded); the edge port closes lingering (src/http1/lingering-close.ts), dropping what the client
 * still sends within bounds, so the client reads that answer instead of a RST.
 */
export async function readBodyOrClose(req: IncomingMessage, res: ServerResponse, limit: number): Promise<Buffer> {
  try {
    return await readBody(req, limit);
  } catch (e) {
    res.shouldKeepAlive = false;
    throw e;
  }
}

/**
 * readBody on the edge's lean front (a ServerExchange). The front hands body bytes as views of its
 * shared read buffer, reused by the next read: each chunk is copied before it is kept.
 */
export function readExchangeBody(x: ServerExchange, declared: string | undefined, limit: number): Promise<Buffer> {
  if (declared !== undefined && Number(declared) > limit) return Promise.reject(new BodyTooLargeError(limit));
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    x.readBody({
      data(chunk) {
        if (done) return true;
        size += chunk.length;
        if (size > limit) {
          done = true;
          reject(new BodyTooLargeError(limit));
          return false; // stop the flow: the answer closes the connection
        }
        chunks.push(Buffer.from(chunk));
        return true;
      },
      end() {
        if (done) return;
        done = true;
        resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size));
      },
      error(err) {
        if (done) return;
        done = true;
        reject(err);
      },
    });
  });
}
