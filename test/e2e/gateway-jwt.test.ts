// JWT authorizers end to end: the built-in OIDC issuer (/_wayfinder/oidc) and a second, independent
// issuer on loopback with its own discovery document and JWKS (key rotation included), and the
// attack cases: expired, not yet valid, wrong audience, wrong issuer, forged signature, `alg: none`,
// HMAC with the public key, unknown key, missing scope.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as G from '@aws-sdk/client-apigatewayv2';
import { exportJWK, generateKeyPair, SignJWT, type JWK } from 'jose';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, send, startBackend, type Backend, mintToken } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let backend: Backend;
let localIssuer: string;
let apiId: string;

/** A second issuer: discovery + JWKS on its own loopback port, keys the test controls. */
interface Issuer {
  url: string;
  keys: Array<{ kid: string; privateKey: Awaited<ReturnType<typeof generateKeyPair>>['privateKey']; jwk: JWK }>;
  fetches: number;
  close(): Promise<void>;
}

async function newKey(kid: string) {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, jwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

async function startIssuer(): Promise<Issuer> {
  const issuer: Issuer = { url: '', keys: [await newKey('k1')], fetches: 0, close: async () => undefined };
  const srv: Server = createServer((req, res) => {
    if (req.url === '/.well-known/openid-configuration') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ issuer: issuer.url, jwks_uri: `${issuer.url}/keys` }));
    } else if (req.url === '/keys') {
      issuer.fetches++;
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: issuer.keys.map((k) => k.jwk) }));
    } else res.writeHead(404).end();
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  issuer.url = `http://127.0.0.1:${(srv.address() as AddressInfo).port}`;
  issuer.close = () => new Promise<void>((r) => srv.close(() => r()));
  return issuer;
}

const mint = (claims: Record<string, unknown>): Promise<string> => mintToken(server, claims);

const b64 = (o: unknown) => Buffer.from(JSON.stringify(o)).toString('base64url');
const now = () => Math.floor(Date.now() / 1000);

async function call(path: string, token?: string, headerName = 'authorization') {
  return invoke(server, apiId, { path, headers: token === undefined ? {} : { [headerName]: `Bearer ${token}` } });
}

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  backend = await startBackend('protected');
  localIssuer = `http://127.0.0.1:${server.port}/_wayfinder/oidc`;
  apiId = (await gw.send(new G.CreateApiCommand({ Name: 'jwt', ProtocolType: 'HTTP' }))).ApiId!;
  const integ = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: apiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      IntegrationUri: backend.url,
      RequestParameters: { 'overwrite:header.x-sub': '$context.authorizer.claims.sub' },
    }),
  );
  const auth = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: apiId,
      Name: 'local',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: localIssuer, Audience: ['orders-api', 'cli-client'] },
    }),
  );
  const target = `integrations/${integ.IntegrationId}`;
  await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /orders', Target: target, AuthorizationType: 'JWT', AuthorizerId: auth.AuthorizerId }));
  await gw.send(
    new G.CreateRouteCommand({
      ApiId: apiId,
      RouteKey: 'DELETE /orders',
      Target: target,
      AuthorizationType: 'JWT',
      AuthorizerId: auth.AuthorizerId,
      AuthorizationScopes: ['orders:write', 'admin'],
    }),
  );
  await gw.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey: 'GET /public', Target: target }));
  await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', AutoDeploy: true }));
});
after(async () => {
  gw.destroy();
  await backend.close();
  await server.destroy();
});

