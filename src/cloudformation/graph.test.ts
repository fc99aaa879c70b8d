import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { creationOrder, dependencies, runGraph } from './graph.js';
import { parseTemplate } from './template.js';

const tpl = (resources: Record<string, unknown>, extra: Record<string, unknown> = {}) => parseTemplate(JSON.stringify({ Resources: resources, ...extra }));
const r = (props: Record<string, unknown> = {}, more: Record<string, unknown> = {}) => ({ Type: 'AWS::Logs::LogGroup', Properties: props, ...more });

const ORDERS: Array<[string, Record<string, unknown>, string[]]> = [
  ['independent resources keep template order', { A: r(), B: r(), C: r() }, ['A', 'B', 'C']],
  ['Ref puts the referenced first', { A: r({ X: { Ref: 'B' } }), B: r() }, ['B', 'A']],
  ['GetAtt (dotted) puts the referenced first', { A: r({ X: { 'Fn::GetAtt': 'B.Arn' } }), B: r() }, ['B', 'A']],
  ['Sub ${X} and ${X.Attr} are references', { A: r({ X: { 'Fn::Sub': '${B}-${C.Arn}-${!D}' } }), B: r(), C: r(), D: r() }, ['B', 'C', 'D', 'A']],
  ['Sub variables shadow resources', { A: r({ X: { 'Fn::Sub': ['${B}', { B: 'literal' }] } }), B: r({ Y: { Ref: 'C' } }), C: r() }, ['A', 'C', 'B']],
  ['DependsOn, string and list', { A: r({}, { DependsOn: 'B' }), B: r({}, { DependsOn: ['C'] }), C: r() }, ['C', 'B', 'A']],
  ['a chain through intrinsics inside lists', { A: r({ L: [{ 'Fn::Join': ['', [{ Ref: 'B' }]] }] }), B: r({ M: { 'Fn::Select': [0, [{ Ref: 'C' }]] } }), C: r() }, ['C', 'B', 'A']],
];

for (const [name, resources, expected] of ORDERS) {
  test(`graph order: ${name}`, () => {
    assert.deepEqual(creationOrder(dependencies(tpl(resources))), expected);
  });
}

const GRAPH_ERRORS: Array<[string, Record<string, unknown>, string]> = [
  ['an unknown Ref', { A: r({ X: { Ref: 'Nope' } }) }, 'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template'],
  ['an unknown DependsOn', { A: r({}, { DependsOn: 'Nope' }) }, 'Template format error: Unresolved resource dependencies [Nope] in the Resources block of the template'],
  // A name every object inherits is no parameter of the template.
  [
    'a Ref of an inherited name',
    { A: r({ X: { Ref: 'constructor' } }) },
    'Template format error: Unresolved resource dependencies [constructor] in the Resources block of the template',
  ],
  ['a cycle', { A: r({ X: { Ref: 'B' } }), B: r({ X: { 'Fn::GetAtt': ['A', 'Arn'] } }), C: r() }, 'Circular dependency between resources: [A, B]'],
  ['a self reference', { A: r({ X: { Ref: 'A' } }) }, 'Circular dependency between resources: [A]'],
];

for (const [name, resources, message] of GRAPH_ERRORS) {
  test(`graph error: ${name}`, () => {
    assert.throws(
      () => dependencies(tpl(resources)),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && e.message === message,
    );
  });
}

test('parameters and pseudo parameters are not resource dependencies', () => {
  const deps = dependencies(tpl({ A: r({ X: { Ref: 'P' }, Y: { Ref: 'AWS::Region' } }) }, { Parameters: { P: { Type: 'String' } } }));
  assert.deepEqual([...deps.get('A')!], []);
});

test('runGraph runs independent nodes at once and each node after its dependencies', async () => {
  const log: string[] = [];
  let running = 0;
  let peak = 0;
  const deps: Record<string, string[]> = { A: [], B: [], C: ['A', 'B'] };
  const result = await runGraph(
    ['A', 'B', 'C'],
    (id) => deps[id]!,
    async (id) => {
      running++;
      peak = Math.max(peak, running);
      log.push(`start ${id}`);
      await new Promise((res) => setImmediate(res));
      log.push(`end ${id}`);
      running--;
    },
  );
  assert.deepEqual(result, { failed: [], skipped: [] });
  assert.equal(peak, 2);
  assert.ok(log.indexOf('start C') > log.indexOf('end A') && log.indexOf('start C') > log.indexOf('end B'));
});

test('runGraph starts nothing new after a failure and reports what never started', async () => {
  const deps: Record<string, string[]> = { A: [], B: ['A'], C: [] };
  const result = await runGraph(
    ['A', 'B', 'C'],
    (id) => deps[id]!,
    async (id) => {
      if (id === 'A') throw new Error('boom');
    },
  );
  assert.deepEqual(
    result.failed.map((f) => f.id),
    ['A'],
  );
  assert.deepEqual(result.skipped, ['B']);
});
