// Per-API quotas of API Gateway HTTP APIs (300 routes, 300 integrations, 10 stages, 10 authorizers),
// refused with AWS's answer (ConflictException, HTTP 429, "Maximum number of … for this API has been
// reached…") and nothing added; imports over them refused whole. And the attack that started it: one
// ImportApi of 5,000 paths froze the server's event loop (and with it the data plane and DNS) for
// seconds. The last test measures how long the loop is blocked by imports at and over the quota.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import * as G from '@aws-sdk/client-apigatewayv2';
import { stringify as toYaml } from 'yaml';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
});
after(async () => {
  gw.destroy();
  await server.destroy();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected an error');
}

/** AWS's answer to a full API, as its clients log it. */
function assertQuotaReached(f: { name: string; status: number | undefined; message: string }, resource: string): void {
  assert.deepEqual(
    [f.name, f.status, f.message],
    ['ConflictException', 429, `Maximum number of ${resource} for this API has been reached. Please contact AWS if you need additional ${resource}.`],
  );
}

const METHODS = ['get', 'post', 'delete'] as const;

/** An OpenAPI 3 definition with `routes` operations (up to 3 per path), each with its own HTTP_PROXY integration. */
function definition(title: string, routes: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (let i = 0; i < routes; i++) {
    const path = `/items${Math.floor(i / METHODS.length)}/{id}`;
    (paths[path] ??= {})[METHODS[i % METHODS.length]!] = {
      'x-amazon-apigateway-integration': { type: 'HTTP_PROXY', httpMethod: 'ANY', uri: `http://127.0.0.1:9/items/${i}`, payloadFormatVersion: '1.0' },
    };
  }
  return { openapi: '3.0.1', info: { title, version: '1' }, paths, ...extra };
}

const jwtAuthorizer = (name: string) => ({
  ApiId: '',
  Name: name,
  AuthorizerType: 'JWT' as const,
  IdentitySource: ['$request.header.Authorization'],
  JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['pets'] },
});

async function routeKeys(apiId: string): Promise<string[]> {
  const r = await gw.send(new G.GetRoutesCommand({ ApiId: apiId, MaxResults: '500' }));
  assert.equal(r.NextToken, undefined);
  return r.Items!.map((x) => x.RouteKey!).sort();
}

async function integrationCount(apiId: string): Promise<number> {
  const r = await gw.send(new G.GetIntegrationsCommand({ ApiId: apiId, MaxResults: '500' }));
  assert.equal(r.NextToken, undefined);
  return r.Items!.length;
}

async function apiIds(client: G.ApiGatewayV2Client): Promise<string[]> {
  return ((await client.send(new G.GetApisCommand({ MaxResults: '500' }))).Items ?? []).map((a) => a.ApiId!).sort();
}