test('the built-in issuer: discovery, JWKS and minted tokens; a valid token reaches the backend with its claims mapped', async () => {
  const disc = await send(server.port, { host: `127.0.0.1:${server.port}`, path: '/_wayfinder/oidc/.well-known/openid-configuration' });
  assert.equal(disc.json<{ issuer: string }>().issuer, localIssuer);
  const jwks = await send(server.port, { host: `127.0.0.1:${server.port}`, path: '/_wayfinder/oidc/jwks.json' });
  const keys = jwks.json<{ keys: Array<{ kty: string; alg: string; d?: string }> }>().keys;
  assert.ok(keys.length >= 1 && keys.every((k) => k.kty === 'RSA' && k.alg === 'RS256' && k.d === undefined), 'public keys only');
  assert.equal((await call('/public')).status, 200);
  const token = await mint({ sub: 'user-1', aud: 'orders-api' });
  const ok = await call('/orders', token);
  assert.equal(ok.status, 200, ok.text);
  const seen = ok.json<{ headers: Record<string, string> }>().headers;
  assert.equal(seen['x-sub'], 'user-1', 'claims reach HTTP backends through parameter mapping');
  assert.equal(seen.authorization, `Bearer ${token}`, 'the original Authorization header still reaches the backend');
  assert.equal((await call('/orders', token)).status, 200, 'a cached verification answers the same');
  const raw = await invoke(server, apiId, { path: '/orders', headers: { authorization: token } });
  assert.equal(raw.status, 200, 'a raw token without "Bearer " is accepted too');
  const form = await send(server.port, {
    host: `127.0.0.1:${server.port}`,
    method: 'POST',
    path: '/_wayfinder/oidc/token',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'grant_type=client_credentials&client_id=cli-client&scope=orders:write',
  });
  const cc = form.json<{ access_token: string }>().access_token;
  assert.equal(
    (await invoke(server, apiId, { method: 'DELETE', path: '/orders', headers: { authorization: `Bearer ${cc}` } })).status,
    200,
    'client_id is checked when there is no aud; scope from the token',
  );
});

test('401 {"message":"Unauthorized"} with www-authenticate: missing, expired, not yet valid, wrong audience, wrong issuer', async () => {
  const missing = await call('/orders');
  assert.deepEqual([missing.status, missing.text, missing.headers['www-authenticate']], [401, '{"message":"Unauthorized"}', 'Bearer']);
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    ['expired', { aud: 'orders-api', exp: now() - 60 }, /expired/],
    ['not yet valid', { aud: 'orders-api', nbf: now() + 3600 }, /not valid yet/],
    ['wrong audience', { aud: 'someone-else' }, /audience/],
    ['wrong issuer', { aud: 'orders-api', iss: 'http://127.0.0.1:1/evil' }, /issuer/],
    ['no audience and no client_id', {}, /audience/],
  ];
  for (const [name, claims, why] of cases) {
    const r = await call('/orders', await mint(claims));
    assert.equal(r.status, 401, name);
    assert.equal(r.text, '{"message":"Unauthorized"}', name);
    assert.match(String(r.headers['www-authenticate']), /^Bearer scope="" error="invalid_token" error_description="/, name);
    assert.match(String(r.headers['www-authenticate']), why, name);
  }
});

test('forged tokens are refused: altered payload, foreign key with our kid, alg none, HMAC with the public key', async () => {
  const good = await mint({ sub: 'user-1', aud: 'orders-api' });
  const [h, , s] = good.split('.');
  const altered = `${h}.${b64({ sub: 'admin', aud: 'orders-api', iss: localIssuer, exp: now() + 600 })}.${s}`;
  assert.equal((await call('/orders', altered)).status, 401);
  const kid = JSON.parse(Buffer.from(h!, 'base64url').toString()).kid as string;
  const { privateKey } = await generateKeyPair('RS256');
  const foreign = await new SignJWT({ sub: 'x', aud: 'orders-api' }).setProtectedHeader({ alg: 'RS256', kid }).setIssuer(localIssuer).setExpirationTime('5m').sign(privateKey);
  assert.equal((await call('/orders', foreign)).status, 401);
  const none = `${b64({ alg: 'none', kid, typ: 'JWT' })}.${b64({ sub: 'x', aud: 'orders-api', iss: localIssuer, exp: now() + 600 })}.`;
  const r = await call('/orders', none);
  assert.equal(r.status, 401);
  assert.match(String(r.headers['www-authenticate']), /signing method none is invalid/);
  const jwks = (await send(server.port, { host: `127.0.0.1:${server.port}`, path: '/_wayfinder/oidc/jwks.json' })).json<{ keys: Array<{ n: string }> }>();
  const secret = new TextEncoder().encode(jwks.keys[0]!.n);
  const hmac = await new SignJWT({ sub: 'x', aud: 'orders-api' }).setProtectedHeader({ alg: 'HS256', kid }).setIssuer(localIssuer).setExpirationTime('5m').sign(secret);
  assert.equal((await call('/orders', hmac)).status, 401);
  assert.equal((await call('/orders', 'not.a.jwt')).status, 401);
  assert.equal(backend.received.filter((x) => x.headers['x-sub'] === 'admin' || x.headers['x-sub'] === 'x').length, 0, 'nothing forged reached the backend');
});

