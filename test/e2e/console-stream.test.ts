// The console's change stream contract (docs/console.md), read with plain HTTP: a hello, then one
// `change` event per commit naming the tables it touched and no records; at most MAX_STREAMS at once;
// the page's headers (CSP, nosniff); the key only for loopback callers. The topology's request stream:
// nothing recorded while nobody watches, then each completed request, at most the last 50 kept.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { request, type IncomingMessage } from 'node:http';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as ECS from '@aws-sdk/client-ecs';
import { MAX_STREAMS } from '../../src/console/change-stream.js';
import { RECENT_REQUESTS_PER_API } from '../../src/gateway/recent-requests.js';
import { invoke, startBackend } from '../support/gateway.js';
import { rawRequest, sdkConfig, startTestServer } from '../support/server.js';

function openStream(port: number, path = '/_wayfinder/console/events'): Promise<IncomingMessage> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, headers: { accept: 'text/event-stream' } }, resolve);
    req.on('error', reject);
    req.end();
  });
}

function readUntil(res: IncomingMessage, pattern: RegExp): Promise<string> {
  return new Promise((resolve) => {
    let text = '';
    const onData = (chunk: Buffer) => {
      text += chunk.toString('utf8');
      if (pattern.test(text)) {
        res.off('data', onData);
        resolve(text);
      }
    };
    res.on('data', onData);
  });
}

test('console stream: hello, one change event per commit with table names only, bounded connections', async () => {
  const server = await startTestServer();
  const open: IncomingMessage[] = [];
  try {
    const first = await openStream(server.port);
    open.push(first);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['content-type']), /^text\/event-stream/);
    const hello = await readUntil(first, /event: hello\n/);
    assert.match(hello, new RegExp(`data: \\{"maxStreams":${MAX_STREAMS}\\}`));

    const changed = readUntil(first, /event: change\ndata: .*\n\n/);
    await new ECS.ECSClient(sdkConfig(server)).send(new ECS.CreateClusterCommand({ clusterName: 'streamed' }));
    const frame = /id: (\d+)\nevent: change\ndata: (.*)\n\n/.exec(await changed)!;
    const data = JSON.parse(frame[2]!) as { revision: number; tables: string[] };
    assert.equal(data.revision, Number(frame[1]));
    assert.ok(data.tables.includes('ecs_clusters'), data.tables.join(','));
    assert.ok(!frame[2]!.includes('streamed'), 'no record names in the stream');

    for (let i = 1; i < MAX_STREAMS; i++) open.push(await openStream(server.port));
    assert.ok(open.every((r) => r.statusCode === 200));
    const refused = await openStream(server.port);
    assert.equal(refused.statusCode, 503);
    assert.equal(refused.headers['retry-after'], '5');
    refused.resume();

    // Closing one makes room for another.
    open.pop()!.destroy();
    let again: IncomingMessage | undefined;
    for (let i = 0; i < 50 && again?.statusCode !== 200; i++) {
      again?.resume();
      await new Promise((r) => setTimeout(r, 20));
      again = await openStream(server.port);
    }
    assert.equal(again!.statusCode, 200);
    open.push(again!);
  } finally {
    for (const r of open) r.destroy();
    await server.destroy();
  }
});

