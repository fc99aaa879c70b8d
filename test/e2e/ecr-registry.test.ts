// The ECR registry at the OCI Distribution protocol level, with raw HTTP (what docker, podman and
// skopeo send), against a real Wayfinder: auth, monolithic and chunked uploads, mounts, manifests by
// tag and digest, an image index, referrers, immutability, deletes with garbage collection, bad input,
// and the same images seen through the ECR API.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as E from '@aws-sdk/client-ecr';
import * as G from '@aws-sdk/client-apigatewayv2';
import { codeOf, errorOf } from '../support/errors.js';
import { basicAuth, digest, makeImage, oci, pushBlob, pushImage } from '../support/oci.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ecr: E.ECRClient;
let auth: string;

before(async () => {
  server = await startTestServer();
  ecr = new E.ECRClient(sdkConfig(server));
  auth = await basicAuth(ecr);
});
after(async () => {
  ecr.destroy();
  await server.destroy();
});

function blobFiles(dataDir: string): string[] {
  const root = join(dataDir, 'ecr', 'blobs');
  const out: string[] = [];
  const walk = (dir: string) => {
    if (!existsSync(dir)) return;
    for (const n of readdirSync(dir)) {
      const p = join(dir, n);
      if (statSync(p).isDirectory()) walk(p);
      else out.push(p);
    }
  };
  walk(root);
  return out;
}

async function repo(name: string, extra: Partial<E.CreateRepositoryRequest> = {}): Promise<E.Repository> {
  return (await ecr.send(new E.CreateRepositoryCommand({ repositoryName: name, ...extra }))).repository!;
}

test('auth: no credentials or a wrong password get 401 with a Basic challenge; the ECR token is accepted', async () => {
  const none = await oci(server.port, { path: '/v2/' });
  assert.equal(none.status, 401);
  assert.match(String(none.headers['www-authenticate']), /^Basic realm="localhost:\d+"$/);
  assert.equal(none.code, 'UNAUTHORIZED');
  const wrong = await oci(server.port, { path: '/v2/', auth: `Basic ${Buffer.from('AWS:not-a-token').toString('base64')}` });
  assert.equal(wrong.status, 401);
  const forged = Buffer.from(
    Buffer.from(auth.slice(6), 'base64')
      .toString()
      .replace(/.$/, (c) => (c === 'A' ? 'B' : 'A')),
  ).toString('base64');
  assert.equal((await oci(server.port, { path: '/v2/', auth: `Basic ${forged}` })).status, 401);
  const ok = await oci(server.port, { path: '/v2/', auth });
  assert.equal(ok.status, 200);
  assert.equal(ok.headers['docker-distribution-api-version'], 'registry/2.0');
  // The AWS-style host names the same registry; its account must be the token's.
  const host = await oci(server.port, { path: '/v2/', auth, host: `000000000000.dkr.ecr.us-east-1.localhost:${server.port}` });
  assert.equal(host.status, 200);
  const other = await oci(server.port, { path: '/v2/', auth, host: `111111111111.dkr.ecr.us-east-1.localhost:${server.port}` });
  assert.equal(other.status, 403);
  assert.equal(other.code, 'DENIED');
});

test('API Gateway keeps its /v2/ paths on the same host', async () => {
  const gw = new G.ApiGatewayV2Client(sdkConfig(server));
  const api = await gw.send(new G.CreateApiCommand({ Name: 'beside-the-registry', ProtocolType: 'HTTP' }));
  const got = await gw.send(new G.GetApisCommand({}));
  assert.ok(got.Items!.some((a) => a.ApiId === api.ApiId));
  gw.destroy();
});