test('scopes: a route with authorizationScopes needs one of them in scope or scp, else 403 {"message":"Forbidden"}', async () => {
  const none = await invoke(server, apiId, { method: 'DELETE', path: '/orders', headers: { authorization: `Bearer ${await mint({ aud: 'orders-api', scope: 'orders:read' })}` } });
  assert.deepEqual([none.status, none.text], [403, '{"message":"Forbidden"}']);
  assert.match(String(none.headers['www-authenticate']), /insufficient_scope/);
  const scope = await invoke(server, apiId, {
    method: 'DELETE',
    path: '/orders',
    headers: { authorization: `Bearer ${await mint({ aud: 'orders-api', scope: 'orders:read orders:write' })}` },
  });
  assert.equal(scope.status, 200);
  const scp = await invoke(server, apiId, { method: 'DELETE', path: '/orders', headers: { authorization: `Bearer ${await mint({ aud: 'orders-api', scp: ['admin'] })}` } });
  assert.equal(scp.status, 200);
});

test('an independent issuer on loopback: discovery → jwks_uri, keys cached, a new kid after rotation refetched, unknown kids refused', async () => {
  const other = await startIssuer();
  try {
    const id = (await gw.send(new G.CreateApiCommand({ Name: 'other', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
    const a = await gw.send(
      new G.CreateAuthorizerCommand({
        ApiId: id,
        Name: 'o',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.querystring.token'],
        JwtConfiguration: { Issuer: other.url, Audience: ['svc'] },
      }),
    );
    await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /x', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: a.AuthorizerId }));
    await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    const sign = (k: Issuer['keys'][number], claims: Record<string, unknown> = {}) =>
      new SignJWT({ aud: 'svc', ...claims }).setProtectedHeader({ alg: 'RS256', kid: k.kid }).setIssuer(other.url).setIssuedAt().setExpirationTime('5m').sign(k.privateKey);
    const viaQuery = (t: string) => invoke(server, id, { path: `/x?token=${encodeURIComponent(t)}` });
    assert.equal((await viaQuery(await sign(other.keys[0]!))).status, 200);
    assert.equal((await viaQuery(await sign(other.keys[0]!, { sub: 'again' }))).status, 200);
    assert.equal(other.fetches, 1, 'the JWKS is cached');
    const k2 = await newKey('k2');
    other.keys = [k2];
    assert.equal((await viaQuery(await sign(k2))).status, 200, 'an unknown kid triggers one refetch (rotation)');
    assert.equal(other.fetches, 2);
    const stranger = await newKey('k3');
    assert.equal((await viaQuery(await sign(stranger))).status, 401);
    assert.equal((await viaQuery(await sign(stranger, { sub: 'again' }))).status, 401);
    assert.equal(other.fetches, 3, 'a kid still unknown after a refetch does not refetch again');
    const localToken = await mint({ aud: 'svc' });
    assert.equal((await viaQuery(localToken)).status, 401, "another issuer's token is refused");
  } finally {
    await other.close();
  }
});

test('the built-in issuer keeps its keys across restarts: a token minted before is valid after', async () => {
  const dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-jwt-'));
  try {
    const first = await startTestServer({}, dataDir);
    const port = first.port;
    const g1 = new G.ApiGatewayV2Client(sdkConfig(first));
    const id = (await g1.send(new G.CreateApiCommand({ Name: 'r', ProtocolType: 'HTTP' }))).ApiId!;
    const i = await g1.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backend.url }));
    const a = await g1.send(
      new G.CreateAuthorizerCommand({
        ApiId: id,
        Name: 'l',
        AuthorizerType: 'JWT',
        IdentitySource: ['$request.header.Authorization'],
        JwtConfiguration: { Issuer: `http://localhost:${port}/_wayfinder/oidc`, Audience: ['a'] },
      }),
    );
    await g1.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /', Target: `integrations/${i.IntegrationId}`, AuthorizationType: 'JWT', AuthorizerId: a.AuthorizerId }));
    await g1.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
    const tok = await send(port, {
      host: `localhost:${port}`,
      method: 'POST',
      path: '/_wayfinder/oidc/token',
      headers: { 'content-type': 'application/json' },
      body: '{"aud":"a"}',
    });
    const token = tok.json<{ access_token: string }>().access_token;
    assert.equal((await invoke(first, id, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    g1.destroy();
    await first.close();
    const second = await startTestServer({ port }, dataDir);
    try {
      assert.equal((await invoke(second, id, { headers: { authorization: `Bearer ${token}` } })).status, 200);
    } finally {
      await second.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});
