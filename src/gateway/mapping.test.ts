import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compileRequestMapping, compileResponseMapping, jsonAt, MappingError, parseValue, renderValue, type ValueResolver } from './mapping.js';

const resolver = (over: Partial<ValueResolver> = {}): ValueResolver => ({
  header: (n) => ({ 'x-user': 'ann' })[n],
  query: (n) => ({ page: '2' })[n],
  body: () => undefined,
  path: () => '/pets/1',
  pathParam: (n) => ({ id: '1' })[n],
  context: (n) => ({ requestId: 'RID=' })[n],
  stageVar: (n) => ({ env: 'prod' })[n],
  responseHeader: () => undefined,
  responseBody: () => undefined,
  ...over,
});

test('values mix static text and expressions; a lone missing expression skips the mapping', () => {
  const r = resolver();
  assert.equal(renderValue(parseValue('$request.header.X-User', 'request'), r), 'ann');
  assert.equal(renderValue(parseValue('user=${request.header.x-user};env=$stageVariables.env', 'request'), r), 'user=ann;env=prod');
  assert.equal(renderValue(parseValue('$request.header.missing', 'request'), r), undefined);
  assert.equal(renderValue(parseValue('costs $5', 'request'), r), 'costs $5');
  assert.equal(renderValue(parseValue('$request.path.id', 'request'), r), '1');
  assert.equal(parseValue('$request.body.items[0].id', 'request').readsBody, true);
});

test('request mapping keys: reserved headers and malformed keys are refused', () => {
  assert.equal(compileRequestMapping({ 'append:header.x-user': '$context.requestId', 'overwrite:path': '$request.path', 'remove:querystring.debug': "''" }).length, 3);
  for (const key of [
    'append:header.authorization',
    'overwrite:header.X-Amz-Date',
    'append:header.Access-Control-Allow-Origin',
    'overwrite:header.content-length',
    'append:body.x',
    'overwrite:statuscode',
  ]) {
    assert.throws(() => compileRequestMapping({ [key]: 'v' }), MappingError, key);
  }
  assert.throws(() => compileRequestMapping({ 'append:header.x': '$response.header.y' }), MappingError);
  assert.throws(() => compileRequestMapping({ 'append:header.x': '$request.nope.y' }), MappingError);
});

test('response mapping: status code keys 200-599, statuscode values checked', () => {
  const m = compileResponseMapping({ '500': { 'overwrite:statuscode': '503', 'append:header.x-err': '$response.header.x-origin' } });
  assert.equal(m.get(500)!.length, 2);
  assert.throws(() => compileResponseMapping({ '100': { 'overwrite:statuscode': '200' } }), MappingError);
  assert.throws(() => compileResponseMapping({ '200': { 'overwrite:statuscode': '99' } }), MappingError);
  assert.throws(() => compileResponseMapping({ '200': { 'overwrite:querystring.x': 'y' } }), MappingError);
});

test('JSONPath-lite reads nested values; objects come back as JSON', () => {
  const doc = { a: { b: [{ c: 1 }, { c: 'two' }] } };
  assert.equal(jsonAt(doc, ['a', 'b', 1, 'c']), 'two');
  assert.equal(jsonAt(doc, ['a', 'b', 0]), '{"c":1}');
  assert.equal(jsonAt(doc, ['x']), undefined);
});
