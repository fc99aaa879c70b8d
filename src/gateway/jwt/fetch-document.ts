// One bounded GET of an issuer's JSON document (discovery document or JWKS). An issuer is outside
// the operator's control: a JWKS streamed without end once made the gateway buffer gigabytes, and a
// timeout that covered only the response headers did not stop it. Here both limits hold while the
// body streams: the read stops as soon as it passes `maxBytes`, and one deadline covers DNS, connect,
// headers and body. Redirects are not followed (a 3xx is a failure, like any non-2xx answer).
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';

export class DocumentFetchError extends Error {}

export interface DocumentLimits {
  maxBytes: number;
  deadlineMs: number;
}

export function fetchDocument(url: string, limits: DocumentLimits): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const u = new URL(url);
    const request = u.protocol === 'https:' ? httpsRequest : httpRequest;
    let settled = false;
    const finish = (err: Error | undefined, body?: Buffer) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(body!);
    };
    const tooLarge = () => new DocumentFetchError(`GET ${url}: document larger than ${limits.maxBytes} bytes`);
    // agent: false, so a hostile issuer's socket is never pooled and reused. The request exists before
    // the deadline timer that may destroy it (request() can throw; a timer must never meet an unset req).
    const req = request(u, { method: 'GET', headers: { accept: 'application/json' }, agent: false });
    const timer = setTimeout(() => finish(new DocumentFetchError(`GET ${url}: no complete answer within ${limits.deadlineMs} ms`)), limits.deadlineMs);
    req.on('error', (e) => finish(new DocumentFetchError(`GET ${url}: ${e.message}`)));
    req.on('response', (res: IncomingMessage) => {
      const status = res.statusCode ?? 0;
      if (status < 200 || status > 299) return finish(new DocumentFetchError(`GET ${url} answered ${status}`));
      const declared = Number(res.headers['content-length'] ?? '0');
      if (declared > limits.maxBytes) return finish(tooLarge());
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > limits.maxBytes) return finish(tooLarge());
        chunks.push(chunk);
      });
      res.on('end', () => finish(undefined, Buffer.concat(chunks, size)));
      res.on('error', (e) => finish(new DocumentFetchError(`GET ${url}: ${e.message}`)));
      res.on('close', () => {
        if (!res.complete) finish(new DocumentFetchError(`GET ${url}: the connection closed before the document ended`));
      });
    });
    req.end();
  });
}
