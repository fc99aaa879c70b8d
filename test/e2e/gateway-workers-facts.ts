// What the gateway-workers e2e files read from a server with --gateway-workers N: the health facts
// per thread (docs/gateway.md "Gateway workers"), and bounded loops over them. Which thread served
// what is read from these counters, never from timing.
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import { request } from 'node:http';
import { invoke } from '../support/gateway.js';

export interface WorkerFacts {
  threads: number;
  served: number[];
  revisions: number[];
  forwarded: number[];
  recorded: number[];
  up: boolean[];
  restarts: number[];
}

/** GET /_wayfinder/health on a new connection; rejects on any connection error or a cut answer. */
function health(port: number): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: '/_wayfinder/health', agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('error', reject);
      res.on('close', () => (res.complete ? resolve({ status: res.statusCode ?? 0, text }) : reject(new Error('health answer cut'))));
    });
    req.on('error', reject);
    req.setTimeout(10_000, () => req.destroy(new Error('health timed out')));
    req.end();
  });
}

/**
 * Read on a new connection each time (a kept-alive one may be a worker's, and die with it); a
 * connection a crashing worker was forwarding is lost, so a failed read is tried again (at most 5).
 */
export async function facts(port: number): Promise<WorkerFacts> {
  let failure: unknown;
  for (let i = 0; i < 5; i++) {
    try {
      const r = await health(port);
      assert.equal(r.status, 200, r.text);
      return (JSON.parse(r.text) as { gatewayWorkers: WorkerFacts }).gatewayWorkers;
    } catch (e) {
      failure = e;
      await new Promise((r) => setTimeout(r, 50));
    }
  }
  throw failure;
}

/** Polls until every thread has applied the main thread's current store revision (bounded). */
export async function everyThreadCaughtUp(port: number): Promise<void> {
  for (let i = 0; i < 200; i++) {
    const f = await facts(port);
    if (f.revisions.every((r) => r >= f.revisions[0]!)) return;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail('a gateway thread did not apply the latest change');
}

/** Polls the facts until `ok` holds (bounded: 400 × 25 ms). */
export async function untilFacts(port: number, what: string, ok: (f: WorkerFacts) => boolean): Promise<WorkerFacts> {
  for (let i = 0; i < 400; i++) {
    const f = await facts(port);
    if (ok(f)) return f;
    await new Promise((r) => setTimeout(r, 25));
  }
  assert.fail(`timed out waiting for ${what}: ${JSON.stringify(await facts(port))}`);
}

/**
 * Sends requests on fresh connections until every thread has served at least one (at most `max`);
 * returns the answers.
 */
export async function untilEveryThreadServed<T extends { status: number; text: string }>(port: number, send: () => Promise<T>, max = 400): Promise<T[]> {
  const before = await facts(port);
  const out: T[] = [];
  for (let i = 0; i < max; i++) {
    out.push(await send());
    if (i % 5 === 4) {
      const now = await facts(port);
      if (now.served.every((n, t) => n > before.served[t]!)) return out;
    }
  }
  assert.fail(`not every thread served within ${max} requests: ${JSON.stringify(await facts(port))}`);
}

/** Fires `n` requests at once, each on its own connection; counts 200s and 429s, and which threads served. */
export async function burst(port: number, apiId: string, path: string, n: number): Promise<{ ok: number; throttled: number; threadsServing: number }> {
  const before = await facts(port);
  const answers = await Promise.all(Array.from({ length: n }, () => invoke({ port }, apiId, { path })));
  const after = await facts(port);
  return {
    ok: answers.filter((a) => a.status === 200).length,
    throttled: answers.filter((a) => a.status === 429).length,
    threadsServing: after.served.filter((s, t) => s > before.served[t]!).length,
  };
}

/** The throttling test's API: five routes to `backendUrl`, each limited to a burst of 5 at 0.001/s (no token comes back while a test runs). */
export const THROTTLED_ROUTES = ['GET /t1', 'GET /t2', 'GET /t3', 'GET /t4', 'GET /t5'];
export async function throttledApi(g: G.ApiGatewayV2Client, backendUrl: string): Promise<string> {
  const apiId = (await g.send(new G.CreateApiCommand({ Name: 'throttled', ProtocolType: 'HTTP' }))).ApiId!;
  const integ = await g.send(
    new G.CreateIntegrationCommand({ ApiId: apiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: backendUrl, PayloadFormatVersion: '1.0' }),
  );
  for (const RouteKey of THROTTLED_ROUTES) await g.send(new G.CreateRouteCommand({ ApiId: apiId, RouteKey, Target: `integrations/${integ.IntegrationId}` }));
  const settings = Object.fromEntries(THROTTLED_ROUTES.map((r) => [r, { ThrottlingBurstLimit: 5, ThrottlingRateLimit: 0.001 }]));
  await g.send(new G.CreateStageCommand({ ApiId: apiId, StageName: '$default', RouteSettings: settings }));
  await g.send(new G.CreateDeploymentCommand({ ApiId: apiId, StageName: '$default' }));
  return apiId;
}

/**
 * Bursts of 30 on each throttled route in turn, until one burst was served by every thread: each must
 * give exactly 5 × 200 and 25 × 429, as one thread does.
 */
export async function assertOneBucketPerRoute(port: number, apiId: string): Promise<void> {
  let everyThread = false;
  for (const r of THROTTLED_ROUTES) {
    const b = await burst(port, apiId, r.slice(4), 30);
    assert.deepEqual([b.ok, b.throttled], [5, 25], `${r}: 5 × 200 and 25 × 429 across the threads`);
    if (b.threadsServing === (await facts(port)).threads) {
      everyThread = true;
      break;
    }
  }
  assert.ok(everyThread, 'in some burst every thread served requests');
}
