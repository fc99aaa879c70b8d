import { test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { silentLogger } from '../kernel/log.js';
import { TerminalError, WorkQueue } from './work-queue.js';

test('keys are deduplicated and a key added while running runs once more', async () => {
  const runs: string[] = [];
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  const q = new WorkQueue(
    't',
    async (key) => {
      runs.push(key);
      if (runs.length === 1) await gate;
    },
    { logger: silentLogger, concurrency: 1 },
  );
  q.add('a');
  q.add('a');
  await sleep(5);
  q.add('a'); // while running
  q.add('a');
  release();
  await sleep(20);
  await q.idle();
  assert.deepEqual(runs, ['a', 'a']);
});

test('failures retry with backoff; terminal errors do not; requeueAfter re-checks', async () => {
  const attempts = new Map<string, number>();
  const q = new WorkQueue(
    't',
    (key) => {
      const n = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, n);
      if (key === 'flaky' && n < 3) throw new Error('not yet');
      if (key === 'fatal') throw new TerminalError('bad config');
      if (key === 'poll' && n < 2) return { requeueAfter: 5 };
    },
    { logger: silentLogger, baseBackoffMs: 5 },
  );
  q.add('flaky');
  q.add('fatal');
  q.add('poll');
  await sleep(100);
  assert.equal(attempts.get('flaky'), 3);
  assert.equal(attempts.get('fatal'), 1);
  assert.equal(attempts.get('poll'), 2);
  await q.stop();
});
