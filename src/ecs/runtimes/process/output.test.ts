import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, rmSync, writeSync, constants as fsConstants } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { OutputFollower } from './output.js';

/** Three FIFOs as output.ts makes them: the follower's read ends and a writer's read-write ends. */
function pipes() {
  const dir = mkdtempSync(join(tmpdir(), 'wf-output-'));
  const names = ['stdout', 'stderr', 'status'] as const;
  execFileSync(
    'mkfifo',
    names.map((n) => join(dir, n)),
  );
  const open = (flags: number) => Object.fromEntries(names.map((n) => [n, openSync(join(dir, n), flags)])) as Record<(typeof names)[number], number>;
  const read = open(fsConstants.O_RDONLY | fsConstants.O_NONBLOCK);
  const write = open(fsConstants.O_RDWR);
  return { dir, read, write };
}

test('a status pipe fed endless text without a newline gives an unknown status, not a growing buffer', { timeout: 10_000 }, async () => {
  const p = pipes();
  try {
    const follower = new OutputFollower(p.read);
    const junk = Buffer.alloc(4096, 0x37);
    for (let i = 0; i < 8; i++) writeSync(p.write.status, junk);
    assert.equal(await follower.status, undefined);
    follower.end();
  } finally {
    for (const fd of Object.values(p.write)) closeSync(fd);
    rmSync(p.dir, { recursive: true, force: true });
  }
});

test('the status the wrapper records is read as its exit code', async () => {
  const p = pipes();
  try {
    const follower = new OutputFollower(p.read);
    writeSync(p.write.status, '143\n');
    assert.equal(await follower.status, 143);
    follower.end();
  } finally {
    for (const fd of Object.values(p.write)) closeSync(fd);
    rmSync(p.dir, { recursive: true, force: true });
  }
});
