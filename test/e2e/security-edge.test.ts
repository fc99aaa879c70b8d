// Attacks on the edge port, each as a browser or a crafted client would send it (SECURITY.md): DNS
// rebinding, cross-site requests, internal endpoints on an API's host, the public key on a public
// bind, custom domains that would capture AWS calls, and protocol edges. Each test checks the
// refusal and that nothing changed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import * as EC2 from '@aws-sdk/client-ec2';
import * as G from '@aws-sdk/client-apigatewayv2';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/protocol/node-sha256.js';
import { resolveConfig } from '../../src/server/config.js';
import { rawRequest, sdkConfig, signedRequest, startTestServer, type TestServer } from '../support/server.js';
import { invoke, send, startBackend, type Backend } from '../support/gateway.js';
import { RawClient } from '../support/raw-http.js';

const JSON_TARGET = (op: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${op}` });

async function clusterNames(server: TestServer): Promise<string[]> {
  const ecs = new ECS.ECSClient(sdkConfig(server));
  const arns = (await ecs.send(new ECS.ListClustersCommand({}))).clusterArns ?? [];
  return arns.map((a) => a.split('/').pop()!).sort();
}

let server: TestServer;
let backend: Backend;
before(async () => {
  server = await startTestServer({ hostnames: ['wayfinder.test'], corsOrigins: ['https://app.example.com'] });
  backend = await startBackend('api-backend');
});
after(async () => {
  await backend.close();
  await server.destroy();
});

describe('DNS rebinding: a foreign Host never reaches the control plane', () => {
  test('signed RegisterTaskDefinition, CreateCluster and RunTask for Host rebind.attacker.test are 403 and create nothing', async () => {
    const host = `rebind.attacker.test:${server.port}`;
    const calls: [string, unknown][] = [
      ['RegisterTaskDefinition', { family: 'pwn', containerDefinitions: [{ name: 'c', image: 'busybox', command: ['sh', '-c', 'touch /tmp/pwned'] }] }],
      ['CreateCluster', { clusterName: 'pwn' }],
      ['RunTask', { cluster: 'pwn', taskDefinition: 'pwn' }],
    ];
    for (const [op, input] of calls) {
      const r = await signedRequest(server, { service: 'ecs', headers: { host, ...JSON_TARGET(op) }, body: JSON.stringify(input) });
      assert.equal(r.status, 403, `${op}: ${r.text}`);
      assert.equal(JSON.parse(r.text).__type, 'AccessDeniedException');
      assert.match(JSON.parse(r.text).message, /--hostname rebind\.attacker\.test/);
    }
    assert.deepEqual(await clusterNames(server), []);
    const ecs = new ECS.ECSClient(sdkConfig(server));
    assert.deepEqual((await ecs.send(new ECS.ListTaskDefinitionFamiliesCommand({}))).families, []);
  });

  test('internal endpoints and the path form are refused on a foreign Host too', async () => {
    await new ECS.ECSClient(sdkConfig(server)).send(new ECS.CreateClusterCommand({ clusterName: 'keep-rebind' }));
    const reset = await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset', headers: { host: 'rebind.attacker.test' } });
    assert.equal(reset.status, 403);
    const health = await rawRequest(server, { method: 'GET', path: '/_wayfinder/health', headers: { host: 'rebind.attacker.test' } });
    assert.equal(health.status, 403);
    const pathForm = await send(server.port, { host: 'rebind.attacker.test', path: '/_aws/execute-api/abcdefghij/$default/' });
    assert.equal(pathForm.status, 403);
    assert.ok((await clusterNames(server)).includes('keep-rebind'), 'nothing wiped');
  });

  test('served names answer: localhost, *.localhost, loopback addresses, data- prefixed names and --hostname names', async () => {
    for (const host of [
      'localhost',
      'app.localhost',
      '127.0.0.1',
      '127.1.2.3',
      '[::1]',
      '[::ffff:7f00:1]',
      'data-localhost',
      'wayfinder.test',
      'WAYFINDER.test',
      'host.docker.internal',
    ]) {
      const r = await rawRequest(server, { method: 'GET', path: '/_wayfinder/health', headers: { host: `${host}:${server.port}` } });
      assert.equal(r.status, 200, host);
    }
  });
});

describe('cross-site requests: a foreign Origin is refused with no effect', () => {
  test('POST /_wayfinder/reset with Origin http://evil.example and text/plain is 403 and wipes nothing', async () => {
    await new ECS.ECSClient(sdkConfig(server)).send(new ECS.CreateClusterCommand({ clusterName: 'keep-origin' }));
    for (const path of ['/_wayfinder/reset', '/moto-api/reset']) {
      const r = await rawRequest(server, { method: 'POST', path, headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: 'x' });
      assert.equal(r.status, 403, path);
      assert.equal(r.headers.get('access-control-allow-origin'), null);
    }
    const nullOrigin = await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset', headers: { origin: 'null' } });
    assert.equal(nullOrigin.status, 403, 'a sandboxed frame or file: page');
    assert.ok((await clusterNames(server)).includes('keep-origin'));
  });

  test('a presigned POST /v2/apis sent as text/plain from a foreign Origin creates no API', async () => {
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'apigateway', sha256: NodeSha256 });
    const body = JSON.stringify({ name: 'evil', protocolType: 'HTTP' });
    const presigned = await signer.presign(
      { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: server.port, path: '/v2/apis', query: {}, headers: { host: `127.0.0.1:${server.port}` }, body },
      { expiresIn: 300 },
    );
    const qs = new URLSearchParams(presigned.query as Record<string, string>).toString();
    const r = await rawRequest(server, {
      method: 'POST',
      path: `/v2/apis?${qs}`,
      headers: { host: `127.0.0.1:${server.port}`, origin: 'https://evil.example', 'content-type': 'text/plain' },
      body,
    });
    assert.equal(r.status, 403);
    assert.equal(r.headers.get('x-amzn-errortype'), 'AccessDeniedException');
    const gw = new G.ApiGatewayV2Client(sdkConfig(server));
    assert.equal(
      (await gw.send(new G.GetApisCommand({}))).Items?.some((a) => a.Name === 'evil'),
      false,
    );
  });

  test('with --auth off, an HTML form posting Action=CreateVpc is refused (EC2 XML) and no VPC appears', async () => {
    const open = await startTestServer({ auth: 'off' });
    try {
      const ec2 = new EC2.EC2Client(sdkConfig(open));
      const before = (await ec2.send(new EC2.DescribeVpcsCommand({}))).Vpcs!.length;
      const r = await rawRequest(open, {
        method: 'POST',
        path: '/',
        headers: { origin: 'http://evil.example', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=CreateVpc&CidrBlock=10.9.0.0%2F16&Version=2016-11-15',
      });
      assert.equal(r.status, 403);
      assert.match(r.text, /<Code>UnauthorizedOperation<\/Code>/);
      assert.equal((await ec2.send(new EC2.DescribeVpcsCommand({}))).Vpcs!.length, before);
      // The same form from a loopback page works: --auth off is for local tools.
      const local = await rawRequest(open, {
        method: 'POST',
        path: '/',
        headers: { origin: 'http://localhost:3000', 'content-type': 'application/x-www-form-urlencoded' },
        body: 'Action=CreateVpc&CidrBlock=10.9.0.0%2F16&Version=2016-11-15',
      });
      assert.equal(local.status, 200);
      assert.equal((await ec2.send(new EC2.DescribeVpcsCommand({}))).Vpcs!.length, before + 1);
    } finally {
      await open.destroy();
    }
  });

  test('local web apps keep working: loopback and --cors-origins pages get CORS answers; requests without Origin are unaffected', async () => {
    for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'https://dev.localhost', 'http://[::1]:8080', 'https://app.example.com']) {
      const pre = await rawRequest(server, {
        method: 'OPTIONS',
        path: '/',
        headers: { origin, 'access-control-request-method': 'POST', 'access-control-request-headers': 'authorization,content-type,x-amz-date,x-amz-target' },
      });
      assert.equal(pre.status, 204, origin);
      assert.equal(pre.headers.get('access-control-allow-origin'), origin);
      assert.match(pre.headers.get('access-control-allow-headers') ?? '', /x-amz-target/);
      const r = await signedRequest(server, { service: 'ecs', headers: { origin, ...JSON_TARGET('ListClusters') }, body: '{}' });
      assert.equal(r.status, 200, origin);
      assert.equal(r.headers.get('access-control-allow-origin'), origin);
      assert.match(r.headers.get('access-control-expose-headers') ?? '', /x-amzn-requestid/);
    }
    const refused = await rawRequest(server, { method: 'OPTIONS', path: '/', headers: { origin: 'https://evil.example', 'access-control-request-method': 'POST' } });
    assert.equal(refused.status, 403);
    assert.equal(refused.headers.get('access-control-allow-origin'), null);
    const cli = await signedRequest(server, { service: 'ecs', headers: JSON_TARGET('ListClusters'), body: '{}' });
    assert.equal(cli.status, 200);
  });
});

describe("an API's host: every path belongs to the API", () => {
  let apiId: string;
  before(async () => {
    const gw = new G.ApiGatewayV2Client(sdkConfig(server));
    apiId = (await gw.send(new G.CreateApiCommand({ Name: 'owner-of-paths', ProtocolType: 'HTTP', Target: backend.url }))).ApiId!;
  });

  test('POST /moto-api/reset and GET /_wayfinder/health on {apiId}.execute-api.localhost go to the API, and wipe nothing', async () => {
    await new ECS.ECSClient(sdkConfig(server)).send(new ECS.CreateClusterCommand({ clusterName: 'keep-apihost' }));
    const seen = backend.received.length;
    const reset = await invoke(server, apiId, { method: 'POST', path: '/moto-api/reset' });
    assert.equal(reset.status, 200);
    assert.equal(reset.json<{ name: string }>().name, 'api-backend');
    const health = await invoke(server, apiId, { path: '/_wayfinder/health' });
    assert.equal(health.json<{ url: string }>().url, '/_wayfinder/health');
    const oidc = await invoke(server, apiId, { method: 'POST', path: '/_wayfinder/oidc/rotate' });
    assert.equal(oidc.json<{ url: string }>().url, '/_wayfinder/oidc/rotate');
    assert.equal(backend.received.length, seen + 3);
    assert.ok((await clusterNames(server)).includes('keep-apihost'));
  });

  test('an execute-api host under a name Wayfinder does not serve is foreign (a rebinding page cannot reach an API)', async () => {
    const seen = backend.received.length;
    const r = await send(server.port, { host: `${apiId}.execute-api.attacker.test:${server.port}`, path: '/' });
    assert.equal(r.status, 403);
    assert.equal(backend.received.length, seen);
    const aws = await send(server.port, { host: `${apiId}.execute-api.us-east-1.amazonaws.com`, path: '/' });
    assert.equal(aws.status, 200, "AWS's own invoke URL form, for users who map it to 127.0.0.1");
  });

  test('the OIDC token and rotate endpoints follow the Host and Origin rules', async () => {
    const jwks = async () => (await rawRequest(server, { method: 'GET', path: '/_wayfinder/oidc/.well-known/jwks.json' })).text;
    const keys = await jwks();
    for (const path of ['/_wayfinder/oidc/token', '/_wayfinder/oidc/rotate']) {
      const foreignOrigin = await rawRequest(server, { method: 'POST', path, headers: { origin: 'http://evil.example', 'content-type': 'text/plain' }, body: '{}' });
      assert.equal(foreignOrigin.status, 403, path);
      assert.doesNotMatch(foreignOrigin.text, /eyJ/, 'no token minted');
      const foreignHost = await rawRequest(server, { method: 'POST', path, headers: { host: 'rebind.attacker.test', 'content-type': 'application/json' }, body: '{}' });
      assert.equal(foreignHost.status, 403, path);
    }
    assert.equal(await jwks(), keys, 'no rotation happened');
  });
});

describe('non-loopback binds: the public key is refused', () => {
  test('--host 0.0.0.0 --credentials K:S serves K:S only (auth strict); test/test gets UnrecognizedClientException', async () => {
    const publicConfig = resolveConfig({ host: '0.0.0.0', credentials: 'AKIDPRIVATE:s3cret-value' }, {});
    assert.deepEqual(
      publicConfig.credentials.map((c) => c.accessKeyId),
      ['AKIDPRIVATE'],
    );
    assert.equal(publicConfig.auth, 'strict', 'beyond loopback, only known keys');
    // The server under test keeps listening on loopback; it gets the credentials and auth mode a public bind gets.
    const pub = await startTestServer({ credentials: publicConfig.credentials, auth: publicConfig.auth });
    try {
      const err = await new ECS.ECSClient(sdkConfig(pub)).send(new ECS.CreateClusterCommand({ clusterName: 'public-key' })).catch((e: Error) => e);
      assert.equal((err as Error).name, 'UnrecognizedClientException');
      const own = new ECS.ECSClient({ ...sdkConfig(pub), credentials: { accessKeyId: 'AKIDPRIVATE', secretAccessKey: 's3cret-value' } });
      assert.deepEqual((await own.send(new ECS.ListClustersCommand({}))).clusterArns, [], 'the refused call created nothing');
    } finally {
      await pub.destroy();
    }
  });

  test('--auth off refuses to start on a non-loopback bind, and so does the built-in key alone', () => {
    assert.throws(() => resolveConfig({ host: '0.0.0.0', auth: 'off', credentials: 'K:S' }, {}), /refusing to listen on 0\.0\.0\.0/);
    assert.throws(() => resolveConfig({ host: '0.0.0.0' }, {}), /refusing to listen on 0\.0\.0\.0/);
  });
});

describe('custom domains cannot capture control-plane traffic', () => {
  test("CreateDomainName refuses every name the control plane answers on, with AWS's BadRequestException", async () => {
    const gw = new G.ApiGatewayV2Client(sdkConfig(server));
    for (const name of ['host.docker.internal', 'api.localhost', 'wayfinder.test', 'abcdefghij.execute-api.localhost', 'localhost', '127.0.0.1', 'data-localhost']) {
      const err = await gw.send(new G.CreateDomainNameCommand({ DomainName: name })).catch((e: Error) => e);
      assert.equal((err as Error).name, 'BadRequestException', name);
    }
    const names = ((await gw.send(new G.GetDomainNamesCommand({}))).Items ?? []).map((d) => d.DomainName);
    assert.deepEqual(names, []);
  });

  test('a domain stored before its name became served never receives an AWS call', async () => {
    const first = await startTestServer();
    const dataDir = first.dataDir;
    const gw = new G.ApiGatewayV2Client(sdkConfig(first));
    const api = (await gw.send(new G.CreateApiCommand({ Name: 'captor', ProtocolType: 'HTTP', Target: backend.url }))).ApiId!;
    await gw.send(new G.CreateDomainNameCommand({ DomainName: 'wayfinder.example.com' }));
    await gw.send(new G.CreateApiMappingCommand({ DomainName: 'wayfinder.example.com', ApiId: api, Stage: '$default' }));
    const viaDomain = await send(first.port, { host: 'wayfinder.example.com', path: '/' });
    assert.equal(viaDomain.json<{ name: string }>().name, 'api-backend');
    await first.close();
    const second = await startTestServer({ hostnames: ['wayfinder.example.com'] }, dataDir);
    try {
      const seen = backend.received.length;
      const r = await signedRequest(second, {
        service: 'ecs',
        headers: { host: `wayfinder.example.com:${second.port}`, ...JSON_TARGET('CreateCluster') },
        body: '{"clusterName":"via-domain"}',
      });
      assert.equal(r.status, 200, r.text);
      assert.equal(backend.received.length, seen, 'the backend saw nothing, not even the Authorization header');
      assert.deepEqual(await clusterNames(second), ['via-domain']);
    } finally {
      await second.destroy();
    }
  });
});

describe('protocol edges', () => {
  test('a presigned URL valid for more than 7 days is a 403 in the protocol shape, not a 500', async () => {
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'apigateway', sha256: NodeSha256 });
    const p = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: '127.0.0.1', port: server.port, path: '/v2/apis', query: {}, headers: { host: `127.0.0.1:${server.port}` } },
      { expiresIn: 300 },
    );
    for (const expires of ['604801', '99999999999', 'abc']) {
      const q = { ...(p.query as Record<string, string>), 'X-Amz-Expires': expires };
      const r = await rawRequest(server, { method: 'GET', path: `/v2/apis?${new URLSearchParams(q)}`, headers: { host: `127.0.0.1:${server.port}` } });
      assert.equal(r.status, 403, expires);
      assert.equal(r.headers.get('x-amzn-errortype'), 'InvalidSignatureException');
    }
  });

  test('a credential scope for another service, or an empty or made-up region, is refused', async () => {
    const wrongService = await signedRequest(server, {
      service: 'ecs',
      method: 'POST',
      path: '/v2/apis',
      headers: { 'content-type': 'application/json' },
      body: '{"name":"scoped-wrong","protocolType":"HTTP"}',
    });
    assert.equal(wrongService.status, 403);
    assert.match(wrongService.text, /scoped to correct service: 'apigateway'/);
    for (const region of ['', 'xx-made-up-1']) {
      const r = await signedRequest(server, { service: 'ecs', region, headers: JSON_TARGET('CreateCluster'), body: '{"clusterName":"bad-region"}' });
      assert.equal(r.status, 400, `region '${region}'`);
      assert.equal(JSON.parse(r.text).__type, 'InvalidSignatureException');
    }
    const gw = new G.ApiGatewayV2Client(sdkConfig(server));
    assert.equal(
      (await gw.send(new G.GetApisCommand({}))).Items?.some((a) => a.Name === 'scoped-wrong'),
      false,
    );
    assert.equal((await clusterNames(server)).includes('bad-region'), false);
  });

  test('duplicate Host, duplicate Authorization and an HTTP/1.1 request without Host are 400, on every route', async () => {
    const heads = [
      'GET /_wayfinder/health HTTP/1.1\r\nHost: localhost\r\nHost: evil.example\r\n\r\n',
      `GET / HTTP/1.1\r\nHost: abcdefghij.execute-api.localhost\r\nHost: localhost\r\n\r\n`,
      'POST / HTTP/1.1\r\nHost: localhost\r\nAuthorization: a\r\nAuthorization: b\r\nContent-Length: 0\r\n\r\n',
      'GET /_aws/execute-api/abcdefghij/$default/ HTTP/1.1\r\n\r\n',
      'GET /_wayfinder/health HTTP/1.1\r\n\r\n',
    ];
    for (const head of heads) {
      const c = new RawClient(server.port);
      try {
        await c.write(head);
        const [r] = await c.waitResponses(1);
        assert.equal(r!.status, 400, JSON.stringify(head));
      } finally {
        c.destroy();
      }
    }
  });

  test('absolute-form targets are routed by their path, and refused when their authority is not the Host', async () => {
    const c = new RawClient(server.port);
    try {
      await c.write(`GET http://localhost:${server.port}/_wayfinder/health HTTP/1.1\r\nHost: localhost:${server.port}\r\n\r\n`);
      const [ok] = await c.waitResponses(1);
      assert.equal(ok!.status, 200);
      assert.match(ok!.text, /"status":"ok"/);
    } finally {
      c.destroy();
    }
    const d = new RawClient(server.port);
    try {
      await d.write(`POST http://evil.example/_wayfinder/reset HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n`);
      const [bad] = await d.waitResponses(1);
      assert.equal(bad!.status, 400);
    } finally {
      d.destroy();
    }
  });
});

