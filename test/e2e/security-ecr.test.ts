// The ECR registry on the edge port follows the control plane's Host and Origin rules (SECURITY.md):
// a web page's request (a foreign Origin, Sec-Fetch-Site: cross-site, a foreign Referer) is refused
// with 403 DENIED before its password is looked at or its body read, on `localhost:<port>` and on the
// registry's own host; a loopback page and clients without an Origin (docker, skopeo) are served.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as E from '@aws-sdk/client-ecr';
import { basicAuth, oci } from '../support/oci.js';
import { sdkConfig, sdkConfigAs, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let ecr: E.ECRClient;
let auth: string;

before(async () => {
  server = await startTestServer();
  ecr = new E.ECRClient(sdkConfig(server));
  await ecr.send(new E.CreateRepositoryCommand({ repositoryName: 'app' }));
  auth = await basicAuth(ecr);
});
after(async () => {
  ecr.destroy();
  await server.destroy();
});

describe('the registry and web pages', () => {
  const pageHeaders: Array<Record<string, string>> = [
    { origin: 'http://evil.example' },
    { 'sec-fetch-site': 'cross-site' },
    { referer: 'http://evil.example/page.html' },
    { origin: 'http://abcde12345.execute-api.localhost:4566' },
  ];

  it('refuses a foreign page, with a password or without, on localhost and on the registry host', async () => {
    for (const host of [`localhost:${server.port}`, `000000000000.dkr.ecr.us-east-1.localhost:${server.port}`]) {
      for (const headers of pageHeaders) {
        for (const [method, path] of [
          ['GET', '/v2/_catalog'],
          ['POST', '/v2/app/blobs/uploads/'],
          ['PUT', '/v2/app/manifests/latest'],
        ] as const) {
          const r = await oci(server.port, { method, path, auth, headers, host, body: method === 'PUT' ? '{}' : undefined });
          assert.equal(r.status, 403, `${method} ${path} on ${host} with ${JSON.stringify(headers)}`);
          assert.equal(r.code, 'DENIED');
        }
      }
    }
    const catalog = await oci(server.port, { path: '/v2/_catalog', auth });
    assert.deepEqual(catalog.json(), { repositories: ['app'] }, 'no upload was started, nothing changed');
  });

  it("refuses a foreign page's CORS preflight, so the browser never sends the request", async () => {
    const r = await oci(server.port, {
      method: 'OPTIONS',
      path: '/v2/app/manifests/latest',
      headers: { origin: 'http://evil.example', 'access-control-request-method': 'PUT' },
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers['access-control-allow-origin'], undefined);
  });

  it('serves clients without an Origin and loopback pages', async () => {
    for (const headers of [{}, { origin: 'http://localhost:3000' }] as Array<Record<string, string>>) {
      const r = await oci(server.port, { path: '/v2/_catalog', auth, headers });
      assert.equal(r.status, 200, JSON.stringify(headers));
      assert.deepEqual(r.json(), { repositories: ['app'] });
    }
  });
});

describe("another account's registry (registryId)", () => {
  it('is refused with AccessDeniedException on every call, and nothing of it changes', async () => {
    const victim = new E.ECRClient(sdkConfigAs(server, '111111111111', 'x'));
    const attacker = new E.ECRClient(sdkConfigAs(server, '222222222222', 'x'));
    await victim.send(new E.CreateRepositoryCommand({ repositoryName: 'secret', tags: [{ Key: 'team', Value: 'a' }] }));
    const registryId = '111111111111';
    const repositoryName = 'secret';
    const calls = [
      new E.DescribeRepositoriesCommand({ registryId }),
      new E.DescribeRepositoriesCommand({ registryId, repositoryNames: [repositoryName] }),
      new E.ListImagesCommand({ registryId, repositoryName }),
      new E.DescribeImagesCommand({ registryId, repositoryName }),
      new E.BatchGetImageCommand({ registryId, repositoryName, imageIds: [{ imageTag: 'latest' }] }),
      new E.PutImageCommand({ registryId, repositoryName, imageManifest: '{}', imageTag: 'x' }),
      new E.SetRepositoryPolicyCommand({ registryId, repositoryName, policyText: '{"Version":"2012-10-17","Statement":[]}' }),
      new E.InitiateLayerUploadCommand({ registryId, repositoryName }),
      new E.DeleteRepositoryCommand({ registryId, repositoryName, force: true }),
      // The tag calls name the repository by ARN, whose account is the victim's.
      new E.TagResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${registryId}:repository/${repositoryName}`, tags: [{ Key: 'owned', Value: 'yes' }] }),
      new E.UntagResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${registryId}:repository/${repositoryName}`, tagKeys: ['team'] }),
      new E.ListTagsForResourceCommand({ resourceArn: `arn:aws:ecr:us-east-1:${registryId}:repository/${repositoryName}` }),
    ];
    for (const call of calls) {
      const e = (await attacker.send(call as E.ListImagesCommand).catch((x: Error) => x)) as Error;
      assert.equal(e.name, 'AccessDeniedException', `${call.constructor.name}: ${e.message}`);
    }
    const still = await victim.send(new E.DescribeRepositoriesCommand({}));
    assert.deepEqual(
      still.repositories?.map((r) => r.repositoryName),
      ['secret'],
    );
    const tags = await victim.send(new E.ListTagsForResourceCommand({ resourceArn: still.repositories![0]!.repositoryArn }));
    assert.deepEqual(tags.tags, [{ Key: 'team', Value: 'a' }]);
    const own = await victim.send(new E.DescribeRepositoriesCommand({ registryId }));
    assert.equal(own.repositories?.length, 1, 'an account names its own registry');
    victim.destroy();
    attacker.destroy();
  });
});
