// A registry upload has no wall-clock cap, only an idle limit (docs/ecr.md "Uploads and the request
// timeout"): with --request-timeout-ms 1500, a blob trickling in over several times that long is
// stored, an upload that stops sending is cut after that long without a byte (and can be resumed),
// and any other request (a manifest PUT) still gets the whole-request 408.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import * as E from '@aws-sdk/client-ecr';
import { basicAuth, digest, oci } from '../support/oci.js';
import { waitFor } from '../support/ecs.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

const TIMEOUT_MS = 1500;
let server: TestServer;
let ecr: E.ECRClient;
let auth: string;

before(async () => {
  server = await startTestServer({ requestTimeoutMs: TIMEOUT_MS });
  ecr = new E.ECRClient(sdkConfig(server));
  auth = await basicAuth(ecr);
  await ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'slow' }));
});
after(async () => {
  ecr.destroy();
  await server.destroy();
});

/** Sends `parts` as a chunked body, waiting `gapMs` before each, then `end` or stalls; resolves with the status or the error. */
function trickle(method: string, path: string, headers: Record<string, string>, parts: Buffer[], gapMs: number, end = true): Promise<{ status?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method, path, headers: { host: `localhost:${server.port}`, ...headers, 'transfer-encoding': 'chunked' } },
      (res) => {
        res.resume();
        res.on('end', () => resolve({ status: res.statusCode }));
      },
    );
    req.on('error', (e) => resolve({ error: (e as NodeJS.ErrnoException).code ?? e.message }));
    let i = 0;
    const next = () => {
      if (i < parts.length) {
        req.write(parts[i++]);
        setTimeout(next, gapMs);
      } else if (end) req.end();
    };
    setTimeout(next, gapMs);
  });
}

async function startUpload(): Promise<string> {
  const started = await oci(server.port, { method: 'POST', path: '/v2/slow/blobs/uploads/', auth });
  assert.equal(started.status, 202);
  return String(started.headers.location);
}

test('a monolithic upload sent slowly for longer than the request timeout is stored', async () => {
  const parts = Array.from({ length: 12 }, (_, i) => Buffer.alloc(1000, i));
  const d = digest(Buffer.concat(parts));
  // 12 parts 300 ms apart: about 3.6 s in all, more than twice the 1.5 s request timeout, never idle for it.
  const r = await trickle('POST', `/v2/slow/blobs/uploads/?digest=${d}`, { authorization: auth, 'content-type': 'application/octet-stream' }, parts, 300);
  assert.equal(r.status, 201, r.error);
  const head = await oci(server.port, { method: 'HEAD', path: `/v2/slow/blobs/${d}`, auth });
  assert.equal(head.status, 200);
  assert.equal(head.headers['content-length'], '12000');
});

test('an upload that stops sending is cut after the idle limit; its bytes stay and the push resumes', async () => {
  const location = await startUpload();
  const first = Buffer.alloc(4096, 7);
  const cut = await trickle('PATCH', location, { authorization: auth, 'content-type': 'application/octet-stream' }, [first], 50, false);
  assert.ok(cut.error, `the stalled upload was answered ${cut.status}`);
  // The server keeps what arrived once it has noticed the cut (a moment after the client sees it).
  const status = await waitFor('the cut upload to show its bytes', async () => {
    const s = await oci(server.port, { path: location, auth });
    return s.headers.range === '0-4095' ? s : undefined;
  });
  assert.equal(status.status, 204);
  const rest = Buffer.alloc(1000, 8);
  const d = digest(Buffer.concat([first, rest]));
  const done = await oci(server.port, { method: 'PUT', path: `${location}?digest=${d}`, auth, body: rest, headers: { 'content-type': 'application/octet-stream' } });
  assert.equal(done.status, 201);
});

test('other requests keep the whole-request timeout: a manifest sent slowly gets 408', async () => {
  const parts = Array.from({ length: 12 }, () => Buffer.from(' '));
  const r = await trickle('PUT', '/v2/slow/manifests/v1', { authorization: auth, 'content-type': 'application/vnd.oci.image.manifest.v1+json' }, parts, 300);
  assert.equal(r.status, 408, r.error);
});
