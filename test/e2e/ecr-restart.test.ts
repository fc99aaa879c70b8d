// ECR across restarts and over time: pushed images and registry passwords survive a restart, a push
// interrupted by a restart resumes where it stopped, and an abandoned upload is removed after the
// idle timeout (shortened here with WAYFINDER_ECR_UPLOAD_IDLE_MS) with its file.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import * as E from '@aws-sdk/client-ecr';
import { silentLogger } from '../../src/kernel/log.js';
import { startWayfinder } from '../../src/server/app.js';
import { basicAuth, digest, makeImage, oci, pushImage } from '../support/oci.js';
import { sdkConfig, startTestServer, testConfig } from '../support/server.js';
import { waitFor } from '../support/ecs.js';

test('a restart keeps images, tags and passwords; an interrupted chunked upload resumes', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ecr-restart-'));
  try {
    const first = await startWayfinder(testConfig({}, dir), silentLogger);
    const ecr1 = new E.ECRClient(sdkConfig(first));
    await ecr1.send(new E.CreateRepositoryCommand({ repositoryName: 'kept', imageTagMutability: 'IMMUTABLE' }));
    const auth = await basicAuth(ecr1);
    const img = makeImage(20_000);
    assert.equal((await pushImage(first.port, auth, 'kept', img, 'v1')).status, 201);
    const data = randomBytes(200_000);
    const start = await oci(first.port, { method: 'POST', path: '/v2/kept/blobs/uploads/', auth });
    const location = String(start.headers.location);
    await oci(first.port, { method: 'PATCH', path: location, auth, body: data.subarray(0, 120_000), headers: { 'content-range': '0-119999' } });
    ecr1.destroy();
    await first.close();

    const second = await startWayfinder(testConfig({}, dir), silentLogger);
    try {
      // The password minted before the restart still works, and the image is whole.
      const got = await oci(second.port, { path: '/v2/kept/manifests/v1', auth });
      assert.equal(got.status, 200);
      assert.deepEqual(got.body, img.manifest);
      assert.deepEqual((await oci(second.port, { path: `/v2/kept/blobs/${digest(img.layers[0]!)}`, auth })).body, img.layers[0]);
      const ecr2 = new E.ECRClient(sdkConfig(second));
      const repo = (await ecr2.send(new E.DescribeRepositoriesCommand({ repositoryNames: ['kept'] }))).repositories![0]!;
      assert.equal(repo.imageTagMutability, 'IMMUTABLE');
      assert.equal(repo.repositoryUri, `localhost:${second.port}/kept`);
      assert.deepEqual(
        (await ecr2.send(new E.DescribeImagesCommand({ repositoryName: 'kept' }))).imageDetails!.map((d) => d.imageDigest),
        [img.digest],
      );
      ecr2.destroy();

      // The upload goes on from byte 120000.
      const status = await oci(second.port, { path: location, auth });
      assert.equal(status.headers.range, '0-119999');
      const rest = await oci(second.port, { method: 'PATCH', path: location, auth, body: data.subarray(120_000), headers: { 'content-range': `120000-${data.length - 1}` } });
      assert.equal(rest.status, 202);
      const done = await oci(second.port, { method: 'PUT', path: `${location}?digest=${digest(data)}`, auth });
      assert.equal(done.status, 201);
      assert.deepEqual((await oci(second.port, { path: `/v2/kept/blobs/${digest(data)}`, auth })).body, data);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('an abandoned upload is removed after the idle timeout, file and all', async () => {
  process.env.WAYFINDER_ECR_UPLOAD_IDLE_MS = '300';
  const server = await startTestServer();
  delete process.env.WAYFINDER_ECR_UPLOAD_IDLE_MS;
  const ecr = new E.ECRClient(sdkConfig(server));
  try {
    await ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'abandoned' }));
    const auth = await basicAuth(ecr);
    const start = await oci(server.port, { method: 'POST', path: '/v2/abandoned/blobs/uploads/', auth });
    const location = String(start.headers.location);
    await oci(server.port, { method: 'PATCH', path: location, auth, body: randomBytes(10_000), headers: { 'content-range': '0-9999' } });
    const uploads = join(server.dataDir, 'ecr', 'uploads');
    assert.equal(readdirSync(uploads).length, 1);
    const gone = await waitFor('the abandoned upload to be cleaned', async () => {
      const r = await oci(server.port, { path: location, auth });
      return r.status === 404 ? r : undefined;
    });
    assert.equal(gone.code, 'BLOB_UPLOAD_UNKNOWN');
    assert.equal(readdirSync(uploads).length, 0);
    assert.ok(existsSync(join(server.dataDir, 'ecr', 'blobs')));
  } finally {
    ecr.destroy();
    await server.destroy();
  }
});
