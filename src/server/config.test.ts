import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveConfig } from './config.js';

test('flags win over WAYFINDER_* env, env over defaults', () => {
  assert.equal(resolveConfig({}, {}).port, 4566);
  assert.equal(resolveConfig({}, { WAYFINDER_PORT: '5000' }).port, 5000);
  assert.equal(resolveConfig({ port: '6000' }, { WAYFINDER_PORT: '5000' }).port, 6000);
  assert.equal(resolveConfig({}, { WAYFINDER_RUNTIME: 'docker' }).runtime, 'docker');
});

test('extra key pairs act in the one account; malformed entries are refused', () => {
  const c = resolveConfig({ credentials: 'AKIAEXAMPLE:s3cret,OTHER:x' }, {});
  assert.deepEqual(
    c.credentials.map((k) => [k.accessKeyId, k.accountId]),
    [
      ['test', '000000000000'],
      ['AKIAEXAMPLE', '000000000000'],
      ['OTHER', '000000000000'],
    ],
  );
  assert.throws(() => resolveConfig({ credentials: 'nosecret' }, {}), ConfigError);
  assert.throws(() => resolveConfig({ credentials: 'A:B:123456789012' }, {}), /look like AKID:SECRET/);
});

test('a non-loopback host needs your own key and auth on', () => {
  assert.throws(() => resolveConfig({ host: '0.0.0.0' }, {}), /refusing to listen on 0\.0\.0\.0/);
  assert.throws(() => resolveConfig({ host: '0.0.0.0', credentials: 'A:B', auth: 'off' }, {}), /refusing/);
  assert.equal(resolveConfig({ host: '0.0.0.0', credentials: 'A:B' }, {}).host, '0.0.0.0');
  assert.equal(resolveConfig({ host: '127.0.0.2' }, {}).host, '127.0.0.2');
});
