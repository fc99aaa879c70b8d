// A gateway worker thread that crashes is replaced (docs/gateway.md "Gateway workers"): the real
// `wayfinder up --gateway-workers 2` as a child process, with the test hook WAYFINDER_TEST_HOOKS=1, under
// which SIGUSR2 makes worker 1 take the shared throttle table's claim lock and die of an uncaught error
// (the worst moment for the other threads). Meanwhile every request is answered by the main thread;
// the replacement comes back and serves; a new throttled API (whose buckets need that lock) still gets
// one bucket per route across the threads; a deployment change reaches both threads. Thread facts come
// from GET /_wayfinder/health, never from timing; every loop is bounded.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import * as G from '@aws-sdk/client-apigatewayv2';
import { sdkConfig } from '../support/server.js';
import { type Answer, invoke, startBackend, type Backend } from '../support/gateway.js';
import { startCli, type RunningCli } from '../support/cli.js';
import { assertOneBucketPerRoute, everyThreadCaughtUp, facts, throttledApi, untilEveryThreadServed, untilFacts } from './gateway-workers-facts.js';

let cli: RunningCli;
let dataDir: string;
let blue: Backend;
let green: Backend;

before(async () => {
  [blue, green] = await Promise.all([startBackend('blue'), startBackend('green')]);
  dataDir = execFileSync('mktemp', ['-d']).toString().trim();
  cli = await startCli(['--port', '0', '--dns-port', '0', '--data-dir', dataDir, '--runtime', 'process', '--gateway-workers', '2'], { WAYFINDER_TEST_HOOKS: '1' });
});
after(async () => {
  if (cli.child.exitCode === null) cli.child.kill('SIGKILL');
  await Promise.all([blue.close(), green.close()]);
  execFileSync('rm', ['-rf', dataDir]);
});

const name = (a: { text: string }) => (JSON.parse(a.text) as { name: string }).name;

/** One request on a new connection; a lost connection fails the test instead of leaving it waiting. */
function call(apiId: string, path: string): Promise<Answer> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer to ${path} within 15 s`)), 15_000);
  });
  return Promise.race([invoke(cli, apiId, { path, timeoutMs: 10_000 }), late]).finally(() => clearTimeout(timer));
}

test('a worker that dies inside a bucket claim is replaced; traffic, throttling and propagation hold', async () => {
  // An SDK client's kept-alive connections may be the crashed worker's (it pipes the ones it forwards
  // to the main thread): those die with it, as on any proxy. A fresh client is made after the crash.
  let gw = new G.ApiGatewayV2Client(sdkConfig(cli));
  try {
    const apiId = (await gw.send(new G.CreateApiCommand({ Name: 'steady', ProtocolType: 'HTTP', Target: blue.url }))).ApiId!;
    await everyThreadCaughtUp(cli.port);
    const ok = (answers: Array<{ status: number; text: string }>) => answers.every((a) => a.status === 200 && name(a) === 'blue');
    assert.ok(ok(await untilEveryThreadServed(cli.port, () => call(apiId, '/before'))), 'both threads serve before the crash');

    cli.child.kill('SIGUSR2');
    const down = await untilFacts(cli.port, 'worker 1 to exit', (f) => !f.up[1]!);
    assert.equal(down.restarts[1], 0);
    // While it is gone, every request (each on a new connection) is answered, by the main thread.
    const during = [];
    for (let i = 0; i < 30; i++) during.push(await call(apiId, `/during/${i}`));
    const afterDuring = await facts(cli.port);
    assert.ok(ok(during), `every request answered by the backend: ${during.map((a) => a.status).join(' ')}`);
    if (!afterDuring.up[1]) assert.equal(afterDuring.served[1], down.served[1], 'the dead worker served nothing');

    gw.destroy();
    gw = new G.ApiGatewayV2Client(sdkConfig(cli));
    const back = await untilFacts(cli.port, 'the replacement of worker 1', (f) => f.up[1]! && f.restarts[1] === 1);
    assert.deepEqual(back.up, [true, true]);
    assert.match(cli.output(), /crashed on purpose/, 'the crash is logged');
    assert.match(cli.output(), /gateway worker exited; restarting it in 1 s/);
    await everyThreadCaughtUp(cli.port);
    assert.ok(ok(await untilEveryThreadServed(cli.port, () => call(apiId, '/after'))), 'both threads serve again');

    // New buckets need the claim lock the dead worker held: still one bucket per route across threads.
    const throttled = await throttledApi(gw, blue.url);
    await everyThreadCaughtUp(cli.port);
    await assertOneBucketPerRoute(cli.port, throttled);

    // A deployment change reaches both threads, the replacement included.
    await gw.send(new G.UpdateApiCommand({ ApiId: apiId, Target: green.url }));
    await everyThreadCaughtUp(cli.port);
    const moved = await untilEveryThreadServed(cli.port, () => call(apiId, '/moved'));
    assert.deepEqual(new Set(moved.map(name)), new Set(['green']));

    cli.child.kill('SIGTERM');
    assert.equal(await cli.exited, 0, cli.output());
  } finally {
    gw.destroy();
  }
});
