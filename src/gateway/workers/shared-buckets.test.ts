import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Worker } from 'node:worker_threads';
import { makeBucket } from '../token-bucket.js';
import { SharedBucketTable } from './shared-buckets.js';

test('a shared bucket refills and empties like a local one', () => {
  const table = new SharedBucketTable(64);
  const b = makeBucket(table, 'api/stage/route/GET /', 10, 3, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(0), b.take(0)], [true, true, true, false]);
  assert.equal(b.take(50), false, 'half a token after 50 ms at 10/s');
  assert.equal(b.take(100), true, 'one token after 100 ms');
  assert.equal(b.take(100), false);
  assert.deepEqual([b.take(10_000), b.take(10_000), b.take(10_000), b.take(10_000)], [true, true, true, false], 'refilled to the burst, not past it');
});

test('burst 0, or rate 0 after the burst, gives nothing', () => {
  const table = new SharedBucketTable(64);
  assert.equal(makeBucket(table, 'blocked', 0, 0, 0).take(0), false);
  const b = makeBucket(table, 'no-refill', 0, 2, 0);
  assert.deepEqual([b.take(0), b.take(0), b.take(1e9)], [true, true, false]);
});

test('two buckets with one key share their tokens; other keys and other limits do not', () => {
  const table = new SharedBucketTable(64);
  const a = makeBucket(table, 'k', 0.001, 2, 0);
  const b = makeBucket(table, 'k', 0.001, 2, 0);
  assert.deepEqual([a.take(0), b.take(0), a.take(0), b.take(0)], [true, true, false, false]);
  assert.equal(makeBucket(table, 'other', 0.001, 2, 0).take(0), true);
  assert.equal(makeBucket(table, 'k', 0.001, 3, 0).take(0), true, 'a changed limit starts a full bucket');
});

test('a full table leaves buckets local instead of failing', () => {
  const table = new SharedBucketTable(2);
  // Rate 0.001/s: each drained bucket stays busy (not full) for the whole test, so no slot is reusable.
  for (let i = 0; i < 4; i++) assert.equal(makeBucket(table, `key-${i}`, 0.001, 1, 0).take(0), true);
  assert.equal(table.full, true);
});

test('slots of buckets that are full again are reused: 1,000 limit changes fit in 4 slots, and stay shared', () => {
  const table = new SharedBucketTable(4);
  for (let i = 0; i < 1000; i++) {
    // A user changing a route's limit: each limit is a new key; the old one refills 100 ms later.
    const now = i * 1000;
    const a = makeBucket(table, `api/stage/route/GET /\0${i + 1}\0${1}`, 10, 1, now);
    const b = makeBucket(table, `api/stage/route/GET /\0${i + 1}\0${1}`, 10, 1, now);
    assert.deepEqual([a.take(now), b.take(now)], [true, false], `change ${i}: one bucket for both holders`);
  }
  assert.equal(table.full, false, 'never out of slots');
});

test('a holder whose slot was reused finds its key again, with the same bucket as every other holder', () => {
  const table = new SharedBucketTable(1);
  const a1 = makeBucket(table, 'a', 10, 2, 0);
  assert.equal(a1.take(0), true);
  // 1 s later 'a' is full again: 'b' takes its slot over.
  const b = makeBucket(table, 'b', 0.001, 1, 1000);
  assert.equal(b.take(1000), true);
  assert.equal(table.full, false);
  // 'b' is drained (not reusable), so 'a' has no slot now: its holder falls back to its own tokens,
  assert.equal(a1.take(1000), true);
  assert.equal(table.full, true);
  // and 'b' keeps its bucket.
  assert.equal(b.take(2000), false, "b's bucket is still b's");
  // A table with room: both holders of one key end on one slot after a reuse.
  const roomy = new SharedBucketTable(1);
  const x1 = makeBucket(roomy, 'x', 10, 2, 0);
  const x2 = makeBucket(roomy, 'x', 10, 2, 0);
  assert.equal(makeBucket(roomy, 'y', 10, 1, 1000).take(1000), true, 'y took the slot of x (full)');
  assert.equal(x1.take(5000), true, 'x takes it back (y is full again at 5 s)');
  assert.deepEqual([x2.take(5000), x1.take(5000)], [true, false], 'x1 and x2 still share one bucket of 2');
});

