import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { test } from 'node:test';

// The logger loads pino on its first enabled line; what it writes is still pino's JSON line.
test('a logger writes pino JSON lines at and above its level, and nothing below', () => {
  const script = `
    import { createLogger } from ${JSON.stringify(new URL('./log.js', import.meta.url).href)};
    const log = createLogger('warn');
    log.info({ a: 1 }, 'not shown');
    log.debug('not shown either');
    log.warn({ task: 't-1' }, 'shown');
    log.error(new Error('boom'), 'failed');
  `;
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' });
  const lines = out
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  assert.equal(lines.length, 2);
  assert.deepEqual([lines[0].level, lines[0].msg, lines[0].task, lines[0].svc], [40, 'shown', 't-1', 'wayfinder']);
  assert.deepEqual([lines[1].level, lines[1].msg, lines[1].err.message], [50, 'failed', 'boom']);
});

test('an unknown level is refused, as pino refuses it', () => {
  const script = `import { createLogger } from ${JSON.stringify(new URL('./log.js', import.meta.url).href)}; createLogger('loud');`;
  assert.throws(() => execFileSync(process.execPath, ['--input-type=module', '-e', script], { stdio: 'pipe' }));
});
