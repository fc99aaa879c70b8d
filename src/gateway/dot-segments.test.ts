import { test } from 'node:test';
import assert from 'node:assert/strict';
import { removeDotSegments } from './dot-segments.js';

test('dot segments are resolved as RFC 3986 §5.2.4 does, never above the root', () => {
  const cases: Array<[string, string]> = [
    ['/x/../admin', '/admin'],
    ['/admin/.', '/admin/'],
    ['/admin/..', '/'],
    ['/a/b/../c/./d', '/a/c/d'],
    ['/../../admin', '/admin'],
    ['/..', '/'],
    ['/.', '/'],
    ['/a/../', '/'],
    ['/a//..', '/a/'],
    ['/./a/', '/a/'],
    ['/a/b/..', '/a/'],
  ];
  for (const [input, want] of cases) assert.equal(removeDotSegments(input), want, input);
});

test('%2e and %2E count as dots inside a dot segment; other escapes are left as written', () => {
  assert.equal(removeDotSegments('/x/%2e%2e/admin'), '/admin');
  assert.equal(removeDotSegments('/x/%2E%2E/admin'), '/admin');
  assert.equal(removeDotSegments('/x/.%2E/admin'), '/admin');
  assert.equal(removeDotSegments('/x/%2e./admin'), '/admin');
  assert.equal(removeDotSegments('/admin/%2e'), '/admin/');
  assert.equal(removeDotSegments('/x/..%2fadmin'), '/x/..%2fadmin', '%2F is data inside a segment, not a separator');
  assert.equal(removeDotSegments('/x/%2e%2e%2fadmin'), '/x/%2e%2e%2fadmin');
  assert.equal(removeDotSegments('/a%20b/%2e%2e/c%2Fd'), '/c%2Fd', 'escapes in kept segments are untouched');
  assert.equal(removeDotSegments('/x/%252e%252e/admin'), '/x/%252e%252e/admin', 'a double-encoded dot is not a dot');
});

test('segments that merely contain dots are kept, and paths without dot segments come back unchanged', () => {
  for (const p of ['/', '/admin', '/a/.../b', '/a/..b/c', '/file.txt', '/.well-known/x', '/v1.2/%2e%2e%2e', '//admin', '/a%2Fb']) {
    assert.equal(removeDotSegments(p), p, p);
  }
});

test('a raw backslash is a slash (as WHATWG URL parsers, and so many backends, read it); %5C stays data', () => {
  assert.equal(removeDotSegments('/x/..\\admin'), '/admin');
  assert.equal(removeDotSegments('/x\\..\\admin'), '/admin');
  assert.equal(removeDotSegments('/a\\b'), '/a/b');
  assert.equal(new URL('/x/..\\admin', 'http://backend').pathname, '/admin', 'what a WHATWG-parsing backend serves');
  assert.equal(removeDotSegments('/x/..%5Cadmin'), '/x/..%5Cadmin');
});