test('monolithic push, pull by tag and digest, ranges, and the ECR API sees the image', async () => {
  const r = await repo('mono/app');
  assert.equal(r.repositoryUri, `localhost:${server.port}/mono/app`);
  const img = makeImage(4096);
  const put = await pushImage(server.port, auth, 'mono/app', img, 'v1');
  assert.equal(put.status, 201, put.body.toString());
  assert.equal(put.headers['docker-content-digest'], img.digest);

  const byTag = await oci(server.port, { path: '/v2/mono/app/manifests/v1', auth });
  assert.equal(byTag.status, 200);
  assert.equal(byTag.headers['content-type'], img.mediaType);
  assert.deepEqual(byTag.body, img.manifest);
  const byDigest = await oci(server.port, { method: 'HEAD', path: `/v2/mono/app/manifests/${img.digest}`, auth });
  assert.equal(byDigest.status, 200);
  assert.equal(byDigest.headers['content-length'], String(img.manifest.length));

  const layer = img.layers[0]!;
  const whole = await oci(server.port, { path: `/v2/mono/app/blobs/${digest(layer)}`, auth });
  assert.deepEqual(whole.body, layer);
  const part = await oci(server.port, { path: `/v2/mono/app/blobs/${digest(layer)}`, auth, headers: { range: 'bytes=100-199' } });
  assert.equal(part.status, 206);
  assert.equal(part.headers['content-range'], `bytes 100-199/${layer.length}`);
  assert.deepEqual(part.body, layer.subarray(100, 200));
  assert.equal((await oci(server.port, { path: `/v2/mono/app/blobs/${digest(layer)}`, auth, headers: { range: 'bytes=99999-' } })).status, 416);

  const described = await ecr.send(new E.DescribeImagesCommand({ repositoryName: 'mono/app' }));
  const d = described.imageDetails![0]!;
  assert.equal(d.imageDigest, img.digest);
  assert.deepEqual(d.imageTags, ['v1']);
  assert.equal(d.imageSizeInBytes, layer.length + img.config.length);
  assert.equal(d.imageManifestMediaType, img.mediaType);
  assert.equal(d.artifactMediaType, 'application/vnd.oci.image.config.v1+json');
  assert.ok(d.imagePushedAt instanceof Date);
  const got = await ecr.send(new E.BatchGetImageCommand({ repositoryName: 'mono/app', imageIds: [{ imageTag: 'v1' }] }));
  assert.equal(got.images![0]!.imageManifest, img.manifest.toString());

  // Pushing the same manifest again is a no-op success (docker re-push).
  assert.equal((await pushImage(server.port, auth, 'mono/app', img, 'v1')).status, 201);
});

test('chunked upload with Content-Range, a wrong range gets 416, status and cancel', async () => {
  await repo('chunked');
  const data = randomBytes(300_000);
  const start = await oci(server.port, { method: 'POST', path: '/v2/chunked/blobs/uploads/', auth });
  assert.equal(start.status, 202);
  const location = String(start.headers.location);
  assert.match(location, /^\/v2\/chunked\/blobs\/uploads\/[0-9a-f-]{36}$/);
  const first = await oci(server.port, {
    method: 'PATCH',
    path: location,
    auth,
    body: data.subarray(0, 100_000),
    headers: { 'content-range': '0-99999', 'content-type': 'application/octet-stream' },
  });
  assert.equal(first.status, 202);
  assert.equal(first.headers.range, '0-99999');
  const gap = await oci(server.port, { method: 'PATCH', path: location, auth, body: data.subarray(150_000, 200_000), headers: { 'content-range': '150000-199999' } });
  assert.equal(gap.status, 416);
  const status = await oci(server.port, { path: location, auth });
  assert.equal(status.status, 204);
  assert.equal(status.headers.range, '0-99999');
  const second = await oci(server.port, { method: 'PATCH', path: location, auth, body: data.subarray(100_000, 250_000), headers: { 'content-range': '100000-249999' } });
  assert.equal(second.status, 202);
  const done = await oci(server.port, { method: 'PUT', path: `${location}?digest=${digest(data)}`, auth, body: data.subarray(250_000) });
  assert.equal(done.status, 201, done.body.toString());
  assert.equal(done.headers['docker-content-digest'], digest(data));
  const head = await oci(server.port, { method: 'HEAD', path: `/v2/chunked/blobs/${digest(data)}`, auth });
  assert.equal(head.headers['content-length'], String(data.length));

  const cancelled = await oci(server.port, { method: 'POST', path: '/v2/chunked/blobs/uploads/', auth });
  const loc2 = String(cancelled.headers.location);
  assert.equal((await oci(server.port, { method: 'DELETE', path: loc2, auth })).status, 204);
  const gone = await oci(server.port, { path: loc2, auth });
  assert.equal(gone.status, 404);
  assert.equal(gone.code, 'BLOB_UPLOAD_UNKNOWN');
});

