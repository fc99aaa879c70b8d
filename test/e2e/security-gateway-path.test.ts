// Attacks on the gateway data plane through the request path and through JWT issuers:
//   - dot segments (`/x/../admin`, `/admin/.`, `%2e%2e`) must not reach a JWT-protected route's
//     backend through the open `$default` route; the integration gets the resolved path;
//   - the built-in issuer keeps previous keys in its JWKS for the rotations docs/gateway.md promises;
//   - a hostile issuer (endless or trickling JWKS) costs a bounded read: 401, never a hang or a 500.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as SD from '@aws-sdk/client-servicediscovery';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, send, startBackend, type Backend, mintToken } from '../support/gateway.js';
import { privateNamespace, register, sdClient } from '../support/cloudmap.js';
import { DOCUMENT_LIMITS } from '../../src/gateway/jwt/verifier.js';

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

const mint = (claims: Record<string, unknown>): Promise<string> => mintToken(server, claims);

async function jwtAuthorizer(apiId: string, jwtIssuer = issuer): Promise<string> {
  const a = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: apiId,
      Name: 'jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: jwtIssuer, Audience: ['admin-api'] },
    }),
  );
  return a.AuthorizerId!;
}

/** The backend's requests since `from`, as the paths it would serve (it resolves dot segments itself). */
function servedSince(b: Backend, from: number): string[] {
  return b.received.slice(from).map((r) => new URL(r.url, 'http://backend').pathname);
}

const BYPASSES = ['/x/../admin', '/admin/.', '/x/%2e%2e/admin', '/x/%2E%2E/admin', '/x/.%2e/admin', '/x/y/../../admin', '/../admin', '/admin/%2e', '/x/..\\admin'];

describe('dot segments in the path cannot bypass a route authorizer', () => {
  let apiId: string;

  before(async () => {
    apiId = (await gw.send(new G.CreateApiCommand({ Name: 'dot-segments', ProtocolType: 'HTTP' }))).ApiId!;
    const open = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
    const admin = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: `${backend.url}/admin` }));
    const authorizerId = await jwtAuthorizer(apiId);
    await gw.send(
      new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${admin.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: authorizerId }),
    );
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
        // `/v1/../admin` leaves the `v1` mapping, as a browser resolves it: no root mapping, so 404.
        if (what === 'custom domain /v1/../admin') {
          assert.deepEqual([r.status, r.text], [404, '{"message":"Not Found"}'], what);
          continue;
        }
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
    assert.deepEqual(
      backend.received.slice(from).map((r) => r.url),
      ['/admin', '/admin'],
    );
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
      new G.CreateIntegrationCommand({
        ApiId: apiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: linkId,
        IntegrationUri: Service!.Arn!,
      }),
    );
    const authorizerId = await jwtAuthorizer(apiId);
    await gw.send(
      new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /admin', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: authorizerId }),
    );
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
    assert.deepEqual(
      task.received.slice(from).map((r) => r.url),
      ['/admin', '/b/c'],
    );
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
    await gw.send(
      new G.CreateRouteCommand({
        ApiId: apiId,
        RouteKey: 'GET /admin',
        Target: `integrations/${i.IntegrationId}`,
        AuthorizationType: 'JWT',
        AuthorizerId: await jwtAuthorizer(apiId),
      }),
    );
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

/**
 * A hostile issuer: a valid discovery document whose jwks_uri answers with `serve`. It records how
 * many JWKS bytes it wrote and whether the gateway hung up; every answer stops by itself after
 * HOSTILE_MAX_BYTES or HOSTILE_MAX_MS, so a gateway without limits fails the test instead of hanging.
 */
const HOSTILE_MAX_BYTES = 1024 ** 3;
const HOSTILE_MAX_MS = 20_000;

interface HostileIssuer {
  url: string;
  sent: number;
  /** The gateway closed the JWKS connection before the issuer gave up. */
  hungUp: boolean;
  close(): Promise<void>;
}

async function hostileIssuer(serve: (res: ServerResponse, issuer: HostileIssuer, stopAt: number) => void): Promise<HostileIssuer> {
  const h: HostileIssuer = { url: '', sent: 0, hungUp: false, close: async () => undefined };
  const srv = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: h.url, jwks_uri: `${h.url}/keys` }));
      return;
    }
    const stopAt = Date.now() + HOSTILE_MAX_MS;
    res.on('close', () => {
      if (Date.now() < stopAt && h.sent < HOSTILE_MAX_BYTES) h.hungUp = true;
    });
    serve(res, h, stopAt);
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  h.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  h.close = () =>
    new Promise<void>((r) => {
      srv.close(() => r());
      srv.closeAllConnections();
    });
  return h;
}

/** Endless chunked JWKS, as fast as the gateway reads it. */
function endless(res: ServerResponse, h: HostileIssuer, stopAt: number): void {
  const chunk = Buffer.alloc(64 * 1024, 0x20);
  res.writeHead(200, { 'content-type': 'application/json' });
  res.write('{"keys":[');
  const pump = (): void => {
    while (!res.destroyed && h.sent < HOSTILE_MAX_BYTES && Date.now() < stopAt) {
      h.sent += chunk.length;
      if (!res.write(chunk)) {
        res.once('drain', pump);
        return;
      }
    }
    res.destroy();
  };
  pump();
}

