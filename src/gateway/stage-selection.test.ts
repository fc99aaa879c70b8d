// The pure stage and API-mapping choices (docs/aws-behavior.md §3.1). That the explainer and the data
// plane agree through them, on a real server, is test/e2e/gateway-stage-selection.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { matchMapping, selectStage, type Arrival } from './stage-selection.js';

const api = {
  stages: new Map([
    ['$default', 'DEFAULT'],
    ['prod', 'PROD'],
  ]),
  defaultStage: 'DEFAULT',
};
const noDefault = { stages: new Map([['prod', 'PROD']]), defaultStage: undefined };

test('selectStage: first segment names a stage, else $default with the whole path; dot segments first', () => {
  const rows: Array<[Arrival['via'], string, string | undefined, string, string, string]> = [
    // via, path, stage, how, route path, $context.path
    ['host', '/', 'DEFAULT', 'default', '/', '/'],
    ['host', '/prod/pets', 'PROD', 'named', '/pets', '/prod/pets'],
    ['host', '/prod', 'PROD', 'named', '/', '/prod'],
    ['host', '/pr%6Fd/pets', 'PROD', 'named', '/pets', '/pr%6Fd/pets'],
    ['host', '/$default/pets', 'DEFAULT', 'default', '/$default/pets', '/$default/pets'],
    ['host', '/%24default/pets', 'DEFAULT', 'default', '/%24default/pets', '/%24default/pets'],
    ['host', '//prod/pets', 'DEFAULT', 'default', '//prod/pets', '//prod/pets'],
    ['host', '/x/../prod/pets', 'PROD', 'named', '/pets', '/prod/pets'],
    ['host', '/prod/..', 'DEFAULT', 'default', '/', '/'],
    ['path', '/$default/pets', 'DEFAULT', 'explicit-default', '/pets', '/pets'],
    ['path', '/%24default/pets', 'DEFAULT', 'explicit-default', '/pets', '/pets'],
    ['path', '/prod/pets', 'PROD', 'named', '/pets', '/prod/pets'],
  ];
  for (const [via, rawPath, stage, how, path, contextPath] of rows) {
    const s = selectStage(api, { via, apiId: 'a', host: 'h', rawPath } as Arrival);
    assert.deepEqual([s.stage, s.how, s.path, s.contextPath], [stage, how, path, contextPath], `${via} ${rawPath}`);
  }
  assert.equal(selectStage(noDefault, { via: 'host', apiId: 'a', host: 'h', rawPath: '/pets' }).stage, undefined);
  const domain = selectStage(api, { via: 'domain', apiId: 'a', host: 'h', stage: 'prod', rawPath: '/a/./b', basePath: 'v1' });
  assert.deepEqual([domain.stage, domain.how, domain.path, domain.contextPath], ['PROD', 'mapping', '/a/b', '/a/b']);
});

test('matchMapping: longest key first, segments compared decoded, dot segments resolved before matching', () => {
  const m = (key: string, stage: string) => ({ key, keySegments: key.split('/').filter(Boolean), apiId: 'a', stage });
  const mappings = [m('v1/orders', 'orders'), m('v1', 'v1'), m('', 'root')];
  const rows: Array<[string, string | undefined, string | undefined]> = [
    ['/v1/orders/42', 'orders', '/42'],
    ['/v1/pets', 'v1', '/pets'],
    ['/v%31/pets', 'v1', '/pets'],
    ['/v1', 'v1', '/'],
    ['/v1/../admin', 'root', '/admin'],
    ['/x/../v1/pets', 'v1', '/pets'],
    ['/v2/pets', 'root', '/v2/pets'],
  ];
  for (const [path, stage, rest] of rows) {
    const r = matchMapping(mappings, path);
    assert.deepEqual([r?.mapping.stage, r?.rawPath], [stage, rest], path);
  }
  assert.equal(matchMapping([m('v1', 'v1')], '/v1/../pets'), undefined);
});
