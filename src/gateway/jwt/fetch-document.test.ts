import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { DocumentFetchError, fetchDocument } from './fetch-document.js';

let server: Server;
let base: string;

before(async () => {
  server = createServer((req, res) => {
    const size = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('size') ?? '0');
    if (req.url?.startsWith('/redirect')) return void res.writeHead(302, { location: '/body?size=2' }).end();
    if (req.url?.startsWith('/missing')) return void res.writeHead(404).end();
    if (req.url?.startsWith('/declared')) return void res.writeHead(200, { 'content-length': String(size) }).end();
    // Chunked (no content-length), so only the streaming count can catch the size.
    res.writeHead(200, { 'content-type': 'application/json' });
    res.write(Buffer.alloc(Math.floor(size / 2), 0x61));
    res.end(Buffer.alloc(size - Math.floor(size / 2), 0x61));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
after(() => {
  server.closeAllConnections();
  server.close();
});

const limits = { maxBytes: 1000, deadlineMs: 5000 };

test('a body of exactly the limit is read whole; one byte more is refused while streaming', async () => {
  assert.equal((await fetchDocument(`${base}/body?size=1000`, limits)).length, 1000);
  await assert.rejects(fetchDocument(`${base}/body?size=1001`, limits), (e: Error) => e instanceof DocumentFetchError && /larger than 1000 bytes/.test(e.message));
});

test('a declared Content-Length over the limit is refused before the body; non-2xx and redirects fail', async () => {
  await assert.rejects(fetchDocument(`${base}/declared?size=5000`, limits), /larger than 1000 bytes/);
  await assert.rejects(fetchDocument(`${base}/missing`, limits), /answered 404/);
  await assert.rejects(fetchDocument(`${base}/redirect`, limits), /answered 302/, 'redirects are not followed');
});

test('an unreachable issuer fails with a DocumentFetchError', async () => {
  const closed = createServer();
  await new Promise<void>((r) => closed.listen(0, '127.0.0.1', r));
  const port = (closed.address() as AddressInfo).port;
  await new Promise<void>((r) => closed.close(() => r()));
  await assert.rejects(fetchDocument(`http://127.0.0.1:${port}/keys`, limits), DocumentFetchError);
});