describe('per-API quotas', () => {
  it('the 301st route and the 301st integration are refused with AWS error, and nothing is added', async () => {
    const api = await gw.send(new G.ImportApiCommand({ Body: JSON.stringify(definition('full', 300)) }));
    assert.equal(api.Warnings, undefined);
    const keys = await routeKeys(api.ApiId!);
    assert.equal(keys.length, 300);
    assert.equal(await integrationCount(api.ApiId!), 300);

    assertQuotaReached(await failure(gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /one-too-many' }))), 'Routes');
    assertQuotaReached(
      await failure(
        gw.send(
          new G.CreateIntegrationCommand({
            ApiId: api.ApiId,
            IntegrationType: 'HTTP_PROXY',
            IntegrationMethod: 'ANY',
            IntegrationUri: 'http://127.0.0.1:9/x',
            PayloadFormatVersion: '1.0',
          }),
        ),
      ),
      'Integrations',
    );
    assert.deepEqual(await routeKeys(api.ApiId!), keys);
    assert.equal(await integrationCount(api.ApiId!), 300);

    // Room again once one is deleted: the quota counts what the API holds, nothing else.
    const victim = (await gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId, MaxResults: '1' }))).Items![0]!;
    await gw.send(new G.DeleteRouteCommand({ ApiId: api.ApiId, RouteId: victim.RouteId }));
    await gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /one-too-many' }));
    assertQuotaReached(await failure(gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /two-too-many' }))), 'Routes');
  });

  it("the 11th stage is refused with AWS error and nothing is added; a quick-create API's managed $default stage counts", async () => {
    const api = await gw.send(new G.CreateApiCommand({ Name: 'stages', ProtocolType: 'HTTP' }));
    for (let i = 1; i <= 10; i++) await gw.send(new G.CreateStageCommand({ ApiId: api.ApiId, StageName: `s${i}` }));
    assertQuotaReached(await failure(gw.send(new G.CreateStageCommand({ ApiId: api.ApiId, StageName: 's11' }))), 'Stages');
    const names = (await gw.send(new G.GetStagesCommand({ ApiId: api.ApiId }))).Items!.map((s) => s.StageName).sort();
    assert.deepEqual(names, ['s1', 's10', 's2', 's3', 's4', 's5', 's6', 's7', 's8', 's9']);
    assert.equal((await failure(gw.send(new G.GetStageCommand({ ApiId: api.ApiId, StageName: 's11' })))).name, 'NotFoundException');

    const quick = await gw.send(new G.CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/' }));
    for (let i = 1; i <= 9; i++) await gw.send(new G.CreateStageCommand({ ApiId: quick.ApiId, StageName: `q${i}` }));
    assertQuotaReached(await failure(gw.send(new G.CreateStageCommand({ ApiId: quick.ApiId, StageName: 'q10' }))), 'Stages');
    assert.equal((await gw.send(new G.GetStagesCommand({ ApiId: quick.ApiId }))).Items!.length, 10);
  });

  it('route settings must name routes of the API (404 as AWS), so a stage cannot hold more of them than the API has routes', async () => {
    const api = await gw.send(new G.CreateApiCommand({ Name: 'route-settings', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/' }));
    const many: Record<string, G.RouteSettings> = {};
    for (let i = 0; i < 5000; i++) many[`GET /p${i}`] = { ThrottlingRateLimit: 5, ThrottlingBurstLimit: 5 };
    const refused = await failure(gw.send(new G.UpdateStageCommand({ ApiId: api.ApiId, StageName: '$default', RouteSettings: many })));
    assert.deepEqual([refused.name, refused.status, refused.message], ['NotFoundException', 404, 'Unable to find Route by key GET /p0 within the provided RouteSettings']);
    assert.deepEqual((await gw.send(new G.GetStageCommand({ ApiId: api.ApiId, StageName: '$default' }))).RouteSettings, {});
    // The quick-create route exists: its settings are taken.
    const ok = await gw.send(new G.UpdateStageCommand({ ApiId: api.ApiId, StageName: '$default', RouteSettings: { $default: { ThrottlingRateLimit: 5 } } }));
    assert.deepEqual(ok.RouteSettings, { $default: { ThrottlingRateLimit: 5 } });
  });

  it('the 11th authorizer is refused with AWS error and nothing is added', async () => {
    const api = await gw.send(new G.CreateApiCommand({ Name: 'authorizers', ProtocolType: 'HTTP' }));
    for (let i = 1; i <= 10; i++) await gw.send(new G.CreateAuthorizerCommand({ ...jwtAuthorizer(`a${i}`), ApiId: api.ApiId }));
    assertQuotaReached(await failure(gw.send(new G.CreateAuthorizerCommand({ ...jwtAuthorizer('a11'), ApiId: api.ApiId }))), 'Authorizers');
    const names = (await gw.send(new G.GetAuthorizersCommand({ ApiId: api.ApiId }))).Items!.map((a) => a.Name);
    assert.equal(names.length, 10);
    assert.ok(!names.includes('a11'));
  });
});

describe('imports over the quotas are refused whole', () => {
  // Its own region, so "no API was created" is a plain list of the region's APIs.
  let regional: G.ApiGatewayV2Client;
  before(() => {
    regional = new G.ApiGatewayV2Client(sdkConfig(server, 'eu-west-3'));
  });
  after(() => regional.destroy());

  it('ImportApi of 5,000 paths (JSON or YAML) answers AWS error, and no API, route or integration is created', async () => {
    const before = await apiIds(regional);
    const doc = definition('huge', 5000);
    for (const body of [JSON.stringify(doc), toYaml(doc)]) {
      assertQuotaReached(await failure(regional.send(new G.ImportApiCommand({ Body: body }))), 'Routes');
    }
    assert.deepEqual(await apiIds(regional), before);
  });

  it('ImportApi of 11 authorizers is refused and creates nothing', async () => {
    const before = await apiIds(regional);
    const schemes: Record<string, unknown> = {};
    for (let i = 0; i < 11; i++) {
      schemes[`jwt${i}`] = {
        type: 'oauth2',
        flows: {},
        'x-amazon-apigateway-authorizer': {
          type: 'jwt',
          identitySource: '$request.header.Authorization',
          jwtConfiguration: { issuer: 'https://issuer.example.com', audience: ['pets'] },
        },
      };
    }
    const doc = definition('many-authorizers', 3, { components: { securitySchemes: schemes } });
    assertQuotaReached(await failure(regional.send(new G.ImportApiCommand({ Body: JSON.stringify(doc) }))), 'Authorizers');
    assert.deepEqual(await apiIds(regional), before);
  });

  it('an import keeps at most 100 warnings (ignored security schemes are unbounded; the API record is not)', async () => {
    const schemes: Record<string, unknown> = {};
    for (let i = 0; i < 1000; i++) schemes[`basic${i}`] = { type: 'http', scheme: 'basic' };
    const api = await regional.send(new G.ImportApiCommand({ Body: JSON.stringify(definition('noisy', 1, { components: { securitySchemes: schemes } })) }));
    const warnings = (await regional.send(new G.GetApiCommand({ ApiId: api.ApiId }))).Warnings!;
    assert.equal(warnings.length, 101);
    assert.equal(warnings[0], 'securitySchemes.basic0: no x-amazon-apigateway-authorizer; ignored.');
    assert.equal(warnings[100], '…and 900 more warnings.');
  });

  it('ReimportApi over the quota leaves the API as it was (name, routes, integrations)', async () => {
    const api = await regional.send(new G.ImportApiCommand({ Body: JSON.stringify(definition('kept', 3)) }));
    const routesBefore = (await regional.send(new G.GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => [r.RouteId, r.RouteKey, r.Target]).sort();
    const integrationsBefore = (await regional.send(new G.GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!.map((i) => [i.IntegrationId, i.IntegrationUri]).sort();
    assertQuotaReached(await failure(regional.send(new G.ReimportApiCommand({ ApiId: api.ApiId, Body: JSON.stringify(definition('replaced', 301)) }))), 'Routes');
    assert.equal((await regional.send(new G.GetApiCommand({ ApiId: api.ApiId }))).Name, 'kept');
    assert.deepEqual((await regional.send(new G.GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => [r.RouteId, r.RouteKey, r.Target]).sort(), routesBefore);
    assert.deepEqual((await regional.send(new G.GetIntegrationsCommand({ ApiId: api.ApiId }))).Items!.map((i) => [i.IntegrationId, i.IntegrationUri]).sort(), integrationsBefore);
  });
});

describe('event-loop blocking (the issue asks for a test that measures it)', () => {
  // The server runs in this process, so its handlers block this event loop: a histogram sampling
  // every millisecond records the longest stretch nothing else could run (requests, the data plane,
  // DNS). Bound: the issue's 50 ms. On an idle machine an import at the quota blocks ~10-20 ms;
  // before the fix it blocked ~60-85 ms at the quota and 10-17 s for 5,000 paths. The suite's
  // machine is shared (2 cores, other workers): the histogram also counts the time the OS gives the
  // core to someone else, which can add tens of milliseconds at random. So each call is measured up
  // to 3 times and its best figure counts: noise does not repeat, a block in our code does.
  const BOUND_MS = 50;
  const ATTEMPTS = 3;

  async function maxBlockMs(run: () => Promise<unknown>): Promise<number> {
    const h = monitorEventLoopDelay({ resolution: 1 });
    h.enable();
    try {
      await run();
    } finally {
      h.disable();
    }
    return h.max / 1e6;
  }

  /** The best of up to ATTEMPTS measurements (stops at the first under the bound); all of them, for the log. */
  async function bestBlockMs(run: () => Promise<unknown>): Promise<{ best: number; all: number[] }> {
    const all: number[] = [];
    while (all.length < ATTEMPTS && !all.some((ms) => ms < BOUND_MS)) all.push(await maxBlockMs(run));
    return { best: Math.min(...all), all };
  }

  it(`ImportApi (JSON, YAML) and ReimportApi at the quota (300 routes, 300 integrations), and of 5,000 paths, block the loop < ${BOUND_MS} ms`, async (t) => {
    const atQuota = JSON.stringify(definition('at-quota', 300));
    const atQuotaYaml = toYaml(definition('at-quota-yaml', 300));
    const atQuotaAgain = JSON.stringify(definition('at-quota-again', 300));
    const huge = JSON.stringify(definition('huge', 5000));
    let apiId = '';
    const json = await bestBlockMs(async () => {
      apiId = (await gw.send(new G.ImportApiCommand({ Body: atQuota }))).ApiId!;
    });
    const yaml = await bestBlockMs(() => gw.send(new G.ImportApiCommand({ Body: atQuotaYaml })));
    await gw.send(new G.CreateStageCommand({ ApiId: apiId, StageName: 'live', AutoDeploy: true }));
    const reimport = await bestBlockMs(() => gw.send(new G.ReimportApiCommand({ ApiId: apiId, Body: atQuotaAgain })));
    const refused = await bestBlockMs(() => gw.send(new G.ImportApiCommand({ Body: huge })).catch((e: Error) => assert.equal(e.name, 'ConflictException')));
    const show = (m: { best: number; all: number[] }) => `${m.best.toFixed(1)} ms${m.all.length > 1 ? ` (attempts: ${m.all.map((ms) => ms.toFixed(1)).join(', ')})` : ''}`;
    const figures = `ImportApi at the quota: ${show(json)}; the same in YAML: ${show(yaml)}; ReimportApi at the quota (auto-deploy stage): ${show(reimport)}; ImportApi of 5,000 paths (refused): ${show(refused)}`;
    t.diagnostic(`longest event-loop block — ${figures}`);
    console.log(`[security-quotas] longest event-loop block — ${figures}`);
    assert.equal((await routeKeys(apiId)).length, 300);
    assert.ok(Math.max(json.best, yaml.best, reimport.best, refused.best) < BOUND_MS, figures);
  });
});
