// CORS with credentials for any origin: `AllowOrigins` `*`, `https://*` or `http://*` together with
// `AllowCredentials: true` would let every site of that scheme make credentialed requests and read
// the answers. CreateApi, UpdateApi, ImportApi and ReimportApi refuse it with AWS's
// BadRequestException, and nothing is created or changed.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';
import { failureOf } from '../support/errors.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let backend: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  backend = await startBackend('cors');
});
after(async () => {
  gw.destroy();
  await backend.close();
  await server.destroy();
});

const WILDCARDS = ['*', 'https://*', 'http://*'];
const refusal = (origin: string) => ({ name: 'BadRequestException', message: `allow-credentials is not supported if 'allow-origin' is ${origin}` });

async function apiNames(): Promise<string[]> {
  return ((await gw.send(new G.GetApisCommand({}))).Items ?? []).map((a) => a.Name!);
}

function openApi(title: string, cors: Record<string, unknown>): string {
  return JSON.stringify({
    openapi: '3.0.1',
    info: { title, version: '1' },
    paths: { '/x': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: backend.url, payloadFormatVersion: '1.0' } } } },
    'x-amazon-apigateway-cors': cors,
  });
}

describe('a wildcard origin with credentials is refused', () => {
  it('CreateApi: BadRequestException for *, https://* and http://* (alone or beside a named origin); no API is created', async () => {
    for (const wildcard of WILDCARDS) {
      for (const origins of [[wildcard], ['https://app.example.com', wildcard]]) {
        const name = `cors-create-${origins.join('+')}`;
        const f = await failureOf(gw.send(new G.CreateApiCommand({ Name: name, ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: origins, AllowCredentials: true } })));
        assert.deepEqual(f, refusal(wildcard), origins.join(','));
        assert.ok(!(await apiNames()).includes(name), `${name} was not created`);
      }
    }
  });

  it('UpdateApi: BadRequestException; the stored configuration and what browsers get stay as they were', async () => {
    const safe: G.Cors = { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET'], AllowCredentials: true };
    const id = (await gw.send(new G.CreateApiCommand({ Name: 'cors-update', ProtocolType: 'HTTP', Target: backend.url, CorsConfiguration: safe }))).ApiId!;
    for (const wildcard of WILDCARDS) {
      const f = await failureOf(gw.send(new G.UpdateApiCommand({ ApiId: id, CorsConfiguration: { AllowOrigins: [wildcard], AllowCredentials: true } })));
      assert.deepEqual(f, refusal(wildcard));
    }
    assert.deepEqual((await gw.send(new G.GetApiCommand({ ApiId: id }))).CorsConfiguration, safe, 'the configuration is unchanged');
    const evil = await invoke(server, id, { headers: { origin: 'https://evil.example' } });
    assert.equal(evil.status, 200);
    assert.equal(evil.headers['access-control-allow-origin'], undefined, 'another site is still not allowed');
    assert.equal(evil.headers['access-control-allow-credentials'], undefined);
    const app = await invoke(server, id, { headers: { origin: 'https://app.example.com' } });
    assert.deepEqual([app.headers['access-control-allow-origin'], app.headers['access-control-allow-credentials']], ['https://app.example.com', 'true']);
  });

  it('ImportApi and ReimportApi (x-amazon-apigateway-cors): BadRequestException; nothing imported, nothing replaced', async () => {
    for (const wildcard of WILDCARDS) {
      const title = `cors-import-${wildcard}`;
      const f = await failureOf(gw.send(new G.ImportApiCommand({ Body: openApi(title, { allowOrigins: [wildcard], allowCredentials: true }) })));
      assert.deepEqual(f, refusal(wildcard));
      assert.ok(!(await apiNames()).includes(title), `${title} was not imported`);
    }
    const id = (await gw.send(new G.ImportApiCommand({ Body: openApi('cors-reimport', { allowOrigins: ['https://app.example.com'], allowCredentials: true }) }))).ApiId!;
    const f = await failureOf(gw.send(new G.ReimportApiCommand({ ApiId: id, Body: openApi('cors-reimported', { allowOrigins: ['https://*'], allowCredentials: true }) })));
    assert.deepEqual(f, refusal('https://*'));
    const api = await gw.send(new G.GetApiCommand({ ApiId: id }));
    assert.deepEqual([api.Name, api.CorsConfiguration], ['cors-reimport', { AllowOrigins: ['https://app.example.com'], AllowCredentials: true }]);
  });

  it('wildcards without credentials, and named origins with credentials, are still accepted', async () => {
    for (const wildcard of WILDCARDS) {
      const api = await gw.send(new G.CreateApiCommand({ Name: `cors-ok-${wildcard}`, ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: [wildcard] } }));
      assert.deepEqual(api.CorsConfiguration, { AllowOrigins: [wildcard] });
    }
    const named = await gw.send(
      new G.CreateApiCommand({
        Name: 'cors-ok-named',
        ProtocolType: 'HTTP',
        CorsConfiguration: { AllowOrigins: ['https://a.example', 'http://localhost:3000'], AllowCredentials: true },
      }),
    );
    assert.equal(named.CorsConfiguration?.AllowCredentials, true);
  });
});