test('console page: strict CSP, no inline script, key for loopback callers only', async () => {
  const server = await startTestServer();
  try {
    const res = await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console/`);
    assert.equal(res.status, 200);
    const csp = res.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.equal(res.headers.get('x-content-type-options'), 'nosniff');
    const html = await res.text();
    assert.doesNotMatch(html, /<script>|<script(?![^>]*\bsrc=)[^>]*>|\sstyle=|\son[a-z]+=/);
    const redirect = await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console`, { redirect: 'manual' });
    assert.equal(redirect.status, 308);
    const script = await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console/app/main.js`);
    assert.equal(script.status, 200);
    assert.match(String(script.headers.get('content-type')), /^text\/javascript/);
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console/app/..%2fpage.js`)).status, 404);
    const cfg = (await (await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console/config.json`)).json()) as { credentials: { accessKeyId: string } | null };
    assert.equal(cfg.credentials?.accessKeyId, 'test');
    // On an API's host the console does not exist: that host's paths are the API's.
    const onApi = await rawRequest(server, { path: '/_wayfinder/console/', headers: { host: `abcdefghij.execute-api.localhost:${server.port}` } });
    assert.equal(onApi.status, 404);
    assert.doesNotMatch(onApi.text, /Wayfinder console/);
  } finally {
    await server.destroy();
  }
});

interface Recorded {
  seq: number;
  method: string;
  path: string;
  routeKey: string | null;
  status: number;
  latencyMs: number;
  integrationStatus: number;
  instanceId: string | null;
}

/** The `requests` events of a stream, collected as they come. */
function collect(res: IncomingMessage): Recorded[] {
  const got: Recorded[] = [];
  let text = '';
  res.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
    let end = text.indexOf('\n\n');
    while (end >= 0) {
      const frame = text.slice(0, end);
      text = text.slice(end + 2);
      const m = /^event: requests\ndata: (.*)$/m.exec(frame);
      if (m) got.push(...(JSON.parse(m[1]!) as Recorded[]));
      end = text.indexOf('\n\n');
    }
  });
  return got;
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  assert.fail(`timed out waiting for ${what}`);
}

test('console request stream: nothing recorded unwatched, then each request; the last 50 kept; guarded', async () => {
  const server = await startTestServer();
  const backend = await startBackend('pets');
  const open: IncomingMessage[] = [];
  try {
    const apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
    const { ApiId } = await apigw.send(new AG.CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Target: backend.url }));
    const apiId = ApiId!;
    const path = `/_wayfinder/console/requests/${apiId}`;
    assert.equal((await invoke(server, apiId, { path: '/before' })).status, 200);

    const first = await openStream(server.port, path);
    open.push(first);
    assert.equal(first.statusCode, 200);
    assert.match(String(first.headers['content-type']), /^text\/event-stream/);
    // The server watches before it sends the head: from here on, requests are recorded.
    const got = collect(first);
    assert.equal((await invoke(server, apiId, { path: '/pets/1?secret=s3cr3t', method: 'POST' })).status, 200);
    await until('the first request', () => got.length === 1);
    assert.equal(got[0]!.seq, 1, 'the request sent before anyone watched was not recorded');
    assert.equal(got[0]!.method, 'POST');
    assert.equal(got[0]!.path, '/pets/1', 'no query string');
    assert.equal(got[0]!.routeKey, '$default');
    assert.equal(got[0]!.status, 200);
    assert.equal(got[0]!.integrationStatus, 200);
    assert.ok(got[0]!.latencyMs >= 0);
    assert.equal(got[0]!.instanceId, null);

    const more = RECENT_REQUESTS_PER_API + 9;
    for (let i = 0; i < more; i++) await invoke(server, apiId, { path: `/n/${i}` });
    // Batches (at most one per 100 ms) carry what the ring still holds: seq rises, the last is the last sent.
    await until('the last request', () => got.at(-1)?.seq === more + 1);
    assert.ok(
      got.every((r, i) => i === 0 || r.seq > got[i - 1]!.seq),
      'seq rises',
    );
    assert.equal(got.at(-1)!.path, `/n/${more - 1}`);

    // A second watcher gets the ring: the last 50, oldest first.
    const second = await openStream(server.port, path);
    open.push(second);
    const backlog = collect(second);
    await until('the backlog', () => backlog.length === RECENT_REQUESTS_PER_API);
    assert.equal(backlog[0]!.seq, more + 2 - RECENT_REQUESTS_PER_API);
    assert.equal(backlog.at(-1)!.path, `/n/${more - 1}`);

    // The control plane's guard: a foreign Origin, an API's host; ids are letters and digits.
    const foreign = await rawRequest(server, { method: 'GET', path, headers: { origin: 'http://evil.example' } });
    assert.equal(foreign.status, 403);
    const onApi = await rawRequest(server, { method: 'GET', path, headers: { host: `${apiId}.execute-api.localhost:${server.port}` } });
    assert.match(onApi.text, /"name":"pets"/, "on the API's host the path is the API's");
    assert.equal((await fetch(`http://127.0.0.1:${server.port}/_wayfinder/console/requests/..%2fevents`)).status, 404);
  } finally {
    for (const r of open) r.destroy();
    await backend.close();
    await server.destroy();
  }
});

test('console request stream: a watcher that stops reading is cut once 1 MiB waits for it, not buffered without end', async () => {
  // Review finding (low): each batch was written whatever the watcher read, so a loopback client that
  // held a stream open without reading made the server buffer every request record (+30 MB in 15 s of
  // load, without bound).
  const server = await startTestServer();
  const backend = await startBackend('pets');
  try {
    const apigw = new AG.ApiGatewayV2Client(sdkConfig(server));
    const { ApiId } = await apigw.send(new AG.CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Target: backend.url }));
    const watcher = await openStream(server.port, `/_wayfinder/console/requests/${ApiId}`);
    watcher.pause(); // reads nothing while the API is busy
    const closed = new Promise<boolean>((resolve) => watcher.socket.once('close', () => resolve(true)));
    // 4 KB records; 12,000 requests make ~48 MB of them (the 50-slot ring sends what it holds every
    // 100 ms), more than the kernel's socket buffers take.
    const long = `/${'p'.repeat(4000)}`;
    for (let i = 0; i < 12_000; i++) assert.equal((await invoke(server, ApiId!, { path: long })).status, 200);
    // Now it reads: what was sent before the cut, then the end (a paused socket cannot see it earlier).
    watcher.on('data', () => {});
    watcher.on('error', () => {});
    watcher.resume();
    const ended = await Promise.race([closed, new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 20_000))]);
    assert.equal(ended, true, 'the watcher that read nothing was still held open');
  } finally {
    await backend.close();
    await server.destroy();
  }
});
