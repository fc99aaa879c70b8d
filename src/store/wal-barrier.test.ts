import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WalBarrier } from './wal-barrier.js';

test('a barrier that cannot sync rejects the answers waiting on it, and the next one tries again', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-barrier-'));
  try {
    const where = join(dir, 'data');
    const barrier = new WalBarrier(join(where, 'wayfinder.db'));
    barrier.deferred();
    const waiting = barrier.durable();
    assert.ok(waiting instanceof Promise);
    await assert.rejects(waiting, /ENOENT/, 'never acknowledged when the sync failed');
    assert.equal(barrier.barriers, 0);
    // The file is there now: the next writes get their barrier, which covers the earlier one too.
    mkdirSync(where);
    writeFileSync(join(where, 'wayfinder.db-wal'), 'frames');
    barrier.deferred();
    barrier.deferred();
    await barrier.durable();
    assert.equal(barrier.barriers, 1, 'two writes, one sync');
    assert.equal(barrier.durable(), undefined, 'nothing left unsynced');
    barrier.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
