// Attacks on the gateway data plane through the request path and through JWT issuers:
//   - dot segments (`/x/../admin`, `/admin/.`, `%2e%2e`) must not reach a JWT-protected route's
//     backend through the open `$default` route; the integration gets the resolved path;
//   - the built-in issuer keeps previous keys in its JWKS for the rotations docs/gateway.md promises;
//   - a hostile issuer (endless or trickling JWKS) costs a bounded read: 401, never a hang or a 500.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, send, startBackend, type Backend } from '../support/gateway.js';
import { privateNamespace, register, sdClient } from '../support/cloudmap.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let backend: Backend;
let issuer: string;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  backend = await startBackend('backend');
  issuer = `http://127.0.0.1:${server.port}/_wayfinder/oidc`;
});
after(async () => {
  gw.destroy();
  await backend.close();
  await server.destroy();
});

async function mint(claims: Record<string, unknown>): Promise<string> {
  const r = await send(server.port, { host: `127.0.0.1:${server.port}`, method: 'POST', path: '/_wayfinder/oidc/token', headers: { 'content-type': 'application/json' }, body: JSON.stringify(claims) });
  assert.equal(r.status, 200, r.text);
  return r.json<{ access_token: string }>().access_token;
}

async function jwtAuthorizer(apiId: string, jwtIssuer = issuer): Promise<string> {
  const a = await gw.send(
    new G.CreateAuthorizerCommand({ ApiId: apiId, Name: 'jwt', AuthorizerType: 'JWT', IdentitySource: ['$request.header.Authorization'], JwtConfiguration: { Issuer: jwtIssuer, Audience: ['admin-api'] } }),
  );
  return a.AuthorizerId!;
}

/** The backend's requests since `from`, as the paths it would serve (it resolves dot segments itself). */
function servedSince(b: Backend, from: number): string[] {
  return b.received.slice(from).map((r) => new URL(r.url, 'http://backend').pathname);
}

const BYPASSES = ['/x/../admin', '/admin/.', '/x/%2e%2e/admin', '/x/%2E%2E/admin', '/x/.%2e/admin', '/x/y/../../admin', '/../admin', '/admin/%2e'];

describe('dot segments in the path cannot bypass a route authorizer', () => {
  let apiId: string;

  before(async () => {
    apiId = (await gw.send(new G.CreateApiCommand({ Name: 'dot-segments', ProtocolType: 'HTTP' }))).ApiId!;
    const open = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
    const admin = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${backend.url}/admin` }));
    const authorizerId = await jwtAuthorizer(apiId);
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${admin.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: authorizerId }));
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${open.IntegrationId}` }));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: 'prod', AutoDeploy: true }));
    await gw.send(new G.CreateDomainNameCommand({ DomainName: 'api.example.com' }));
    await gw.send(new G.CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: apiId, Stage: 'prod', ApiMappingKey: 'v1' }));
  });

  it('the open $default route still serves other paths (the setup is sound)', async () => {
    const from = backend.received.length;
    const r = await invoke(server, apiId, { path: '/hello' });
    assert.equal(r.status, 200, r.text);
    assert.deepEqual(servedSince(backend, from), ['/hello']);
    assert.equal((await invoke(server, apiId, { path: '/admin' })).status, 401, 'GET /admin itself is protected');
  });

  it('execute-api Host, named stage, path form and custom domain: every bypass path gets 401 and the backend sees nothing', async () => {
    const from = backend.received.length;
    const domainHost = `api.example.com:${server.port}`;
    for (const p of BYPASSES) {
      const attempts: Array<[string, Promise<{ status: number; text: string }>]> = [
        [`Host ${p}`, invoke(server, apiId, { path: p })],
        [`stage /prod${p}`, invoke(server, apiId, { path: `/prod${p}` })],
        [`path form $default ${p}`, send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_aws/execute-api/${apiId}/$default${p}` })],
        [`path form prod ${p}`, send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_aws/execute-api/${apiId}/prod${p}` })],
        [`custom domain /v1${p}`, send(server.port, { host: domainHost, path: `/v1${p}` })],
      ];
      for (const [what, attempt] of attempts) {
        const r = await attempt;
        assert.equal(r.status, 401, `${what}: ${r.text}`);
        assert.equal(r.text, '{"message":"Unauthorized"}', what);
      }
    }
    assert.deepEqual(servedSince(backend, from), [], 'no bypass attempt reached the backend');
  });

  it('a valid token on /x/../admin reaches the admin route, and the backend sees /admin', async () => {
    const token = await mint({ sub: 'ops', aud: 'admin-api' });
    const from = backend.received.length;
    for (const p of ['/x/../admin', '/x/%2e%2e/admin']) {
      const r = await invoke(server, apiId, { path: p, headers: { authorization: `Bearer ${token}` } });
      assert.equal(r.status, 200, r.text);
    }
    assert.deepEqual(backend.received.slice(from).map((r) => r.url), ['/admin', '/admin']);
  });

  it('the $default route forwards the resolved path; other escapes and the query string stay as sent', async () => {
    const from = backend.received.length;
    assert.equal((await invoke(server, apiId, { path: '/a/./b/../c%2Fd/%2e%2e/e%20f?q=%2e%2e' })).status, 200);
    assert.equal((await invoke(server, apiId, { path: '/prod/x/../docs/.' })).status, 200);
    assert.deepEqual(
      backend.received.slice(from).map((r) => r.url),
      ['/a/e%20f?q=%2e%2e', '/docs/'],
    );
  });
});

