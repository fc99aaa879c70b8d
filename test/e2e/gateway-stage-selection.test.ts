// The route explainer and the data plane agree on stage and API-mapping selection: one table of
// requests, each sent for real through the edge (execute-api Host or a custom domain) to a loopback
// backend, and asked of GET /_wayfinder/gateway/explain; both must give the row's stage, route path
// and route (docs/aws-behavior.md §3.1; src/gateway/stage-selection.ts is what both use).
// The data plane's choice is read from the backend: the integration maps `$context.stage`,
// `$request.path` and `$context.routeKey` into request headers.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { isDeepStrictEqual } from 'node:util';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { send, startBackend, type Backend } from '../support/gateway.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let backend: Backend;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  backend = await startBackend('b');
});
after(async () => {
  gw.destroy();
  await backend.close();
  await server.destroy();
});

const DOMAIN = 'stages.example.com';
const NARROW = 'narrow.example.com';

/** An HTTP API whose routes all tell the backend which stage, path and route served the request. */
async function api(name: string, stages: string[]): Promise<string> {
  const id = (await gw.send(new G.CreateApiCommand({ Name: name, ProtocolType: 'HTTP' }))).ApiId!;
  const i = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      IntegrationUri: backend.url,
      PayloadFormatVersion: '1.0',
      RequestParameters: { 'overwrite:header.x-wf-stage': '$context.stage', 'overwrite:header.x-wf-path': '$request.path', 'overwrite:header.x-wf-route': '$context.routeKey' },
    }),
  );
  for (const key of ['GET /pets', 'GET /admin', '$default']) await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: key, Target: `integrations/${i.IntegrationId}` }));
  for (const s of stages) await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: s, AutoDeploy: true }));
  return id;
}

interface Row {
  /** `api` (stages $default and prod), `prodOnly` (no $default stage), or a custom domain. */
  via: 'api' | 'prodOnly' | typeof DOMAIN | typeof NARROW;
  path: string;
  /** What both must answer: 404, or the stage, the route path and the route. */
  want: 404 | { stage: string; path: string; route: string };
}