test('bad input: wrong digest, unknown blob and manifest, missing blobs, oversized manifest, unknown repository', async () => {
  await repo('bad');
  const data = randomBytes(1000);
  const wrong = await oci(server.port, { method: 'POST', path: `/v2/bad/blobs/uploads/?digest=${digest('something else')}`, auth, body: data });
  assert.equal(wrong.status, 400);
  assert.equal(wrong.code, 'DIGEST_INVALID');
  assert.equal(blobFiles(server.dataDir).filter((f) => f.endsWith(digest(data).slice(7))).length, 0);

  const unknownBlob = await oci(server.port, { path: `/v2/bad/blobs/${digest('nope')}`, auth });
  assert.equal(unknownBlob.status, 404);
  assert.equal(unknownBlob.code, 'BLOB_UNKNOWN');
  const unknownManifest = await oci(server.port, { path: '/v2/bad/manifests/nope', auth });
  assert.equal(unknownManifest.status, 404);
  assert.equal(unknownManifest.code, 'MANIFEST_UNKNOWN');

  const img = makeImage();
  const missing = await oci(server.port, { method: 'PUT', path: '/v2/bad/manifests/v1', auth, body: img.manifest, headers: { 'content-type': img.mediaType } });
  assert.equal(missing.status, 400);
  assert.equal(missing.code, 'MANIFEST_BLOB_UNKNOWN');
  const notJson = await oci(server.port, { method: 'PUT', path: '/v2/bad/manifests/v1', auth, body: '{not json', headers: { 'content-type': img.mediaType } });
  assert.equal(notJson.code, 'MANIFEST_INVALID');
  const huge = Buffer.alloc(4 * 1024 * 1024 + 1, 0x20);
  const tooBig = await oci(server.port, { method: 'PUT', path: '/v2/bad/manifests/v1', auth, body: huge, headers: { 'content-type': img.mediaType } });
  assert.equal(tooBig.status, 413);
  assert.equal(tooBig.code, 'MANIFEST_INVALID');

  const noRepo = await oci(server.port, { path: '/v2/never-made/manifests/latest', auth });
  assert.equal(noRepo.status, 404);
  assert.equal(noRepo.code, 'NAME_UNKNOWN');
  // A digest that does not match the manifest pushed under it.
  await pushBlob(server.port, auth, 'bad', img.config);
  await pushBlob(server.port, auth, 'bad', img.layers[0]!);
  const mismatch = await oci(server.port, { method: 'PUT', path: `/v2/bad/manifests/${digest('x')}`, auth, body: img.manifest, headers: { 'content-type': img.mediaType } });
  assert.equal(mismatch.code, 'DIGEST_INVALID');
  assert.equal((await ecr.send(new E.DescribeImagesCommand({ repositoryName: 'bad' }))).imageDetails!.length, 0);
});

test('path traversal in a name or reference is a 400 and touches nothing', async () => {
  await repo('safe');
  const img = makeImage();
  assert.equal((await pushImage(server.port, auth, 'safe', img, 'v1')).status, 201);
  const before = blobFiles(server.dataDir).length;
  for (const path of [
    '/v2/../../../etc/passwd/manifests/latest',
    '/v2/safe/../other/manifests/latest',
    '/v2/safe/%2e%2e/manifests/latest',
    '/v2/safe/manifests/..%2f..%2fetc',
    '/v2/safe/blobs/sha256:..%2f..%2f',
    '/v2/safe/blobs/uploads/..%2f..%2fwayfinder.db',
  ]) {
    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await oci(server.port, { method, path, auth, body: method === 'PUT' ? img.manifest : undefined });
      assert.equal(r.status, 400, `${method} ${path}: ${r.status} ${r.body.toString()}`);
      assert.ok(['NAME_INVALID', 'MANIFEST_INVALID', 'DIGEST_INVALID'].includes(r.code), r.code);
    }
  }
  assert.equal(blobFiles(server.dataDir).length, before);
  assert.equal((await oci(server.port, { path: '/v2/safe/manifests/v1', auth })).status, 200);
});

test('cross-repository mount: 201 from a repository that has the blob, an upload session otherwise', async () => {
  await repo('mount/src');
  await repo('mount/dst');
  const data = randomBytes(5000);
  const d = await pushBlob(server.port, auth, 'mount/src', data);
  const filesBefore = blobFiles(server.dataDir).length;
  const mounted = await oci(server.port, { method: 'POST', path: `/v2/mount/dst/blobs/uploads/?mount=${d}&from=mount/src`, auth });
  assert.equal(mounted.status, 201);
  assert.equal(mounted.headers['docker-content-digest'], d);
  assert.equal(blobFiles(server.dataDir).length, filesBefore, 'a mount stores no second copy');
  assert.deepEqual((await oci(server.port, { path: `/v2/mount/dst/blobs/${d}`, auth })).body, data);
  const notThere = await oci(server.port, { method: 'POST', path: `/v2/mount/dst/blobs/uploads/?mount=${digest('absent')}&from=mount/src`, auth });
  assert.equal(notThere.status, 202);
  // A blob of another repository is not served without a mount.
  await repo('mount/other');
  assert.equal((await oci(server.port, { path: `/v2/mount/other/blobs/${d}`, auth })).code, 'BLOB_UNKNOWN');
});

