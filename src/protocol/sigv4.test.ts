import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseQuery } from './query-string.js';
import { AuthFailure, SigV4Verifier } from './sigv4.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const verifier = new SigV4Verifier([{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }], () => NOW);

async function sign(opts: { secret?: string; key?: string; path?: string; body?: string; date?: number; service?: string; query?: Record<string, string> }) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: opts.key ?? 'test', secretAccessKey: opts.secret ?? 'test' },
    region: 'eu-west-2',
    service: opts.service ?? 'ecs',
    sha256: Sha256,
  });
  const req = await signer.sign(
    {
      method: 'POST',
      protocol: 'http:',
      hostname: 'localhost',
      port: 4566,
      path: opts.path ?? '/',
      query: opts.query ?? {},
      headers: { host: 'localhost:4566', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
      body: opts.body ?? '{}',
    },
    { signingDate: new Date(opts.date ?? NOW) },
  );
  const qs = Object.entries(opts.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  return { method: 'POST', rawPath: opts.path ?? '/', query: parseQuery(qs), headers: req.headers as Record<string, string>, body: Buffer.from(opts.body ?? '{}') };
}

async function failure(p: Promise<unknown>): Promise<AuthFailure> {
  try {
    await p;
  } catch (e) {
    if (e instanceof AuthFailure) return e;
    throw e;
  }
  assert.fail('expected an AuthFailure');
}

test('a request signed by the SDK signer verifies and yields the scope', async () => {
  const id = await verifier.verify(await sign({}));
  assert.deepEqual(id, { accessKeyId: 'test', accountId: '000000000000', region: 'eu-west-2', service: 'ecs' });
});

test('encoded path labels are verified the way SDKs double-encode them', async () => {
  const id = await verifier.verify(await sign({ path: '/v2/apis/abc/stages/%24default', service: 'apigateway', query: { tagKeys: 'a b' } }));
  assert.equal(id?.service, 'apigateway');
});

test('wrong secret, unknown key, tampered body and stale date are refused with their kind', async () => {
  assert.equal((await failure(verifier.verify(await sign({ secret: 'nope' })))).kind, 'bad-signature');
  assert.equal((await failure(verifier.verify(await sign({ key: 'AKIAOTHER' })))).kind, 'unknown-key');
  const tampered = await sign({ body: '{"a":1}' });
  tampered.body = Buffer.from('{"a":2}');
  assert.equal((await failure(verifier.verify(tampered))).kind, 'bad-signature');
  assert.equal((await failure(verifier.verify(await sign({ date: NOW - 16 * 60_000 })))).kind, 'expired');
  assert.ok(await verifier.verify(await sign({ date: NOW - 14 * 60_000 })), '14 minutes of skew is accepted');
});

test('a header that was signed cannot be changed', async () => {
  const req = await sign({});
  req.headers['x-amz-target'] = 'AmazonEC2ContainerServiceV20141113.DeleteCluster';
  assert.equal((await failure(verifier.verify(req))).kind, 'bad-signature');
});

test('malformed Authorization headers are incomplete signatures; no signature at all is undefined', async () => {
  const base = { method: 'POST', rawPath: '/', query: new Map(), body: Buffer.alloc(0) };
  assert.equal(
    (await failure(verifier.verify({ ...base, headers: { authorization: 'AWS4-HMAC-SHA256 Credential=test/2026', 'x-amz-date': '20261126T120000Z' } }))).kind,
    'incomplete',
  );
  assert.equal((await failure(verifier.verify({ ...base, headers: { authorization: 'Bearer abc' } }))).kind, 'incomplete');
  assert.equal(await verifier.verify({ ...base, headers: {} }), undefined);
});

test('presigned query-string requests verify, and expire', async () => {
  const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ec2', sha256: Sha256 });
  const presigned = await signer.presign(
    {
      method: 'GET',
      protocol: 'http:',
      hostname: 'localhost',
      port: 4566,
      path: '/',
      query: { Action: 'DescribeVpcs', Version: '2016-11-15' },
      headers: { host: 'localhost:4566' },
    },
    { signingDate: new Date(NOW), expiresIn: 300 },
  );
  const qs = Object.entries(presigned.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
    .join('&');
  const req = { method: 'GET', rawPath: '/', query: parseQuery(qs), headers: { host: 'localhost:4566' }, body: Buffer.alloc(0) };
  assert.equal((await verifier.verify(req))?.service, 'ec2');
  const later = new SigV4Verifier([{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }], () => NOW + 301_000);
  assert.equal((await failure(later.verify(req))).kind, 'expired');
});