// `$default` on the execute-api host: the data plane treats it (spelt `$default` or `%24default`) as
// an ordinary first segment, so the `$default` stage serves the whole path; only the path form
// /_aws/execute-api/{apiId}/$default/… names the default stage with it.
const TABLE: Row[] = [
  { via: 'api', path: '/', want: { stage: '$default', path: '/', route: '$default' } },
  { via: 'api', path: '/pets', want: { stage: '$default', path: '/pets', route: 'GET /pets' } },
  { via: 'api', path: '/prod/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: 'api', path: '/prod', want: { stage: 'prod', path: '/', route: '$default' } },
  { via: 'api', path: '/pr%6Fd/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: 'api', path: '/$default/pets', want: { stage: '$default', path: '/$default/pets', route: '$default' } },
  { via: 'api', path: '/%24default/pets', want: { stage: '$default', path: '/%24default/pets', route: '$default' } },
  { via: 'api', path: '/nostage/pets', want: { stage: '$default', path: '/nostage/pets', route: '$default' } },
  { via: 'api', path: '//pets', want: { stage: '$default', path: '//pets', route: 'GET /pets' } },
  { via: 'api', path: '//prod/pets', want: { stage: '$default', path: '//prod/pets', route: '$default' } },
  { via: 'api', path: '/x/../pets', want: { stage: '$default', path: '/pets', route: 'GET /pets' } },
  { via: 'api', path: '/x/../prod/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: 'api', path: '/prod/x/%2e%2e/admin', want: { stage: 'prod', path: '/admin', route: 'GET /admin' } },
  { via: 'api', path: '/prod/..', want: { stage: '$default', path: '/', route: '$default' } },
  { via: 'prodOnly', path: '/pets', want: 404 },
  { via: 'prodOnly', path: '/prod/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: 'prodOnly', path: '/x/../prod/admin', want: { stage: 'prod', path: '/admin', route: 'GET /admin' } },
  { via: DOMAIN, path: '/pets', want: { stage: '$default', path: '/pets', route: 'GET /pets' } },
  { via: DOMAIN, path: '/v1/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: DOMAIN, path: '/v%31/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: DOMAIN, path: '/v1', want: { stage: 'prod', path: '/', route: '$default' } },
  { via: DOMAIN, path: '/v1/../admin', want: { stage: '$default', path: '/admin', route: 'GET /admin' } },
  { via: DOMAIN, path: '/x/../v1/admin', want: { stage: 'prod', path: '/admin', route: 'GET /admin' } },
  { via: DOMAIN, path: '/v2/pets', want: { stage: '$default', path: '/v2/pets', route: '$default' } },
  { via: NARROW, path: '/v1/pets', want: { stage: 'prod', path: '/pets', route: 'GET /pets' } },
  { via: NARROW, path: '/v2/pets', want: 404 },
  { via: NARROW, path: '/v1/../pets', want: 404 },
];

test('the route explainer and the data plane choose the same stage, route path and route for every row', async () => {
  const ids = { api: await api('table', ['$default', 'prod']), prodOnly: await api('table-prod-only', ['prod']) };
  await gw.send(new G.CreateDomainNameCommand({ DomainName: DOMAIN }));
  await gw.send(new G.CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: ids.api, Stage: 'prod', ApiMappingKey: 'v1' }));
  await gw.send(new G.CreateApiMappingCommand({ DomainName: DOMAIN, ApiId: ids.api, Stage: '$default' }));
  await gw.send(new G.CreateDomainNameCommand({ DomainName: NARROW }));
  await gw.send(new G.CreateApiMappingCommand({ DomainName: NARROW, ApiId: ids.prodOnly, Stage: 'prod', ApiMappingKey: 'v1' }));

  const failures: string[] = [];
  for (const row of TABLE) {
    const byDomain = row.via === DOMAIN || row.via === NARROW;
    const host = byDomain ? `${row.via}:${server.port}` : `${ids[row.via as 'api' | 'prodOnly']}.execute-api.localhost:${server.port}`;
    const label = `${row.via} GET ${row.path}`;

    const served = await send(server.port, { host, path: row.path });
    let dataPlane: Row['want'] | string;
    if (served.status === 404) dataPlane = 404;
    else if (served.status === 200) {
      const h = served.json<{ headers: Record<string, string> }>().headers;
      dataPlane = { stage: h['x-wf-stage']!, path: h['x-wf-path']!, route: h['x-wf-route']! };
    } else dataPlane = `${served.status} ${served.text}`;

    const target = byDomain ? `host=${encodeURIComponent(host)}` : `apiId=${ids[row.via as 'api' | 'prodOnly']}`;
    const asked = await send(server.port, { host: `127.0.0.1:${server.port}`, path: `/_wayfinder/gateway/explain?${target}&method=GET&path=${encodeURIComponent(row.path)}` });
    assert.equal(asked.status, 200, `${label}: explain → ${asked.status} ${asked.text}`);
    const why = asked.json<{ result: string; stage?: string; path?: string; selected?: { routeKey: string } | null }>();
    const explained: Row['want'] | string = why.result.startsWith('404')
      ? 404
      : why.result === 'forwarded to the integration'
        ? { stage: why.stage!, path: why.path!, route: why.selected!.routeKey }
        : why.result;

    if (!isDeepStrictEqual(dataPlane, row.want)) failures.push(`${label}: the data plane gave ${JSON.stringify(dataPlane)}, the row says ${JSON.stringify(row.want)}`);
    if (!isDeepStrictEqual(explained, row.want)) failures.push(`${label}: the explainer gave ${JSON.stringify(explained)}, the row says ${JSON.stringify(row.want)}`);
  }
  assert.deepEqual(failures, []);
});