test('an image index over two manifests; a referenced child cannot be deleted; referrers are listed', async () => {
  await repo('multi');
  const amd = makeImage();
  const arm = makeImage();
  assert.equal((await pushImage(server.port, auth, 'multi', amd, amd.digest)).status, 201);
  assert.equal((await pushImage(server.port, auth, 'multi', arm, arm.digest)).status, 201);
  const index = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType: 'application/vnd.oci.image.index.v1+json',
      manifests: [
        { mediaType: amd.mediaType, digest: amd.digest, size: amd.manifest.length, platform: { architecture: 'amd64', os: 'linux' } },
        { mediaType: arm.mediaType, digest: arm.digest, size: arm.manifest.length, platform: { architecture: 'arm64', os: 'linux' } },
      ],
    }),
  );
  const put = await oci(server.port, {
    method: 'PUT',
    path: '/v2/multi/manifests/latest',
    auth,
    body: index,
    headers: { 'content-type': 'application/vnd.oci.image.index.v1+json' },
  });
  assert.equal(put.status, 201, put.body.toString());
  const got = await oci(server.port, { path: '/v2/multi/manifests/latest', auth });
  assert.equal(got.headers['content-type'], 'application/vnd.oci.image.index.v1+json');
  assert.equal(got.headers['docker-content-digest'], digest(index));

  const del = await ecr.send(new E.BatchDeleteImageCommand({ repositoryName: 'multi', imageIds: [{ imageDigest: amd.digest }] }));
  assert.equal(del.failures![0]!.failureCode, 'ImageReferencedByManifestList');

  // An artifact whose subject is the amd64 image.
  const sig = makeImage(100, { artifactType: 'application/vnd.example.signature', subject: { mediaType: amd.mediaType, digest: amd.digest, size: amd.manifest.length } });
  const pushed = await pushImage(server.port, auth, 'multi', sig, sig.digest);
  assert.equal(pushed.headers['oci-subject'], amd.digest);
  const refs = await oci(server.port, { path: `/v2/multi/referrers/${amd.digest}`, auth });
  assert.equal(refs.status, 200);
  const list = refs.json<{ manifests: Array<{ digest: string; artifactType: string }> }>();
  assert.deepEqual(
    list.manifests.map((m) => [m.digest, m.artifactType]),
    [[sig.digest, 'application/vnd.example.signature']],
  );
  const filtered = await oci(server.port, { path: `/v2/multi/referrers/${amd.digest}?artifactType=other`, auth });
  assert.equal(filtered.headers['oci-filters-applied'], 'artifactType');
  assert.equal(filtered.json<{ manifests: unknown[] }>().manifests.length, 0);
});

test('tag immutability: a moved tag is TAG_INVALID on the registry and ImageTagAlreadyExistsException on the API', async () => {
  await repo('frozen', { imageTagMutability: 'IMMUTABLE' });
  const a = makeImage();
  const b = makeImage();
  assert.equal((await pushImage(server.port, auth, 'frozen', a, 'v1')).status, 201);
  assert.equal((await pushImage(server.port, auth, 'frozen', a, 'v1')).status, 201, 'the same image under the same tag is fine');
  const moved = await pushImage(server.port, auth, 'frozen', b, 'v1');
  assert.equal(moved.status, 400);
  assert.equal(moved.code, 'TAG_INVALID');
  const api = await errorOf(ecr.send(new E.PutImageCommand({ repositoryName: 'frozen', imageManifest: b.manifest.toString(), imageTag: 'v1' })));
  assert.equal(api.name, 'ImageTagAlreadyExistsException');
  assert.equal(api.message, "The image tag 'v1' already exists in the 'frozen' repository and cannot be overwritten because the repository is immutable.");
  const same = await errorOf(ecr.send(new E.PutImageCommand({ repositoryName: 'frozen', imageManifest: a.manifest.toString(), imageTag: 'v1' })));
  assert.equal(same.name, 'ImageAlreadyExistsException');
  assert.equal((await oci(server.port, { path: '/v2/frozen/manifests/v1', auth })).headers['docker-content-digest'], a.digest);
  await ecr.send(new E.PutImageTagMutabilityCommand({ repositoryName: 'frozen', imageTagMutability: 'MUTABLE' }));
  assert.equal((await pushImage(server.port, auth, 'frozen', b, 'v1')).status, 201);
});

