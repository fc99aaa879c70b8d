// The `wayfinder` command's contract: flags, env, refusals, help.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runCli } from '../support/cli.js';

test('a non-loopback --host with only the built-in key is refused', async () => {
  const r = await runCli(['up', '--host', '0.0.0.0', '--port', '0']);
  assert.equal(r.code, 2);
  assert.match(r.stderr, /refusing to listen on 0\.0\.0\.0/);
  const env = await runCli(['up', '--port', '0'], { WAYFINDER_HOST: '192.0.2.1' });
  assert.equal(env.code, 2);
  assert.match(env.stderr, /refusing to listen on 192\.0\.2\.1/);
});

test('bad flag values and unknown options are usage errors, not crashes', async () => {
  assert.match((await runCli(['up', '--port', 'eighty'])).stderr, /--port must be a whole number/);
  assert.match((await runCli(['up', '--runtime', 'vm'])).stderr, /--runtime must be one of auto, process, docker/);
  const unknown = await runCli(['up', '--colour', 'blue']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown option --colour/);
  assert.equal((await runCli(['frobnicate'])).code, 2);
});

test('up --help lists every option with its env variable', async () => {
  const r = await runCli(['up', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--port', '--host', '--data-dir', '--dns-port', '--runtime', '--auth']) assert.match(r.stdout, new RegExp(flag));
  assert.match(r.stdout, /WAYFINDER_DNS_PORT/);
});