/** Runs `code` in a worker thread with the table's buffer; resolves with its first message. */
function inThread<T>(code: string, data: Record<string, unknown>): { worker: Worker; message: Promise<T> } {
  const module = new URL('./shared-buckets.js', import.meta.url).href;
  const worker = new Worker(`const { workerData, parentPort } = require('node:worker_threads');\nimport(workerData.module).then((m) => {${code}});`, {
    eval: true,
    workerData: { ...data, module },
  });
  const message = new Promise<T>((resolve, reject) => {
    worker.once('message', resolve);
    worker.once('error', reject);
  });
  return { worker, message };
}

test('threads taking from one bucket at once take exactly its burst', async () => {
  const table = new SharedBucketTable(1024);
  const burst = 20_000;
  // The key's slot exists before the threads start (each finds it without the lock): what is tested is the takes.
  makeBucket(table, 'shared', 0, burst, 0);
  // Each thread tries `burst` takes at rate 0: together they may get `burst` tokens, not one more.
  const code = `
    const t = new m.SharedBucketTable(workerData.buffer, workerData.holder);
    const b = t.bucket('shared\u00000\u0000' + workerData.burst, 0, workerData.burst, 0);
    let ok = 0;
    for (let i = 0; i < workerData.burst; i++) if (b.take(0)) ok++;
    parentPort.postMessage(ok);`;
  const runs = [1, 2, 3].map((holder) => inThread<number>(code, { buffer: table.buffer, burst, holder }));
  const taken = await Promise.all(runs.map((r) => r.message));
  await Promise.all(runs.map((r) => r.worker.terminate()));
  assert.equal(
    taken.reduce((a, b) => a + b, 0),
    burst,
    `tokens taken per thread: ${taken.join(', ')}`,
  );
});

test('threads naming the same new keys at once get one slot per key (claims and lock-free finds racing)', async () => {
  const table = new SharedBucketTable(4096);
  const keys = 500;
  // Each thread makes a bucket of each key (burst 1, no refill while the test runs) and takes a token:
  // over all threads, each key gives exactly one.
  const code = `
    const t = new m.SharedBucketTable(workerData.buffer, workerData.holder);
    let ok = 0;
    for (let k = 0; k < workerData.keys; k++) if (t.bucket('race-' + k, 0.001, 1, 0).take(0)) ok++;
    parentPort.postMessage({ ok, contended: t.contended, full: t.full });`;
  const runs = [1, 2, 3].map((holder) => inThread<{ ok: number; contended: number; full: boolean }>(code, { buffer: table.buffer, keys, holder }));
  const got = await Promise.all(runs.map((r) => r.message));
  await Promise.all(runs.map((r) => r.worker.terminate()));
  // A claim that gave up on the lock (its holder descheduled for LOCK_WAIT_MS on a loaded machine)
  // made a bucket of its own, which gave one token more: each is counted, none other may exist.
  const gaveUp = got.reduce((a, b) => a + b.contended, 0);
  assert.equal(
    got.reduce((a, b) => a + b.ok, 0),
    keys + gaveUp,
    `tokens per thread: ${JSON.stringify(got)}`,
  );
});

test('a thread that dies holding the claim lock stalls nobody, and its lock is released when it is gone', async () => {
  const table = new SharedBucketTable(64);
  const s1 = makeBucket(table, 'before', 0.001, 1, 0);
  const s2 = makeBucket(table, 'before', 0.001, 1, 0);
  const { worker, message } = inThread<boolean>(`parentPort.postMessage(new m.SharedBucketTable(workerData.buffer, 1).holdClaimLock());`, { buffer: table.buffer });
  assert.equal(await message, true, 'the thread took the lock');
  await worker.terminate();
  // Takes on an existing bucket need no lock.
  assert.deepEqual([s1.take(0), s2.take(0)], [true, false], 'an existing bucket is still shared');
  // A new key cannot be claimed: its buckets are local for now (answers, not a stall).
  const c1 = makeBucket(table, 'new', 0.001, 1, 0);
  const c2 = makeBucket(table, 'new', 0.001, 1, 0);
  assert.deepEqual([c1.take(0), c2.take(0)], [true, true], 'two local buckets while the lock is held');
  assert.ok(table.contended >= 2);
  // What pool.ts does when a worker exits: the lock is free again, new keys are shared.
  table.releaseHeldBy(1);
  const d1 = makeBucket(table, 'later', 0.001, 1, 0);
  const d2 = makeBucket(table, 'later', 0.001, 1, 0);
  assert.deepEqual([d1.take(0), d2.take(0)], [true, false], 'one shared bucket again');
  assert.deepEqual([c1.take(200), c2.take(200)], [true, false], "the local ones attach after their retry pause: 'new' is one bucket again");
});