test('deletes free disk space: manifest DELETE, BatchDeleteImage, DeleteRepository with and without force', async () => {
  await repo('gc');
  const baseline = blobFiles(server.dataDir).length;
  const a = makeImage(100_000);
  const b = makeImage(100_000);
  await pushImage(server.port, auth, 'gc', a, 'a');
  await pushImage(server.port, auth, 'gc', b, 'b');
  assert.equal(blobFiles(server.dataDir).length, baseline + 4);

  const del = await oci(server.port, { method: 'DELETE', path: `/v2/gc/manifests/${a.digest}`, auth });
  assert.equal(del.status, 202);
  assert.equal(blobFiles(server.dataDir).length, baseline + 2, "a's config and layer are gone");
  assert.equal((await oci(server.port, { path: `/v2/gc/blobs/${digest(a.layers[0]!)}`, auth })).code, 'BLOB_UNKNOWN');
  assert.equal((await oci(server.port, { path: '/v2/gc/manifests/a', auth })).code, 'MANIFEST_UNKNOWN');

  const notEmpty = await errorOf(ecr.send(new E.DeleteRepositoryCommand({ repositoryName: 'gc' })));
  assert.equal(notEmpty.name, 'RepositoryNotEmptyException');
  assert.equal(notEmpty.message, "The repository with name 'gc' in registry with id '000000000000' cannot be deleted because it still contains images");
  await ecr.send(new E.DeleteRepositoryCommand({ repositoryName: 'gc', force: true }));
  assert.equal(blobFiles(server.dataDir).length, baseline);
  assert.equal(await codeOf(ecr.send(new E.DescribeImagesCommand({ repositoryName: 'gc' }))), 'RepositoryNotFoundException');

  // A blob shared by two repositories stays while either needs it.
  await repo('gc/one');
  await repo('gc/two');
  const shared = makeImage(50_000);
  await pushImage(server.port, auth, 'gc/one', shared, 'x');
  await pushImage(server.port, auth, 'gc/two', shared, 'x');
  const withShared = blobFiles(server.dataDir).length;
  await ecr.send(new E.BatchDeleteImageCommand({ repositoryName: 'gc/one', imageIds: [{ imageTag: 'x' }] }));
  assert.equal(blobFiles(server.dataDir).length, withShared);
  assert.deepEqual((await oci(server.port, { path: `/v2/gc/two/blobs/${digest(shared.layers[0]!)}`, auth })).body, shared.layers[0]);
  await ecr.send(new E.BatchDeleteImageCommand({ repositoryName: 'gc/two', imageIds: [{ imageTag: 'x' }] }));
  assert.equal(blobFiles(server.dataDir).length, withShared - 2);
});

test('tags/list and _catalog paginate with n, last and a Link header', async () => {
  await repo('paged');
  const img = makeImage();
  for (const t of ['a', 'b', 'c', 'd', 'e']) assert.equal((await pushImage(server.port, auth, 'paged', img, t)).status, 201);
  const p1 = await oci(server.port, { path: '/v2/paged/tags/list?n=2', auth });
  assert.deepEqual(p1.json(), { name: 'paged', tags: ['a', 'b'] });
  assert.equal(p1.headers.link, '</v2/paged/tags/list?n=2&last=b>; rel="next"');
  const p3 = await oci(server.port, { path: '/v2/paged/tags/list?n=2&last=d', auth });
  assert.deepEqual(p3.json(), { name: 'paged', tags: ['e'] });
  assert.equal(p3.headers.link, undefined);
  const cat = await oci(server.port, { path: '/v2/_catalog', auth });
  assert.ok(cat.json<{ repositories: string[] }>().repositories.includes('paged'));
});

test('lifecycle policy: imageCountMoreThan expires the oldest images on push', async () => {
  await repo('lifecycle');
  await ecr.send(
    new E.PutLifecyclePolicyCommand({
      repositoryName: 'lifecycle',
      lifecyclePolicyText: JSON.stringify({
        rules: [{ rulePriority: 1, selection: { tagStatus: 'any', countType: 'imageCountMoreThan', countNumber: 2 }, action: { type: 'expire' } }],
      }),
    }),
  );
  const pushed: string[] = [];
  for (const t of ['one', 'two', 'three']) {
    const img = makeImage();
    await pushImage(server.port, auth, 'lifecycle', img, t);
    pushed.push(img.digest);
  }
  const left = await ecr.send(new E.DescribeImagesCommand({ repositoryName: 'lifecycle' }));
  assert.deepEqual(left.imageDetails!.map((d) => d.imageTags![0]).sort(), ['three', 'two']);
  const bad = await errorOf(ecr.send(new E.PutLifecyclePolicyCommand({ repositoryName: 'lifecycle', lifecyclePolicyText: '{"rules":[]}' })));
  assert.equal(bad.name, 'InvalidParameterException');
});

