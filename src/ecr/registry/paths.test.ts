// Which requests are the registry's, and how its paths are read: API Gateway's /v2/ paths and signed
// calls stay the control plane's; traversal and escapes are refused before any lookup.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isRegistryRequest, parseRegistryPath } from './paths.js';
import { OciError } from './oci-errors.js';

const served = { kind: 'served' as const, hostName: 'localhost' };
const head = (url: string, auth?: string) => ({ url, method: 'GET', rawHeaders: auth ? ['Authorization', auth] : [] });

test('registry-shaped /v2/ paths on a served host are the registry; API Gateway paths and signed calls are not', () => {
  assert.equal(isRegistryRequest(head('/v2/'), served), true);
  assert.equal(isRegistryRequest(head('/v2/_catalog?n=1'), served), true);
  assert.equal(isRegistryRequest(head('/v2/team/app/manifests/latest'), served), true);
  assert.equal(isRegistryRequest(head('/v2/app/blobs/uploads/'), served), true);
  assert.equal(isRegistryRequest(head('/v2/apis'), served), false);
  assert.equal(isRegistryRequest(head('/v2/apis/abc123defg/routes'), served), false);
  assert.equal(isRegistryRequest(head('/v2/tags/arn%3Aaws%3Aapigateway'), served), false);
  assert.equal(isRegistryRequest(head('/v2/', 'AWS4-HMAC-SHA256 Credential=…'), served), false);
  assert.equal(isRegistryRequest(head('/anything'), { kind: 'served', hostName: '000000000000.dkr.ecr.us-east-1.localhost' }), true);
  assert.equal(isRegistryRequest(head('/v2/'), { kind: 'foreign', hostName: 'evil.example' }), false);
});

test('paths name repositories, references, digests and uploads', () => {
  const d = `sha256:${'a'.repeat(64)}`;
  assert.deepEqual(parseRegistryPath('/v2/team/app/manifests/v1.2'), { kind: 'manifest', name: 'team/app', reference: 'v1.2' });
  assert.deepEqual(parseRegistryPath(`/v2/app/blobs/${d}`), { kind: 'blob', name: 'app', digest: d });
  assert.deepEqual(parseRegistryPath('/v2/app/blobs/uploads/?digest=x'), { kind: 'uploads', name: 'app' });
  assert.deepEqual(parseRegistryPath('/v2/app/blobs/uploads/0b8f6c1e-2a4b-4c3d-9e8f-123456789abc'), { kind: 'upload', name: 'app', id: '0b8f6c1e-2a4b-4c3d-9e8f-123456789abc' });
  assert.deepEqual(parseRegistryPath('/v2/app/tags/list?n=2'), { kind: 'tags', name: 'app' });
  assert.deepEqual(parseRegistryPath(`/v2/app/referrers/${d}`), { kind: 'referrers', name: 'app', digest: d });
});

test('traversal, escapes and bad references are refused', () => {
  for (const p of [
    '/v2/../x/manifests/a',
    '/v2/a/%2e%2e/manifests/a',
    '/v2/a/manifests/..',
    '/v2/a//b/manifests/a',
    '/v2/a\\b/manifests/a',
    '/v2/UPPER/manifests/a',
    '/v2/a/blobs/sha256:zz',
    '/v2/a/blobs/uploads/../../x',
  ]) {
    assert.throws(() => parseRegistryPath(p), OciError, p);
  }
});
