import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseRouteKey, RouteKeyError } from './route-key.js';
import { Router, splitPath } from './router.js';

function router(keys: string[]): Router<string> {
  const r = new Router<string>();
  for (const k of keys) r.add(parseRouteKey(k), k, k);
  return r;
}

const pick = (r: Router<string>, method: string, path: string) => r.match(method, splitPath(path))?.value;

test("AWS's worked example (docs/aws-behavior.md §3.2): each request lands on the documented route", () => {
  const r = router(['GET /pets/dog/1', 'GET /pets/dog/{id}', 'GET /pets/{proxy+}', 'ANY /{proxy+}', '$default']);
  assert.equal(pick(r, 'GET', '/pets/dog/1'), 'GET /pets/dog/1');
  assert.equal(pick(r, 'GET', '/pets/dog/2'), 'GET /pets/dog/{id}');
  assert.equal(pick(r, 'GET', '/pets/cat/1'), 'GET /pets/{proxy+}');
  assert.equal(pick(r, 'POST', '/test/5'), 'ANY /{proxy+}');
  assert.equal(pick(r, 'GET', '/'), '$default', 'a greedy variable never matches zero segments');
});

test('literal beats variable at the first differing position; full beats greedy; method beats ANY', () => {
  const r = router(['GET /a/{x}/c', 'GET /a/b/{y}', 'ANY /a/b/c', 'GET /a/{proxy+}']);
  assert.equal(pick(r, 'GET', '/a/b/c'), 'ANY /a/b/c', 'the most literal path wins even when only ANY is defined there');
  assert.equal(pick(r, 'GET', '/a/b/z'), 'GET /a/b/{y}');
  assert.equal(pick(r, 'GET', '/a/z/c'), 'GET /a/{x}/c');
  assert.equal(pick(r, 'GET', '/a/z/c/d'), 'GET /a/{proxy+}');
  const m = router(['ANY /pets', 'GET /pets']);
  assert.equal(pick(m, 'GET', '/pets'), 'GET /pets');
  assert.equal(pick(m, 'DELETE', '/pets'), 'ANY /pets');
});

test('a path whose routes all name other methods falls back to less specific routes', () => {
  const r = router(['POST /pets/dog', 'GET /pets/{name}', 'GET /{proxy+}']);
  assert.equal(pick(r, 'GET', '/pets/dog'), 'GET /pets/{name}');
  assert.equal(pick(r, 'PUT', '/pets/dog'), undefined);
  const g = router(['POST /pets/{proxy+}', 'GET /{proxy+}']);
  assert.equal(pick(g, 'GET', '/pets/x'), 'GET /{proxy+}');
});

test('greedy routes: the longer literal prefix wins, params are decoded, raw remainder kept', () => {
  const r = router(['GET /pets/{proxy+}', 'ANY /{proxy+}', 'GET /pets/{id}/{rest+}']);
  assert.equal(pick(r, 'GET', '/pets/cat/1'), 'GET /pets/{id}/{rest+}');
  assert.equal(pick(r, 'GET', '/pets/cat'), 'GET /pets/{proxy+}');
  assert.equal(pick(r, 'GET', '/pets'), 'ANY /{proxy+}');
  const m = r.match('GET', splitPath('/pets/a%20b/c%2Fd/e'))!;
  assert.deepEqual(m.params, { id: 'a b', rest: 'c/d/e' });
  assert.deepEqual(m.rawParams, { id: 'a%20b', rest: 'c%2Fd/e' });
});

test('no route and no $default: no match; trailing slashes and empty segments are ignored', () => {
  const r = router(['GET /pets']);
  assert.equal(pick(r, 'GET', '/dogs'), undefined);
  assert.equal(pick(r, 'GET', '/pets/'), 'GET /pets');
  assert.equal(pick(r, 'GET', '//pets'), 'GET /pets');
  assert.equal(pick(router(['GET /']), 'GET', '/'), 'GET /');
});

test('route keys: AWS syntax accepted, malformed ones refused with a reason', () => {
  assert.deepEqual(parseRouteKey('GET /pets/{id}').segments, [
    { kind: 'literal', value: 'pets' },
    { kind: 'param', name: 'id' },
  ]);
  assert.equal(parseRouteKey('$default').isDefault, true);
  for (const bad of ['GET', 'FETCH /x', 'GET pets', 'GET /{proxy+}/x', 'GET /a//b', 'GET /{a}/{a}', 'GET /{a', 'get /x']) {
    assert.throws(() => parseRouteKey(bad), RouteKeyError, bad);
  }
});