test('lifecycle policy preview: the given or stored policy, evaluated without deleting anything', async () => {
  await repo('preview');
  const none = await errorOf(ecr.send(new E.StartLifecyclePolicyPreviewCommand({ repositoryName: 'preview' })));
  assert.equal(none.name, 'LifecyclePolicyNotFoundException');
  assert.equal(await codeOf(ecr.send(new E.GetLifecyclePolicyPreviewCommand({ repositoryName: 'preview' }))), 'LifecyclePolicyPreviewNotFoundException');
  const pushed: string[] = [];
  for (const t of ['v1', 'v2', 'v3']) {
    const img = makeImage();
    await pushImage(server.port, auth, 'preview', img, t);
    pushed.push(img.digest);
  }
  const keepOne = JSON.stringify({
    rules: [{ rulePriority: 3, selection: { tagStatus: 'tagged', tagPrefixList: ['v'], countType: 'imageCountMoreThan', countNumber: 1 }, action: { type: 'expire' } }],
  });
  const started = await ecr.send(new E.StartLifecyclePolicyPreviewCommand({ repositoryName: 'preview', lifecyclePolicyText: keepOne }));
  assert.equal(started.lifecyclePolicyText, keepOne);
  const preview = await ecr.send(new E.GetLifecyclePolicyPreviewCommand({ repositoryName: 'preview' }));
  assert.equal(preview.status, 'COMPLETE');
  assert.equal(preview.summary?.expiringImageTotalCount, 2);
  assert.deepEqual(preview.previewResults!.map((x) => x.imageTags![0]).sort(), ['v1', 'v2']);
  assert.ok(preview.previewResults!.every((x) => x.action?.type === 'EXPIRE' && x.appliedRulePriority === 3));
  // A preview deletes nothing.
  assert.equal((await ecr.send(new E.DescribeImagesCommand({ repositoryName: 'preview' }))).imageDetails!.length, 3);
  const page = await ecr.send(new E.GetLifecyclePolicyPreviewCommand({ repositoryName: 'preview', maxResults: 1 }));
  assert.equal(page.previewResults!.length, 1);
  const rest = await ecr.send(new E.GetLifecyclePolicyPreviewCommand({ repositoryName: 'preview', maxResults: 1, nextToken: page.nextToken }));
  assert.notEqual(rest.previewResults![0]!.imageDigest, page.previewResults![0]!.imageDigest);
  const bad = await errorOf(ecr.send(new E.StartLifecyclePolicyPreviewCommand({ repositoryName: 'preview', lifecyclePolicyText: '{"rules":[]}' })));
  assert.equal(bad.name, 'InvalidParameterException');
  assert.equal((await ecr.send(new E.DescribeImagesCommand({ repositoryName: 'preview' }))).imageDetails!.length, 3);
});

test('image scans: no scan before StartImageScan; a scan completes with no findings and says why', async () => {
  await repo('scanned');
  const img = makeImage();
  await pushImage(server.port, auth, 'scanned', img, 'v1');
  const before = await errorOf(ecr.send(new E.DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } })));
  assert.equal(before.name, 'ScanNotFoundException');
  assert.equal(await codeOf(ecr.send(new E.StartImageScanCommand({ repositoryName: 'scanned', imageId: { imageTag: 'nope' } }))), 'ImageNotFoundException');
  const started = await ecr.send(new E.StartImageScanCommand({ repositoryName: 'scanned', imageId: { imageTag: 'v1' } }));
  assert.equal(started.imageId?.imageDigest, img.digest);
  assert.equal(started.imageScanStatus?.status, 'COMPLETE');
  const found = await ecr.send(new E.DescribeImageScanFindingsCommand({ repositoryName: 'scanned', imageId: { imageDigest: img.digest } }));
  assert.equal(found.imageScanStatus?.status, 'COMPLETE');
  assert.match(found.imageScanStatus?.description ?? '', /no vulnerability database/);
  assert.deepEqual(found.imageScanFindings?.findings, []);
  assert.ok(found.imageScanFindings?.imageScanCompletedAt instanceof Date);
  // scanOnPush: every image of the repository counts as scanned at push.
  await repo('scan-on-push', { imageScanningConfiguration: { scanOnPush: true } });
  await pushImage(server.port, auth, 'scan-on-push', makeImage(), 'v1');
  const onPush = await ecr.send(new E.DescribeImageScanFindingsCommand({ repositoryName: 'scan-on-push', imageId: { imageTag: 'v1' } }));
  assert.equal(onPush.imageScanStatus?.status, 'COMPLETE');
});

