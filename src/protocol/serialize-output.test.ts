// writeJson's compiled writers (structures are generated code) must write what a plain walk of the model
// writes: checked over every output and error shape of every model, with values drawn to hit each writer's
// edges (missing, null and wrong-typed members, numbers JSON has no text for, dates in every form, strings
// that need escaping, documents, maps, lists with holes), and at the 100-level depth cut.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { loadModel, SERVICE_NAMES, type ServiceModel, type ShapeRef } from './model.js';
import { toDate, writeJson } from './serialize-output.js';
import { Random } from '../../test/support/random.js';

const STRINGS = ['', 'plain', 'quote " and \\ back', 'line\nbreak\ttab\u0001', 'é ü 漢字 🙂', '\ud800 lone surrogate', '\u2028\u2029', '0'];
const NUMBERS = [0, -0, 1, -17, 3.25, 1e21, 2 ** 53 + 2, Number.NaN, Number.POSITIVE_INFINITY, '42', 'x'];
const TIMES = [0, 1_733_000_000_123, new Date(1_733_000_000_000), '2026-12-04T03:00:00Z', 'not a date', new Date(Number.NaN)];
const DOCUMENTS = [{ a: [1, 'b', null, { c: true }] }, [], 'text', 7, { when: new Date(0) }, { f: () => 1 }];

function draw(model: ServiceModel, ref: ShapeRef, rnd: Random, depth: number): unknown {
  const r = rnd.next();
  if (r < 0.06) return undefined;
  if (r < 0.1) return null;
  if (r < 0.12) return 'a string where something else is due';
  const shape = model.shapes[ref.shape]!;
  if (shape.document) return rnd.pick(DOCUMENTS);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const [name, member] of Object.entries(shape.members ?? {})) out[name] = draw(model, member, rnd, depth + 1);
      out.notModelled = 'never written';
      return out;
    }
    case 'list':
      return depth > 4 ? [] : Array.from({ length: rnd.int(0, 2) }, () => draw(model, shape.member!, rnd, depth + 1));
    case 'map': {
      const out: Record<string, unknown> = {};
      if (depth > 4) return out;
      for (const k of ['k1', '2', 'é"\n', '10']) if (rnd.chance(0.6)) out[k] = draw(model, shape.value!, rnd, depth + 1);
      return out;
    }
    case 'timestamp':
      return rnd.pick(TIMES);
    case 'blob':
      return rnd.pick([new Uint8Array([0, 255, 7]), Buffer.from('hello')]);
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return rnd.pick(NUMBERS);
    case 'boolean':
      return rnd.pick([true, false, 1, 0, '']);
    default:
      return rnd.pick(STRINGS);
  }
}

/** The reference: the model walked member by member for every value, as writeJson is specified. */
function reference(model: ServiceModel, ref: ShapeRef, value: unknown, depth: number): unknown {
  if (value === undefined || value === null || depth > 100) return undefined;
  const shape = model.shapes[ref.shape]!;
  if (shape.document) return value;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        if (member.location) continue;
        const w = reference(model, member, (value as Record<string, unknown>)[name], depth + 1);
        if (w !== undefined) out[member.locationName ?? name] = w;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => reference(model, shape.member!, v, depth + 1) ?? null) : undefined;
    case 'map': {
      if (typeof value !== 'object') return undefined;
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        const w = reference(model, shape.value!, v, depth + 1);
        if (w !== undefined) out[k] = w;
      }
      return out;
    }
    case 'timestamp': {
      const d = toDate(value);
      if (!d) return undefined;
      const format = ref.timestampFormat ?? shape.timestampFormat;
      return format === 'iso8601' ? d.toISOString().replace(/\.000Z$/, 'Z') : format === 'rfc822' ? d.toUTCString() : Math.round(d.getTime()) / 1000;
    }
    case 'blob':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return typeof value === 'number' ? value : Number(value);
    case 'boolean':
      return Boolean(value);
    default:
      return String(value);
  }
}

/** What writing throws, or the text written. */
function outcome(write: () => string | undefined): { text: string | undefined } | { threw: string } {
  try {
    return { text: write() };
  } catch (e) {
    return { threw: e instanceof Error ? e.constructor.name : String(e) };
  }
}

test('writeJson writes what a plain walk of the model writes, for every output and error shape of every model', () => {
  const rnd = new Random(2026);
  let compared = 0;
  for (const name of SERVICE_NAMES) {
    const model = loadModel(name);
    const refs: ShapeRef[] = [];
    for (const op of Object.values(model.operations)) if (op.output) refs.push(op.output);
    // Error shapes are written as JSON too (serialize-error.ts).
    for (const [shape, s] of Object.entries(model.shapes)) if (s.exception) refs.push({ shape });
    for (const ref of refs) {
      for (let round = 0; round < 3; round++) {
        const value = draw(model, ref, rnd, 0) ?? {};
        const want = outcome(() => JSON.stringify(reference(model, ref, value, 0)));
        const got = outcome(() => JSON.stringify(writeJson(model, ref, value)));
        assert.deepEqual(got, want, `${name} ${ref.shape}: ${JSON.stringify(value)?.slice(0, 300)}`);
        compared++;
      }
    }
  }
  assert.ok(compared > 3000, `${compared} values compared`);
});

test('writeJson stops at the same depth as the plain walk on a value nested deeper than 100 levels', () => {
  // CloudWatch Logs' LogFieldType holds itself (`element`): a chain of 120 is cut at the same level by both.
  const model = loadModel('logs');
  const ref = { shape: 'LogFieldType' };
  let value: Record<string, unknown> = { type: 'string' };
  for (let i = 0; i < 120; i++) value = { type: `t${i}`, element: value };
  const text = JSON.stringify(writeJson(model, ref, value));
  assert.equal(text, JSON.stringify(reference(model, ref, value, 0)));
  assert.equal(text!.split('"element"').length - 1, 100, 'a hundred levels below the top are written');
});
