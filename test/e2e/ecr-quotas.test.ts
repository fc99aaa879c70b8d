// ECR's size quotas on uploads, enforced while the bytes stream (docs/ecr.md "Size quotas"): a body
// declared larger than the maximum layer size (52,000 MiB) is refused before a byte of it is read, a
// chunked body is refused once it passes the limit and its upload is deleted (the limit lowered here
// with WAYFINDER_ECR_MAX_LAYER_BYTES, so no test writes 50 GB), and UploadLayerPart keeps parts to
// 10 MiB. Nothing already stored is touched.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { connect } from 'node:net';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { request } from 'node:http';
import * as E from '@aws-sdk/client-ecr';
import { errorOf } from '../support/errors.js';
import { basicAuth, digest, oci, pushBlob } from '../support/oci.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

const MAX_LAYER = 52_000 * 1024 * 1024;

let server: TestServer;
let ecr: E.ECRClient;
let auth: string;

before(async () => {
  server = await startTestServer();
  ecr = new E.ECRClient(sdkConfig(server));
  auth = await basicAuth(ecr);
  await ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'quotas' }));
});
after(async () => {
  ecr.destroy();
  await server.destroy();
});

/** Sends only a request head (the body it declares never comes) and reads the answer. */
function headOnly(head: string): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(server.port, '127.0.0.1');
    let got = '';
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer before the body; got ${JSON.stringify(got)}`));
    }, 10_000);
    socket.on('data', (d: Buffer) => {
      got += d.toString('latin1');
      const end = got.indexOf('\r\n\r\n');
      const length = /content-length: (\d+)/i.exec(got);
      if (end >= 0 && length && got.length >= end + 4 + Number(length[1])) {
        clearTimeout(timer);
        socket.destroy();
        resolve({ status: Number(got.slice(9, 12)), text: got.slice(end + 4) });
      }
    });
    socket.on('error', reject);
    socket.write(head);
  });
}

/** Sends `total` random bytes as a chunked body (no Content-Length), 64 KiB a chunk, and resolves with the answer. */
function sendChunked(method: string, path: string, contentType: string, total: number): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port: server.port,
        method,
        path,
        headers: { host: `localhost:${server.port}`, authorization: auth, 'content-type': contentType, 'transfer-encoding': 'chunked' },
      },
      (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.on('error', reject);
    let sent = 0;
    const chunk = randomBytes(64 * 1024);
    const more = () => {
      while (sent < total) {
        sent += chunk.length;
        if (!req.write(chunk)) return void req.once('drain', more);
      }
      req.end();
    };
    more();
  });
}

function uploadsOnDisk(): string[] {
  return readdirSync(join(server.dataDir, 'ecr', 'uploads'));
}

test('a body declared over the maximum layer size is refused before it is read: 413 SIZE_INVALID, nothing stored', async () => {
  const kept = randomBytes(2000);
  await pushBlob(server.port, auth, 'quotas', kept);
  const before = uploadsOnDisk().length;
  const host = `localhost:${server.port}`;
  const basic = `Authorization: ${auth}\r\nHost: ${host}\r\n`;

  // Monolithic: POST ?digest= with the whole blob.
  const mono = await headOnly(
    `POST /v2/quotas/blobs/uploads/?digest=${digest('x')} HTTP/1.1\r\n${basic}Content-Type: application/octet-stream\r\nContent-Length: ${MAX_LAYER + 1}\r\n\r\n`,
  );
  assert.equal(mono.status, 413);
  const error = JSON.parse(mono.text).errors[0];
  assert.equal(error.code, 'SIZE_INVALID');
  assert.match(error.message, /maximum layer size of 52000 MiB/);
  assert.equal(uploadsOnDisk().length, before, 'no upload was created');

  // Chunked: a PATCH whose Content-Length, or whose Content-Range end, passes the limit.
  const start = await oci(server.port, { method: 'POST', path: '/v2/quotas/blobs/uploads/', auth });
  const location = String(start.headers.location);
  const patch = await headOnly(`PATCH ${location} HTTP/1.1\r\n${basic}Content-Type: application/octet-stream\r\nContent-Length: ${MAX_LAYER + 1}\r\n\r\n`);
  assert.equal(patch.status, 413);
  assert.equal(JSON.parse(patch.text).errors[0].code, 'SIZE_INVALID');
  const ranged = await oci(server.port, {
    method: 'PATCH',
    path: location,
    auth,
    body: 'x',
    headers: { 'content-range': `0-${MAX_LAYER}`, 'content-type': 'application/octet-stream' },
  });
  assert.equal(ranged.status, 413);
  assert.equal(ranged.code, 'SIZE_INVALID');
  // The upload is untouched (nothing was read) and still usable; the stored blob is intact.
  const status = await oci(server.port, { path: location, auth });
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-0');
  const data = randomBytes(5000);
  assert.equal((await oci(server.port, { method: 'PATCH', path: location, auth, body: data })).status, 202);
  assert.equal((await oci(server.port, { method: 'PUT', path: `${location}?digest=${digest(data)}`, auth })).status, 201);
  assert.deepEqual((await oci(server.port, { path: `/v2/quotas/blobs/${digest(kept)}`, auth })).body, kept);
});

test('a chunked body is counted as it streams: past the limit it gets 413 and its upload is deleted, file and all', async () => {
  process.env.WAYFINDER_ECR_MAX_LAYER_BYTES = String(1024 * 1024);
  try {
    const start = await oci(server.port, { method: 'POST', path: '/v2/quotas/blobs/uploads/', auth });
    const location = String(start.headers.location);
    const before = uploadsOnDisk().length;
    // No Content-Length: 64 KiB chunks until the server answers (bounded at 4 MiB).
    const answer = await sendChunked('PATCH', location, 'application/octet-stream', 4 * 1024 * 1024);
    assert.equal(answer.status, 413);
    const error = JSON.parse(answer.body).errors[0];
    assert.equal(error.code, 'SIZE_INVALID');
    assert.match(error.message, /maximum layer size of 1 MiB/);
    assert.equal((await oci(server.port, { path: location, auth })).code, 'BLOB_UPLOAD_UNKNOWN');
    assert.equal(uploadsOnDisk().length, before - 1, 'the upload file is gone');
    // A blob within the limit still goes in.
    const fits = randomBytes(512 * 1024);
    await pushBlob(server.port, auth, 'quotas', fits);
  } finally {
    delete process.env.WAYFINDER_ECR_MAX_LAYER_BYTES;
  }
});

test('a chunked manifest past 4 MiB gets 413 MANIFEST_INVALID, not a dropped connection', async () => {
  // Bounded at 8 MiB: the server must answer once the first 4 MiB have passed.
  const answer = await sendChunked('PUT', '/v2/quotas/manifests/huge', 'application/vnd.oci.image.manifest.v1+json', 8 * 1024 * 1024);
  assert.equal(answer.status, 413);
  assert.equal(JSON.parse(answer.body).errors[0].code, 'MANIFEST_INVALID');
  assert.equal((await oci(server.port, { path: '/v2/quotas/manifests/huge', auth })).code, 'MANIFEST_UNKNOWN');
});

test('a monolithic POST with a malformed digest is DIGEST_INVALID and leaves no upload behind', async () => {
  const before = uploadsOnDisk().length;
  const bad = await oci(server.port, { method: 'POST', path: '/v2/quotas/blobs/uploads/?digest=sha256:nothex', auth, body: Buffer.from('layer') });
  assert.equal(bad.status, 400);
  assert.equal(bad.code, 'DIGEST_INVALID');
  assert.equal(uploadsOnDisk().length, before);
});

test('UploadLayerPart: a part over 10 MiB is InvalidLayerPartException; a layer over the maximum is LimitExceededException', async () => {
  const { uploadId, partSize } = await ecr.send(new E.InitiateLayerUploadCommand({ repositoryName: 'quotas' }));
  assert.equal(partSize, 10 * 1024 * 1024);
  const big = Buffer.alloc(10 * 1024 * 1024 + 1);
  const tooBig = await errorOf(ecr.send(new E.UploadLayerPartCommand({ repositoryName: 'quotas', uploadId, partFirstByte: 0, partLastByte: big.length - 1, layerPartBlob: big })));
  assert.equal(tooBig.name, 'InvalidLayerPartException');
  assert.equal(tooBig.fields.lastValidByteReceived, -1);

  process.env.WAYFINDER_ECR_MAX_LAYER_BYTES = String(1024 * 1024);
  try {
    const part = randomBytes(700 * 1024);
    await ecr.send(new E.UploadLayerPartCommand({ repositoryName: 'quotas', uploadId, partFirstByte: 0, partLastByte: part.length - 1, layerPartBlob: part }));
    const over = await errorOf(
      ecr.send(new E.UploadLayerPartCommand({ repositoryName: 'quotas', uploadId, partFirstByte: part.length, partLastByte: 2 * part.length - 1, layerPartBlob: part })),
    );
    assert.equal(over.name, 'LimitExceededException');
    assert.match(over.message, /exceeded a service limit/);
    // The first part stays: the layer completes with what was accepted.
    const done = await ecr.send(new E.CompleteLayerUploadCommand({ repositoryName: 'quotas', uploadId, layerDigests: [digest(part)] }));
    assert.equal(done.layerDigest, digest(part));
  } finally {
    delete process.env.WAYFINDER_ECR_MAX_LAYER_BYTES;
  }
});