test('a malformed or unknown image id: failure entries in BatchGetImage, AWS exceptions in the single-image calls', async () => {
  await repo('image-ids');
  const img = makeImage();
  await pushImage(server.port, auth, 'image-ids', img, 'v1');
  const other = 'sha256:' + 'a'.repeat(64);
  const ids = [{}, { imageDigest: 'sha256:nothex' }, { imageTag: '-bad' }, { imageTag: 'v1', imageDigest: other }, { imageTag: 'nope' }];
  const got = await ecr.send(new E.BatchGetImageCommand({ repositoryName: 'image-ids', imageIds: ids }));
  assert.deepEqual(
    got.failures!.map((f) => f.failureCode),
    ['MissingDigestAndTag', 'InvalidImageDigest', 'InvalidImageTag', 'ImageTagDoesNotMatchDigest', 'ImageNotFound'],
  );
  const scans = await Promise.all(ids.map((imageId) => codeOf(ecr.send(new E.StartImageScanCommand({ repositoryName: 'image-ids', imageId })))));
  assert.deepEqual(scans, ['InvalidParameterException', 'InvalidParameterException', 'InvalidParameterException', 'ImageNotFoundException', 'ImageNotFoundException']);
  assert.equal(await codeOf(ecr.send(new E.DescribeImagesCommand({ repositoryName: 'image-ids', imageIds: [{ imageTag: 'nope' }] }))), 'ImageNotFoundException');
});

test('the layer push API: initiate, parts, complete, PutImage, download URL; AWS errors on bad parts', async () => {
  await repo('layers');
  const layer = randomBytes(70_000);
  const config = Buffer.from('{"architecture":"amd64","os":"linux"}');
  for (const blob of [layer, config]) {
    const { uploadId } = await ecr.send(new E.InitiateLayerUploadCommand({ repositoryName: 'layers' }));
    await ecr.send(
      new E.UploadLayerPartCommand({
        repositoryName: 'layers',
        uploadId,
        partFirstByte: 0,
        partLastByte: Math.min(29_999, blob.length - 1),
        layerPartBlob: blob.subarray(0, 30_000),
      }),
    );
    if (blob.length > 30_000) {
      const skip = await errorOf(
        ecr.send(new E.UploadLayerPartCommand({ repositoryName: 'layers', uploadId, partFirstByte: 40_000, partLastByte: 49_999, layerPartBlob: blob.subarray(40_000, 50_000) })),
      );
      assert.equal(skip.name, 'InvalidLayerPartException');
      assert.equal(skip.fields.lastValidByteReceived, 29_999);
      await ecr.send(
        new E.UploadLayerPartCommand({ repositoryName: 'layers', uploadId, partFirstByte: 30_000, partLastByte: blob.length - 1, layerPartBlob: blob.subarray(30_000) }),
      );
    }
    const done = await ecr.send(new E.CompleteLayerUploadCommand({ repositoryName: 'layers', uploadId, layerDigests: [digest(blob)] }));
    assert.equal(done.layerDigest, digest(blob));
  }
  const check = await ecr.send(new E.BatchCheckLayerAvailabilityCommand({ repositoryName: 'layers', layerDigests: [digest(layer), digest('absent')] }));
  assert.equal(check.layers![0]!.layerAvailability, 'AVAILABLE');
  assert.equal(check.layers![0]!.layerSize, layer.length);
  assert.equal(check.failures![0]!.failureCode, 'MissingLayerDigest');

  const manifest = JSON.stringify({
    schemaVersion: 2,
    mediaType: 'application/vnd.docker.distribution.manifest.v2+json',
    config: { mediaType: 'application/vnd.docker.container.image.v1+json', digest: digest(config), size: config.length },
    layers: [{ mediaType: 'application/vnd.docker.image.rootfs.diff.tar.gzip', digest: digest(layer), size: layer.length }],
  });
  const put = await ecr.send(new E.PutImageCommand({ repositoryName: 'layers', imageManifest: manifest, imageTag: 'api' }));
  assert.equal(put.image!.imageId!.imageDigest, digest(manifest));
  assert.equal(put.image!.imageManifestMediaType, 'application/vnd.docker.distribution.manifest.v2+json');
  const pulled = await oci(server.port, { path: '/v2/layers/manifests/api', auth });
  assert.equal(pulled.body.toString(), manifest);

  const { downloadUrl } = await ecr.send(new E.GetDownloadUrlForLayerCommand({ repositoryName: 'layers', layerDigest: digest(layer) }));
  const u = new URL(downloadUrl!);
  const fetched = await oci(server.port, { path: u.pathname + u.search });
  assert.deepEqual(fetched.body, layer);

  const missing = JSON.stringify({ ...JSON.parse(manifest), layers: [{ mediaType: 'x', digest: digest('gone'), size: 4 }] });
  const lnf = await errorOf(ecr.send(new E.PutImageCommand({ repositoryName: 'layers', imageManifest: missing, imageTag: 'bad' })));
  assert.equal(lnf.name, 'LayersNotFoundException');
  const up = await errorOf(
    ecr.send(
      new E.UploadLayerPartCommand({
        repositoryName: 'layers',
        uploadId: '00000000-0000-0000-0000-000000000000',
        partFirstByte: 0,
        partLastByte: 0,
        layerPartBlob: Buffer.from('x'),
      }),
    ),
  );
  assert.equal(up.name, 'UploadNotFoundException');
});

