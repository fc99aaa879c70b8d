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
  for (let i = 0; i < 4; i++) assert.equal(makeBucket(table, `key-${i}`, 1, 1, 0).take(0), true);
  assert.equal(table.full, true);
});

test('threads taking from one bucket at once take exactly its burst', async () => {
  const table = new SharedBucketTable(1024);
  const burst = 20_000;
  // Each thread tries `burst` takes at rate 0: together they may get `burst` tokens, not one more.
  const code = `
    const { workerData, parentPort } = require('node:worker_threads');
    import(workerData.module).then(({ SharedBucketTable }) => {
      const t = new SharedBucketTable(workerData.buffer);
      const slot = t.slotOf('shared', workerData.burst, 0);
      let ok = 0;
      for (let i = 0; i < workerData.burst; i++) if (t.take(slot, 0, workerData.burst, 0)) ok++;
      parentPort.postMessage(ok);
    });
  `;
  const module = new URL('./shared-buckets.js', import.meta.url).href;
  const run = () =>
    new Promise<number>((resolve, reject) => {
      const w = new Worker(code, { eval: true, workerData: { buffer: table.buffer, burst, module } });
      w.once('message', (n: number) => {
        void w.terminate();
        resolve(n);
      });
      w.once('error', reject);
    });
  const taken = await Promise.all([run(), run(), run()]);
  assert.equal(
    taken.reduce((a, b) => a + b, 0),
    burst,
    `tokens taken per thread: ${taken.join(', ')}`,
  );
});
