import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Sha256 } from '@aws-crypto/sha256-js';
import { SignatureV4 } from '@smithy/signature-v4';
import { parseQuery } from './query-string.js';
import { AuthFailure, SigV4Verifier } from './sigv4.js';

const NOW = Date.UTC(2026, 10, 26, 12, 0, 0);
const KNOWN = [{ accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' }];
/** `--auth strict`: known keys only. */
const verifier = new SigV4Verifier({ credentials: KNOWN, unknownKeys: 'refuse', defaultAccountId: '000000000000', now: () => NOW });

async function sign(opts: { secret?: string; key?: string; token?: string; path?: string; body?: string; date?: number; service?: string; query?: Record<string, string> }) {
  const signer = new SignatureV4({
    credentials: { accessKeyId: opts.key ?? 'test', secretAccessKey: opts.secret ?? 'test', sessionToken: opts.token },
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
  const later = new SigV4Verifier({ credentials: KNOWN, unknownKeys: 'refuse', defaultAccountId: '000000000000', now: () => NOW + 301_000 });
  assert.equal((await failure(later.verify(req))).kind, 'expired');
});

/** `--auth on`, with one STS-issued session key (as IamApi.issuedKey hands it out). */
const ISSUED = { accessKeyId: 'ASIAEXAMPLE0000001', secretAccessKey: 'session-secret', sessionToken: 'token-1', accountId: '111111111111', expiresAt: NOW + 3_600_000 };
/** A user's access key IAM created (as IamApi.accessKey hands it out). */
const USER_KEY = { accessKeyId: 'AKIAUSERKEY000000001', secretAccessKey: 'user-secret', accountId: '222222222222' };
const onVerifier = (now = NOW) =>
  new SigV4Verifier({
    credentials: [...KNOWN, { accessKeyId: 'AKIAKNOWN', secretAccessKey: 'known', accountId: '333333333333' }],
    unknownKeys: 'accept',
    defaultAccountId: '444444444444',
    issuedKey: (id) => (id === ISSUED.accessKeyId ? ISSUED : undefined),
    userKey: (id) => (id === USER_KEY.accessKeyId ? USER_KEY : undefined),
    now: () => now,
  });

test('auth on: any key is accepted; a 12-digit key acts in that account, any other in the default account', async () => {
  const v = onVerifier();
  assert.equal((await v.verify(await sign({ key: '111111111111', secret: 'anything' })))?.accountId, '111111111111');
  assert.equal((await v.verify(await sign({ key: 'AKIASOMEONEELSE', secret: 'whatever' })))?.accountId, '444444444444');
  assert.equal((await v.verify(await sign({ key: 'AKIAKNOWN', secret: 'known' })))?.accountId, '333333333333', 'a configured key acts in its account');
  assert.equal((await v.verify(await sign({})))?.accountId, '000000000000');
});

test('auth on: a key whose secret is known is still verified; the rest of SigV4 is checked for every key', async () => {
  const v = onVerifier();
  assert.equal((await failure(v.verify(await sign({ secret: 'wrong' })))).kind, 'bad-signature');
  assert.equal((await failure(v.verify(await sign({ key: 'AKIAKNOWN', secret: 'wrong' })))).kind, 'bad-signature');
  assert.equal((await failure(v.verify(await sign({ key: '111111111111', date: NOW - 16 * 60_000 })))).kind, 'expired');
  const unsignedTarget = await sign({ key: '111111111111' });
  unsignedTarget.headers.authorization = unsignedTarget.headers.authorization!.replace(';x-amz-target', '');
  assert.equal((await failure(v.verify(unsignedTarget))).kind, 'incomplete');
});

test('auth strict refuses a key it does not know', async () => {
  assert.equal((await failure(verifier.verify(await sign({ key: '111111111111' })))).kind, 'unknown-key');
});

test('session keys STS issued: verified with their secret, their token must match, signed, and unexpired', async () => {
  const v = onVerifier();
  const good = await sign({ key: ISSUED.accessKeyId, secret: ISSUED.secretAccessKey, token: ISSUED.sessionToken });
  assert.equal(good.headers['x-amz-security-token'], 'token-1', 'the SDK signer sends the token header');
  assert.deepEqual(await v.verify(good), { accessKeyId: ISSUED.accessKeyId, accountId: '111111111111', region: 'eu-west-2', service: 'ecs' });
  assert.equal((await failure(v.verify(await sign({ key: ISSUED.accessKeyId, secret: ISSUED.secretAccessKey, token: 'token-2' })))).kind, 'bad-token');
  assert.equal((await failure(v.verify(await sign({ key: ISSUED.accessKeyId, secret: ISSUED.secretAccessKey })))).kind, 'bad-token', 'no token at all');
  assert.equal((await failure(v.verify(await sign({ key: ISSUED.accessKeyId, secret: 'guess', token: ISSUED.sessionToken })))).kind, 'bad-signature');
  assert.equal((await failure(onVerifier(ISSUED.expiresAt).verify(good))).kind, 'expired-token');
  const unsignedToken = await sign({ key: ISSUED.accessKeyId, secret: ISSUED.secretAccessKey });
  unsignedToken.headers['x-amz-security-token'] = ISSUED.sessionToken; // added after signing
  assert.equal((await failure(v.verify(unsignedToken))).kind, 'incomplete');
});

test('users’ access keys IAM created: verified with their secret, acting in the account that created them', async () => {
  const v = onVerifier();
  assert.equal((await v.verify(await sign({ key: USER_KEY.accessKeyId, secret: USER_KEY.secretAccessKey })))?.accountId, '222222222222');
  assert.equal((await failure(v.verify(await sign({ key: USER_KEY.accessKeyId, secret: 'guess' })))).kind, 'bad-signature');
});

test('a presigned URL of a session key carries its token in the signed query', async () => {
  const signer = new SignatureV4({
    credentials: { accessKeyId: ISSUED.accessKeyId, secretAccessKey: ISSUED.secretAccessKey, sessionToken: ISSUED.sessionToken },
    region: 'us-east-1',
    service: 'ec2',
    sha256: Sha256,
  });
  const presign = async (query: Record<string, string>) => {
    const p = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: 'localhost', port: 4566, path: '/', query, headers: { host: 'localhost:4566' } },
      { signingDate: new Date(NOW), expiresIn: 300 },
    );
    return p.query as Record<string, string>;
  };
  const asRequest = (q: Record<string, string>) => ({
    method: 'GET',
    rawPath: '/',
    query: parseQuery(
      Object.entries(q)
        .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`)
        .join('&'),
    ),
    headers: { host: 'localhost:4566' },
    body: Buffer.alloc(0),
  });
  const q = await presign({ Action: 'DescribeVpcs', Version: '2016-11-15' });
  assert.equal(q['X-Amz-Security-Token'], ISSUED.sessionToken);
  assert.equal((await onVerifier().verify(asRequest(q)))?.accountId, '111111111111');
  assert.equal((await failure(onVerifier().verify(asRequest({ ...q, 'X-Amz-Security-Token': 'token-2' })))).kind, 'bad-token');
});