test('the ECR API: create, describe with pagination, AWS errors for names and unknowns, tags and policies', async () => {
  const bad = await errorOf(ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'Bad_Name' })));
  assert.equal(bad.name, 'InvalidParameterException');
  const r = await repo('api/one', { tags: [{ Key: 'team', Value: 'core' }], imageScanningConfiguration: { scanOnPush: true }, encryptionConfiguration: { encryptionType: 'KMS' } });
  assert.equal(r.repositoryArn, 'arn:aws:ecr:us-east-1:000000000000:repository/api/one');
  assert.equal(r.imageScanningConfiguration!.scanOnPush, true);
  assert.equal(r.encryptionConfiguration!.encryptionType, 'KMS');
  const dup = await errorOf(ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'api/one' })));
  assert.equal(dup.name, 'RepositoryAlreadyExistsException');
  assert.equal(dup.message, "The repository with name 'api/one' already exists in the registry with id '000000000000'");
  const nf = await errorOf(ecr.send(new E.DescribeRepositoriesCommand({ repositoryNames: ['api/none'] })));
  assert.equal(nf.name, 'RepositoryNotFoundException');
  assert.equal(nf.message, "The repository with name 'api/none' does not exist in the registry with id '000000000000'");
  await repo('api/two');
  const page1 = await ecr.send(new E.DescribeRepositoriesCommand({ maxResults: 1 }));
  assert.equal(page1.repositories!.length, 1);
  assert.ok(page1.nextToken);

  await ecr.send(new E.TagResourceCommand({ resourceArn: r.repositoryArn, tags: [{ Key: 'env', Value: 'dev' }] }));
  await ecr.send(new E.UntagResourceCommand({ resourceArn: r.repositoryArn, tagKeys: ['team'] }));
  assert.deepEqual((await ecr.send(new E.ListTagsForResourceCommand({ resourceArn: r.repositoryArn }))).tags, [{ Key: 'env', Value: 'dev' }]);

  assert.equal(await codeOf(ecr.send(new E.GetRepositoryPolicyCommand({ repositoryName: 'api/one' }))), 'RepositoryPolicyNotFoundException');
  const policy = JSON.stringify({ Version: '2012-10-17', Statement: [{ Sid: 'pull', Effect: 'Allow', Principal: '*', Action: ['ecr:BatchGetImage'] }] });
  await ecr.send(new E.SetRepositoryPolicyCommand({ repositoryName: 'api/one', policyText: policy }));
  assert.equal((await ecr.send(new E.GetRepositoryPolicyCommand({ repositoryName: 'api/one' }))).policyText, policy);
  await ecr.send(new E.DeleteRepositoryPolicyCommand({ repositoryName: 'api/one' }));
  assert.equal(await codeOf(ecr.send(new E.GetLifecyclePolicyCommand({ repositoryName: 'api/one' }))), 'LifecyclePolicyNotFoundException');
  await ecr.send(new E.PutImageScanningConfigurationCommand({ repositoryName: 'api/one', imageScanningConfiguration: { scanOnPush: false } }));
  const again = await ecr.send(new E.DescribeRepositoriesCommand({ repositoryNames: ['api/one'] }));
  assert.equal(again.repositories![0]!.imageScanningConfiguration!.scanOnPush, false);
  assert.equal((await ecr.send(new E.DescribeRegistryCommand({}))).registryId, '000000000000');

  const token = await ecr.send(new E.GetAuthorizationTokenCommand({}));
  const data = token.authorizationData![0]!;
  assert.match(Buffer.from(data.authorizationToken!, 'base64').toString(), /^AWS:/);
  assert.equal(data.proxyEndpoint, `http://localhost:${server.port}`);
  const hours = (data.expiresAt!.getTime() - Date.now()) / 3_600_000;
  assert.ok(hours > 11.9 && hours <= 12);
});
