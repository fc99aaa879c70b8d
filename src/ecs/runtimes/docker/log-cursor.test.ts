// The log cursor on its own, and the docker runtime's catch-up read against a scripted engine (an
// HTTP server on a unix socket that answers the few Engine API calls a task's start and exit make).
// A real engine drops the last entry only now and then (moby/moby#43860), so the drop is scripted
// here; the docker conformance suite checks the same output against a real engine.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerRuntime } from './docker-runtime.js';
import { DockerEngine } from './engine-client.js';
import { LogCursor, splitStamp } from './log-cursor.js';

const NS = 1_000_000_000n;
/** 2026-12-04T11:00:00Z in nanoseconds, plus `ns`. */
const at = (ns: number) => 1_796_382_000n * NS + BigInt(ns);
const stamp = (ns: number) => `2026-12-04T11:00:00.${String(ns).padStart(9, '0')}Z`;

test('splitStamp reads the engine stamp in UTC or with an offset, and leaves an unstamped entry whole', () => {
  const utc = splitStamp(Buffer.from(`${stamp(5)} hello\n`));
  assert.equal(utc.at, at(5));
  assert.equal(utc.payload.toString(), 'hello\n');
  const offset = splitStamp(Buffer.from('2026-12-04T12:00:00.000000007+01:00 x'));
  assert.equal(offset.at, at(7));
  assert.equal(offset.payload.toString(), 'x');
  const bare = splitStamp(Buffer.from('no stamp here'));
  assert.equal(bare.at, undefined);
  assert.equal(bare.payload.toString(), 'no stamp here');
});

test('a cursor recognises each delivered entry once, shared stamps included, and nothing else', () => {
  const c = new LogCursor();
  for (const ns of [1, 2, 2, 3]) c.delivered(at(ns));
  assert.equal(c.catchUpSince(), undefined, 'a short log is read again from the start');
  assert.deepEqual(
    [1, 2, 2, 2, 3, 4].map((ns) => c.isNew(at(ns))),
    [false, false, false, true, false, true],
  );
  assert.equal(new LogCursor(1_796_468_400_250).catchUpSince(), '1796468400.250', 'a re-adopted follow starts where it began');
});

test('once the window is full, a catch-up starts at its oldest stamp, even one delivered out of order', () => {
  const c = new LogCursor();
  for (let i = 0; i < 300; i++) c.delivered(at(i === 290 ? 10 : 1000 + i));
  // The window holds the last 256 deliveries: 1044..1299, with the out-of-order 10 among them.
  assert.equal(c.catchUpSince(), '1796382000.000000010');
  assert.equal(c.isNew(at(1043)), true, 'an entry before the window is not recognised (the since filter keeps it out)');
  assert.equal(c.isNew(at(1044)), false);
  assert.equal(c.isNew(at(10)), false);
});

/** Docker's stdcopy framing: [stream, 0, 0, 0, size u32 BE] then the entry. */
function frame(stream: 1 | 2, text: string): Buffer {
  const body = Buffer.from(text);
  const head = Buffer.alloc(8);
  head[0] = stream;
  head.writeUInt32BE(body.length, 4);
  return Buffer.concat([head, body]);
}

type Entry = { stream: 1 | 2; ns: number; text: string };

/** An engine whose followed log stream ends before the last entries; a plain read returns the whole log. */
async function scriptedEngine(log: Entry[], followed: number) {
  const dir = mkdtempSync(join(tmpdir(), 'wf-engine-'));
  const socketPath = join(dir, 'docker.sock');
  const reads: string[] = [];
  const json = (res: ServerResponse, status: number, body: unknown) => res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://docker');
    const send = (entries: Entry[]) => {
      res.writeHead(200, { 'content-type': 'application/vnd.docker.raw-stream' });
      for (const e of entries) res.write(frame(e.stream, `${stamp(e.ns)} ${e.text}`));
      res.end();
    };
    if (url.pathname === '/containers/create') return json(res, 201, { Id: 'c1' });
    if (url.pathname === '/containers/c1/start') return res.writeHead(204).end();
    if (url.pathname === '/containers/c1/json')
      return json(res, 200, { Id: 'c1', State: { Running: false, ExitCode: 3, Status: 'exited' }, NetworkSettings: { Ports: {} }, Config: { Labels: {} } });
    if (url.pathname === '/containers/c1/wait') return void setTimeout(() => json(res, 200, { StatusCode: 3 }), 50);
    if (url.pathname === '/containers/c1/logs') {
      reads.push(url.search);
      assert.equal(url.searchParams.get('timestamps'), 'true');
      if (url.searchParams.get('follow') === 'true') return send(log.slice(0, followed));
      const since = url.searchParams.get('since');
      const from = since === null ? 0n : BigInt(since.replace('.', ''));
      return send(log.filter((e) => at(e.ns) >= from));
    }
    json(res, 404, { message: `no route ${req.method} ${url.pathname}` });
  });
  await new Promise<void>((r) => server.listen(socketPath, r));
  return {
    reads,
    runtime: new DockerRuntime(new DockerEngine({ socketPath }), 'catchup'),
    close: () => (server.close(), rmSync(dir, { recursive: true, force: true })),
  };
}

test('docker runtime: the entries a followed log stream missed before the exit are read again, once each', async () => {
  const log: Entry[] = [
    { stream: 1, ns: 100, text: 'one\n' },
    { stream: 2, ns: 200, text: 'two\n' },
    { stream: 1, ns: 200, text: 'same stamp\n' },
    { stream: 1, ns: 150, text: 'stamped early, written late\n' },
    { stream: 1, ns: 300, text: 'three' },
  ];
  const engine = await scriptedEngine(log, 2);
  try {
    const lines: string[] = [];
    const started = await engine.runtime.start({ taskId: 't1', cluster: 'c', name: 'web', image: 'x', environment: {}, ports: [], onLine: (s, l) => lines.push(`${s}:${l}`) });
    assert.equal((await engine.runtime.wait(started.handle)).exitCode, 3);
    assert.deepEqual(lines, ['stdout:one', 'stderr:two', 'stdout:same stamp', 'stdout:stamped early, written late', 'stdout:three']);
    assert.equal(engine.reads.length, 2, 'one follow, one catch-up read');
    assert.doesNotMatch(engine.reads[1]!, /follow|since/, 'a short log is read again whole');
  } finally {
    await engine.runtime.close();
    engine.close();
  }
});

test('docker runtime: a followed log stream that missed nothing gives no line twice', async () => {
  const log: Entry[] = [
    { stream: 1, ns: 100, text: 'one\n' },
    { stream: 1, ns: 100, text: 'two\n' },
  ];
  const engine = await scriptedEngine(log, 2);
  try {
    const lines: string[] = [];
    const started = await engine.runtime.start({ taskId: 't2', cluster: 'c', name: 'web', image: 'x', environment: {}, ports: [], onLine: (_s, l) => lines.push(l) });
    await engine.runtime.wait(started.handle);
    assert.deepEqual(lines, ['one', 'two']);
  } finally {
    await engine.runtime.close();
    engine.close();
  }
});
