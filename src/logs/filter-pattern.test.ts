import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileFilterPattern } from './filter-pattern.js';

test('term patterns: all terms, quoted phrases, ?any, -exclude, case-sensitive', () => {
  const m = compileFilterPattern('ERROR timeout');
  assert.ok(m('ERROR: db timeout'));
  assert.ok(!m('ERROR: db refused'));
  assert.ok(!m('error: db timeout'));
  assert.ok(compileFilterPattern('"GET /pets"')('10.0.0.1 GET /pets 200'));
  assert.ok(!compileFilterPattern('"GET /pets"')('GET /users /pets'));
  const any = compileFilterPattern('?WARN ?ERROR');
  assert.ok(any('a WARN b') && any('ERROR') && !any('INFO'));
  const not = compileFilterPattern('GET -health');
  assert.ok(not('GET /x') && !not('GET /health'));
  assert.ok(compileFilterPattern('')('anything'));
});

test('JSON and space-delimited patterns are refused honestly', () => {
  assert.throws(() => compileFilterPattern('{ $.level = "error" }'), /term filter patterns only/);
  assert.throws(() => compileFilterPattern('[ip, user]'), /term filter patterns only/);
});