/** A JWKS that never ends but stays tiny: one byte every 100 ms. */
function trickle(res: ServerResponse, h: HostileIssuer, stopAt: number): void {
  res.writeHead(200, { 'content-type': 'application/json' });
  const timer = setInterval(() => {
    if (res.destroyed || Date.now() >= stopAt) {
      clearInterval(timer);
      res.destroy();
      return;
    }
    res.write(' ');
    h.sent++;
  }, 100);
}

/** Accepts the JWKS request and never answers, not even headers. */
function silent(res: ServerResponse, _h: HostileIssuer, stopAt: number): void {
  const timer = setTimeout(() => res.destroy(), stopAt - Date.now());
  res.on('close', () => clearTimeout(timer));
}

describe('a hostile JWT issuer costs a bounded read: 401, never a hang, a 500 or gigabytes of memory', () => {
  const mib = (n: number) => Math.round(n / 1024 / 1024);

  async function attack(serve: Parameters<typeof hostileIssuer>[0]) {
    const evil = await hostileIssuer(serve);
    try {
      const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'hostile-issuer', ProtocolType: 'HTTP' }))).ApiId!;
      const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
      await gw.send(
        new G.CreateRouteCommand({
          ApiId: apiId,
          RouteKey: 'GET /admin',
          Target: `integrations/${i.IntegrationId}`,
          AuthorizationType: 'JWT',
          AuthorizerId: await jwtAuthorizer(apiId, evil.url),
        }),
      );
      await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
      const header = Buffer.from(JSON.stringify({ alg: 'RS256', kid: 'k1' })).toString('base64url');
      const payload = Buffer.from(JSON.stringify({ iss: evil.url, aud: 'admin-api', exp: Math.floor(Date.now() / 1000) + 600 })).toString('base64url');
      const from = backend.received.length;
      const rssBefore = process.memoryUsage().rss;
      let rssPeak = rssBefore;
      const sampler = setInterval(() => (rssPeak = Math.max(rssPeak, process.memoryUsage().rss)), 10);
      const t0 = performance.now();
      const r = await invoke(server, apiId, { path: '/admin', headers: { authorization: `Bearer ${header}.${payload}.c2ln` }, timeoutMs: HOSTILE_MAX_MS + 10_000 });
      const ms = performance.now() - t0;
      clearInterval(sampler);
      // Let the issuer's side see the hang-up.
      for (let n = 0; n < 50 && !evil.hungUp; n++) await new Promise((res) => setTimeout(res, 20));
      return { r, ms, sent: evil.sent, hungUp: evil.hungUp, rssBefore, rssPeak, rssAfter: process.memoryUsage().rss, reachedBackend: backend.received.length - from };
    } finally {
      await evil.close();
    }
  }

  it('an endless chunked JWKS: the read stops past the size limit, the request gets 401', async (t) => {
    const a = await attack(endless);
    t.diagnostic(
      `endless JWKS: ${a.r.status} in ${Math.round(a.ms)} ms, issuer wrote ${mib(a.sent)} MiB; RSS before ${mib(a.rssBefore)} MiB, peak ${mib(a.rssPeak)} MiB, after ${mib(a.rssAfter)} MiB`,
    );
    assert.equal(a.r.status, 401, a.r.text);
    assert.equal(a.r.text, '{"message":"Unauthorized"}');
    assert.match(String(a.r.headers['www-authenticate']), /unable to load the signing keys/);
    assert.equal(a.reachedBackend, 0);
    assert.ok(a.hungUp, 'the gateway hung up on the issuer');
    // The issuer writes into socket buffers faster than the gateway refuses: a few MiB, never the stream.
    assert.ok(a.sent < 64 * 1024 ** 2, `the issuer got to write ${mib(a.sent)} MiB`);
    assert.ok(a.rssPeak - a.rssBefore < 256 * 1024 ** 2, `RSS grew by ${mib(a.rssPeak - a.rssBefore)} MiB`);
  });

  it('a trickling JWKS and a silent one: the deadline covers the body and the headers, the request gets 401', async (t) => {
    for (const [name, serve] of [
      ['trickle', trickle],
      ['silent', silent],
    ] as const) {
      const a = await attack(serve);
      t.diagnostic(`${name} JWKS: ${a.r.status} in ${Math.round(a.ms)} ms (deadline ${DOCUMENT_LIMITS.deadlineMs} ms per document)`);
      assert.equal(a.r.status, 401, `${name}: ${a.r.text}`);
      assert.match(String(a.r.headers['www-authenticate']), /unable to load the signing keys/, name);
      assert.equal(a.reachedBackend, 0, name);
      assert.ok(a.hungUp, `${name}: the gateway hung up on the issuer before it gave up`);
    }
  });
});
