import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ConfigError, resolveConfig } from './config.js';

test('flags win over WAYFINDER_* env, env over defaults', () => {
  assert.equal(resolveConfig({}, {}).port, 4566);
  assert.equal(resolveConfig({}, { WAYFINDER_PORT: '5000' }).port, 5000);
  assert.equal(resolveConfig({ port: '6000' }, { WAYFINDER_PORT: '5000' }).port, 6000);
  assert.equal(resolveConfig({}, { WAYFINDER_RUNTIME: 'docker' }).runtime, 'docker');
});

test('key pairs act in their named account, a 12-digit key in its own, others in --account-id; malformed entries are refused', () => {
  const c = resolveConfig({ credentials: 'AKIAEXAMPLE:s3cret,OTHER:x:123456789012,210987654321:y', accountId: '555555555555' }, {});
  assert.deepEqual(
    c.credentials.map((k) => [k.accessKeyId, k.accountId]),
    [
      ['test', '555555555555'],
      ['AKIAEXAMPLE', '555555555555'],
      ['OTHER', '123456789012'],
      ['210987654321', '210987654321'],
    ],
  );
  assert.throws(() => resolveConfig({ credentials: 'nosecret' }, {}), ConfigError);
  assert.throws(() => resolveConfig({ credentials: 'A:B:1234' }, {}), /AKID:SECRET:ACCOUNT \(12 digits\)/);
  assert.throws(() => resolveConfig({ credentials: 'A:B:123456789012:x' }, {}), ConfigError);
});

test('--account-id (WAYFINDER_ACCOUNT_ID) defaults to 000000000000 and must be 12 digits', () => {
  assert.equal(resolveConfig({}, {}).accountId, '000000000000');
  assert.equal(resolveConfig({}, { WAYFINDER_ACCOUNT_ID: '123456789012' }).accountId, '123456789012');
  assert.throws(() => resolveConfig({ accountId: '12345' }, {}), /--account-id must be 12 digits/);
});

test('--auth is on, strict or off; a non-loopback bind is always strict', () => {
  assert.equal(resolveConfig({}, {}).auth, 'on');
  assert.equal(resolveConfig({ auth: 'strict' }, {}).auth, 'strict');
  assert.equal(resolveConfig({}, { WAYFINDER_AUTH: 'off' }).auth, 'off');
  assert.throws(() => resolveConfig({ auth: 'maybe' }, {}), /--auth must be one of on, strict, off/);
  assert.equal(resolveConfig({ host: '0.0.0.0', credentials: 'A:B' }, {}).auth, 'strict');
  assert.equal(resolveConfig({ host: '0.0.0.0', credentials: 'A:B', auth: 'strict' }, {}).auth, 'strict');
});

test('a non-loopback host needs your own key and auth on', () => {
  assert.throws(() => resolveConfig({ host: '0.0.0.0' }, {}), /refusing to listen on 0\.0\.0\.0/);
  assert.throws(() => resolveConfig({ host: '0.0.0.0', credentials: 'A:B', auth: 'off' }, {}), /refusing/);
  assert.equal(resolveConfig({ host: '0.0.0.0', credentials: 'A:B' }, {}).host, '0.0.0.0');
  assert.equal(resolveConfig({ host: '127.0.0.2' }, {}).host, '127.0.0.2');
});

test('--gateway-workers (WAYFINDER_GATEWAY_WORKERS) defaults to 1, takes 1–64, and needs a data dir on disk above 1', () => {
  assert.equal(resolveConfig({}, {}).gatewayWorkers, 1);
  assert.equal(resolveConfig({}, { WAYFINDER_GATEWAY_WORKERS: '2' }).gatewayWorkers, 2);
  assert.throws(() => resolveConfig({ gatewayWorkers: '0' }, {}), /--gateway-workers must be a whole number from 1 to 64/);
  assert.throws(() => resolveConfig({ gatewayWorkers: '65' }, {}), ConfigError);
  assert.throws(() => resolveConfig({ gatewayWorkers: '2', dataDir: ':memory:' }, {}), /needs a data dir on disk/);
  assert.equal(resolveConfig({ gatewayWorkers: '1', dataDir: ':memory:' }, {}).gatewayWorkers, 1);
});