describe('review findings: cross-site GETs, HTTP/1.0 targets, unsigned operation names', () => {
  async function presignedEc2(action: string, extra: Record<string, string>): Promise<string> {
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ec2', sha256: NodeSha256 });
    const query = { Action: action, Version: '2016-11-15', ...extra };
    const p = await signer.presign(
      { method: 'GET', protocol: 'http:', hostname: 'localhost', port: server.port, path: '/', query, headers: { host: `localhost:${server.port}` } },
      { expiresIn: 600 },
    );
    return `/?${new URLSearchParams(p.query as Record<string, string>)}`;
  }

  test('a presigned GET from an <img> or a link on a foreign page (no Origin) changes nothing', async () => {
    const ec2 = new EC2.EC2Client(sdkConfig(server));
    const before = (await ec2.send(new EC2.DescribeVpcsCommand({}))).Vpcs!.length;
    const path = await presignedEc2('CreateVpc', { CidrBlock: '10.66.0.0/16' });
    const host = `localhost:${server.port}`;
    const img = await rawRequest(server, { method: 'GET', path, headers: { host, 'sec-fetch-site': 'cross-site', 'sec-fetch-mode': 'no-cors', referer: 'https://evil.example/' } });
    assert.equal(img.status, 403);
    assert.match(img.text, /<Code>UnauthorizedOperation<\/Code>/);
    const oldBrowser = await rawRequest(server, { method: 'GET', path, headers: { host, referer: 'https://evil.example/page' } });
    assert.equal(oldBrowser.status, 403, 'a browser without Sec-Fetch-Site is judged by its Referer');
    assert.equal((await ec2.send(new EC2.DescribeVpcsCommand({}))).Vpcs!.length, before);
    const typed = await rawRequest(server, { method: 'GET', path, headers: { host, 'sec-fetch-site': 'none' } });
    assert.equal(typed.status, 200, 'a URL the user typed, or a tool without Sec-Fetch headers, still works');
  });

  test("an API's own pages are not loopback pages: their scripts cannot drive the control plane", async () => {
    const r = await signedRequest(server, {
      service: 'ecs',
      headers: { origin: `http://abcdefghij.execute-api.localhost:${server.port}`, ...JSON_TARGET('CreateCluster') },
      body: '{"clusterName":"from-api-page"}',
    });
    assert.equal(r.status, 403);
    assert.equal((await clusterNames(server)).includes('from-api-page'), false);
  });

  test('an HTTP/1.0 absolute-form request without Host is judged by the host its target names', async () => {
    await new ECS.ECSClient(sdkConfig(server)).send(new ECS.CreateClusterCommand({ clusterName: 'keep-http10' }));
    const c = new RawClient(server.port);
    try {
      await c.write('POST http://evil.example/_wayfinder/reset HTTP/1.0\r\nContent-Length: 0\r\n\r\n');
      const [r] = await c.waitResponses(1);
      assert.equal(r!.status, 403);
    } finally {
      c.destroy();
    }
    assert.ok((await clusterNames(server)).includes('keep-http10'));
  });

  test('a refused internal request closes its connection instead of reading an endless body', async () => {
    const c = new RawClient(server.port);
    try {
      await c.write('POST /_wayfinder/reset HTTP/1.1\r\nHost: localhost\r\nOrigin: http://evil.example\r\nContent-Length: 100000000000\r\n\r\n');
      const [r] = await c.waitResponses(1);
      assert.equal(r!.status, 403);
      assert.equal(r!.header('connection'), 'close');
    } finally {
      c.destroy();
    }
  });

  test('X-Amz-Target must be signed: a presigned JSON call cannot be replayed as another operation', async () => {
    const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service: 'ecs', sha256: NodeSha256 });
    const body = '{"clusterName":"replayed"}';
    const p = await signer.presign(
      { method: 'POST', protocol: 'http:', hostname: '127.0.0.1', port: server.port, path: '/', query: {}, headers: { host: `127.0.0.1:${server.port}` }, body },
      { expiresIn: 300 },
    );
    const r = await rawRequest(server, {
      method: 'POST',
      path: `/?${new URLSearchParams(p.query as Record<string, string>)}`,
      headers: { host: `127.0.0.1:${server.port}`, ...JSON_TARGET('CreateCluster') },
      body,
    });
    assert.equal(r.status, 400);
    assert.equal(JSON.parse(r.text).__type, 'IncompleteSignatureException');
    assert.equal((await clusterNames(server)).includes('replayed'), false);
  });

  test('with --auth off, a made-up region in the scope falls back to the default region', async () => {
    const open = await startTestServer({ auth: 'off' });
    try {
      const r = await signedRequest(open, { service: 'ecs', region: 'a"b<script>', headers: JSON_TARGET('CreateCluster'), body: '{"clusterName":"odd-region"}' });
      assert.equal(r.status, 200, r.text);
      assert.match(JSON.parse(r.text).cluster.clusterArn, /^arn:aws:ecs:us-east-1:/);
    } finally {
      await open.destroy();
    }
  });
});
