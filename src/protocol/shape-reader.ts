// Turns wire values into handler input, directed by the model: JSON bodies (awsJson, rest-json) and
// strings (URI labels, query strings, headers, EC2 form fields). A value of the wrong type is a
// WireTypeError, which the dispatcher answers with the service's serialization error (400).
import { membersOf, type ServiceModel, type Shape, type ShapeRef } from './model.js';

export class WireTypeError extends Error {
  constructor(
    readonly path: string,
    message: string,
  ) {
    super(message);
  }
}

const TYPE_NAMES: Record<string, string> = {
  structure: 'a structure',
  list: 'a list',
  map: 'a map',
  string: 'a string',
  integer: 'an integer',
  long: 'an integer',
  float: 'a number',
  double: 'a number',
  boolean: 'a boolean',
  timestamp: 'a timestamp',
  blob: 'a base64-encoded blob',
};

function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)?.slice(0, 40)}`;
}

function mismatch(shape: Shape, value: unknown, path: string): WireTypeError {
  return new WireTypeError(path, `Expected ${TYPE_NAMES[shape.type] ?? shape.type} at '${path}' but found ${describe(value)}.`);
}

/** Wire key of a structure member in a JSON body: its locationName, else its member name. */
export function jsonKey(name: string, ref: ShapeRef): string {
  return ref.locationName ?? name;
}

const INT_RANGE: Record<string, [number, number]> = {
  integer: [-2147483648, 2147483647],
  long: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

export function parseTimestamp(value: unknown): Date | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return new Date(value * 1000);
  if (typeof value === 'string' && value.trim() !== '') {
    if (/^-?\d+(\.\d+)?$/.test(value)) return new Date(Number(value) * 1000);
    const d = new Date(value);
    if (!Number.isNaN(d.getTime())) return d;
  }
  return undefined;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/**
 * Reads a JSON value against a shape. Structure members with an HTTP `location` are skipped (the
 * rest-json reader fills them from the URI, query and headers).
 */
export function readJson(model: ServiceModel, ref: ShapeRef, value: unknown, path: string): unknown {
  const shape = model.shapes[ref.shape]!;
  if (shape.document) return value;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch(shape, value, path);
      const out: Record<string, unknown> = {};
      const obj = value as Record<string, unknown>;
      for (const [name, member] of membersOf(shape)) {
        if (member.location) continue;
        const key = jsonKey(name, member);
        const v = obj[key];
        if (v === undefined || v === null) continue;
        out[name] = readJson(model, member, v, path ? `${path}.${key}` : key);
      }
      return out;
    }
    case 'list': {
      if (!Array.isArray(value)) throw mismatch(shape, value, path);
      return value.map((v, i) => (v === null ? null : readJson(model, shape.member!, v, `${path}.${i + 1}`)));
    }
    case 'map': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw mismatch(shape, value, path);
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        if (v === null) continue;
        out[k] = readJson(model, shape.value!, v, `${path}.${k}`);
      }
      return out;
    }
    case 'string':
      if (typeof value !== 'string') throw mismatch(shape, value, path);
      return value;
    case 'integer':
    case 'long': {
      const [lo, hi] = INT_RANGE[shape.type]!;
      if (typeof value !== 'number' || !Number.isInteger(value) || value < lo || value > hi) throw mismatch(shape, value, path);
      return value;
    }
    case 'float':
    case 'double':
      if (typeof value === 'number' && Number.isFinite(value)) return value;
      if (value === 'NaN' || value === 'Infinity' || value === '-Infinity') return Number(value);
      throw mismatch(shape, value, path);
    case 'boolean':
      if (typeof value !== 'boolean') throw mismatch(shape, value, path);
      return value;
    case 'timestamp': {
      const d = parseTimestamp(value);
      if (!d) throw mismatch(shape, value, path);
      return d;
    }
    case 'blob':
      if (typeof value !== 'string' || !BASE64.test(value)) throw mismatch(shape, value, path);
      return Buffer.from(value, 'base64');
  }
  return value;
}

/** Reads a scalar from its string form (URI label, query parameter, header, EC2 form field). */
export function readString(model: ServiceModel, ref: ShapeRef, raw: string, path: string): unknown {
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'string':
      return raw;
    case 'integer':
    case 'long': {
      const [lo, hi] = INT_RANGE[shape.type]!;
      const n = /^-?\d+$/.test(raw.trim()) ? Number(raw) : NaN;
      if (!Number.isInteger(n) || n < lo || n > hi) throw mismatch(shape, raw, path);
      return n;
    }
    case 'float':
    case 'double': {
      const n = raw.trim() === '' ? NaN : Number(raw);
      if (Number.isNaN(n) && raw !== 'NaN') throw mismatch(shape, raw, path);
      return n;
    }
    case 'boolean':
      if (raw === 'true') return true;
      if (raw === 'false') return false;
      throw mismatch(shape, raw, path);
    case 'timestamp': {
      const d = parseTimestamp(raw);
      if (!d) throw mismatch(shape, raw, path);
      return d;
    }
    case 'blob':
      if (!BASE64.test(raw)) throw mismatch(shape, raw, path);
      return Buffer.from(raw, 'base64');
    default:
      throw mismatch(shape, raw, path);
  }
}
