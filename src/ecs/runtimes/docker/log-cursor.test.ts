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

test('once stamps leave the window, a catch-up starts after the newest of them and never re-sends one', () => {
  const c = new LogCursor();
  // 300 stamps; the 10th is out of order (stamped 5, before all the others), as a stderr entry can be.
  for (let i = 0; i < 300; i++) c.delivered(at(i === 10 ? 5 : 1000 + i));
  // The first 44 stamps left the window; the newest of them is 1043 (the early 5 left with them).
  assert.equal(c.catchUpSince(), '1796382000.000001044');
  assert.equal(c.isNew(at(1043)), false, 'at or before the floor: never sent again');
  assert.equal(c.isNew(at(1044)), false);
  assert.equal(c.isNew(at(1044)), true, 'delivered once, recognised once');
  assert.equal(c.isNew(at(1300)), true);
  c.delivered(at(1043));
  assert.equal(c.isNew(at(1043)), false, 'a late delivery at or before the floor is not counted, and not re-sent');
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
      const [sec = '0', frac = ''] = (since ?? '0').split('.');
      const from = BigInt(sec) * NS + BigInt(frac.padEnd(9, '0'));
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

test('docker runtime: a long log with out-of-order stamps and a split line is caught up without a repeat', async () => {
  // 299 stdout lines, a stderr line stamped before all of them, and a long line Docker split into
  // two entries with one stamp, right where the window's stamps end; the follow misses the last entry.
  const log: Entry[] = [];
  for (let i = 0; i < 299; i++) {
    if (i === 20) log.push({ stream: 2, ns: 5, text: 'early\n' });
    if (i === 43) log.push({ stream: 1, ns: 1043, text: 'long line, first piece ' }, { stream: 1, ns: 1043, text: 'second piece\n' });
    else log.push({ stream: 1, ns: 1000 + i, text: `line ${i}\n` });
  }
  log.push({ stream: 1, ns: 2000, text: 'last' });
  const engine = await scriptedEngine(log, log.length - 1);
  try {
    const lines: string[] = [];
    const started = await engine.runtime.start({ taskId: 't3', cluster: 'c', name: 'web', image: 'x', environment: {}, ports: [], onLine: (_s, l) => lines.push(l) });
    await engine.runtime.wait(started.handle);
    assert.equal(lines.length, 301, `${lines.length} lines`);
    assert.equal(new Set(lines).size, lines.length, 'no line twice');
    assert.ok(lines.includes('long line, first piece second piece'));
    assert.equal(lines.at(-1), 'last');
    assert.match(engine.reads[1]!, /since=\d+\.\d{9}/, 'a long log is read again only from the window');
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