describe('dot segments through a VPC link to Cloud Map', () => {
  let apiId: string;
  let sd: SD.ServiceDiscoveryClient;
  let task: Backend;

  before(async () => {
    sd = sdClient(server);
    task = await startBackend('task');
    const ec2 = new E.EC2Client(sdkConfig(server));
    const subnetId = (await ec2.send(new E.DescribeSubnetsCommand({}))).Subnets![0]!.SubnetId!;
    ec2.destroy();
    const nsId = await privateNamespace(sd, server, 'dots');
    const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'svc', NamespaceId: nsId, DnsConfig: { DnsRecords: [{ Type: 'SRV', TTL: 10 }] } }));
    await register(sd, Service!.Id!, 'task-1', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(task.port) });
    const linkId = (await gw.send(new G.CreateVpcLinkCommand({ Name: 'dots', SubnetIds: [subnetId] }))).VpcLinkId!;
    apiId = (await gw.send(new G.CreateApiCommand({ Name: 'dots-private', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await gw.send(
      new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', ConnectionType: 'VPC_LINK', ConnectionId: linkId, IntegrationUri: Service!.Arn! }),
    );
    const authorizerId = await jwtAuthorizer(apiId);
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: authorizerId }));
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: '$default', Target: `integrations/${i.IntegrationId}` }));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
  });
  after(async () => {
    sd.destroy();
    await task.close();
  });

  it('bypass paths get 401 with nothing sent to the instance; a valid token sends the resolved path', async () => {
    // A VPC link is PENDING for a moment after creation: wait until the open route is served.
    let ready = 0;
    for (let i = 0; i < 100 && ready !== 200; i++) {
      ready = (await invoke(server, apiId, { path: '/ready' })).status;
      if (ready !== 200) await new Promise((r) => setTimeout(r, 50));
    }
    assert.equal(ready, 200, 'the private integration serves the open route');
    const from = task.received.length;
    for (const p of BYPASSES) assert.equal((await invoke(server, apiId, { path: p })).status, 401, p);
    assert.deepEqual(servedSince(task, from), [], 'no bypass attempt reached the instance');
    const token = await mint({ aud: 'admin-api' });
    assert.equal((await invoke(server, apiId, { path: '/x/%2E%2E/admin', headers: { authorization: `Bearer ${token}` } })).status, 200);
    assert.equal((await invoke(server, apiId, { path: '/a/../b/./c' })).status, 200);
    assert.deepEqual(task.received.slice(from).map((r) => r.url), ['/admin', '/b/c']);
  });
});

describe('rotating the built-in issuer keeps the previous keys docs/gateway.md promises (the current one and four before it)', () => {
  let apiId: string;
  const local = () => ({ host: `127.0.0.1:${server.port}` });
  const jwksKids = async () => (await send(server.port, { ...local(), path: '/_wayfinder/oidc/jwks.json' })).json<{ keys: Array<{ kid: string }> }>().keys.map((k) => k.kid);
  const rotate = async () => {
    const r = await send(server.port, { ...local(), method: 'POST', path: '/_wayfinder/oidc/rotate' });
    assert.equal(r.status, 200, r.text);
    return r.json<{ kid: string }>().kid;
  };
  const kidOf = (token: string) => (JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()) as { kid: string }).kid;
  const call = (token: string) => invoke(server, apiId, { path: '/admin', headers: { authorization: `Bearer ${token}` } });

  before(async () => {
    apiId = (await gw.send(new G.CreateApiCommand({ Name: 'rotation', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${backend.url}/admin` }));
    await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: await jwtAuthorizer(apiId) }));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
  });

  it('a token signed before four rotations verifies; the fifth rotation drops its key and it is refused', async () => {
    // Distinct tokens, each used once: the authorizer's verified-token cache must not answer for them.
    const before = await Promise.all([1, 2, 3].map((n) => mint({ sub: `early-${n}`, aud: 'admin-api' })));
    const oldKid = kidOf(before[0]!);
    for (let n = 0; n < 3; n++) await rotate();
    // Each rotation makes the gateway reload the issuer's keys: a token of the newest key verifies.
    const fresh = await mint({ sub: 'fresh', aud: 'admin-api' });
    assert.notEqual(kidOf(fresh), oldKid);
    assert.equal((await call(fresh)).status, 200, 'the keys were reloaded after the rotations');
    assert.ok((await jwksKids()).includes(oldKid), 'three rotations keep the first key in the JWKS');
    const afterThree = await call(before[0]!);
    assert.equal(afterThree.status, 200, `a token signed before three rotations still verifies: ${afterThree.text} ${String(afterThree.headers['www-authenticate'])}`);
    await rotate();
    const kids = await jwksKids();
    assert.equal(kids.length, 5, 'the current key and the four before it');
    assert.ok(kids.includes(oldKid));
    assert.equal((await call(before[1]!)).status, 200, 'still verifies after four rotations');
    await rotate();
    assert.ok(!(await jwksKids()).includes(oldKid), 'the fifth rotation drops the oldest key');
    const late = await call(before[2]!);
    assert.equal(late.status, 401, 'beyond the promise the token is refused');
    assert.match(String(late.headers['www-authenticate']), /unknown key/);
  });
});
