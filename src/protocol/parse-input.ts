// Request → handler input, one reader per protocol. All three produce the same thing: an object keyed
// by model member names, typed per the model. Types are checked here; constraints in validate.ts.
import type { IncomingHttpHeaders } from 'node:http';
import type { ServiceModel, ShapeRef } from './model.js';
import type { QueryMap } from './query-string.js';
import { readJson, readString, WireTypeError } from './shape-reader.js';

export class MalformedBodyError extends Error {}

function parseJsonBody(body: Buffer): unknown {
  if (body.length === 0) return {};
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  try {
    return JSON.parse(text);
  } catch (e) {
    throw new MalformedBodyError(`The request body is not valid JSON: ${(e as Error).message}`);
  }
}

/** awsJson 1.1: the body is the input structure, keys are member names (or locationName if set). */
export function parseAwsJsonInput(model: ServiceModel, input: ShapeRef | undefined, body: Buffer): Record<string, unknown> {
  const value = parseJsonBody(body);
  if (!input) return {};
  return readJson(model, input, value, '') as Record<string, unknown>;
}

export interface RestRequestParts {
  labels: Record<string, string>;
  query: QueryMap;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** rest-json: members come from URI labels, query string, headers and the JSON body. */
export function parseRestJsonInput(model: ServiceModel, input: ShapeRef | undefined, parts: RestRequestParts): Record<string, unknown> {
  if (!input) return {};
  const shape = model.shapes[input.shape]!;
  const members = shape.members ?? {};
  let out: Record<string, unknown> = {};
  if (shape.payload) {
    const ref = members[shape.payload]!;
    const payloadShape = model.shapes[ref.shape]!;
    if (payloadShape.type === 'blob' || payloadShape.type === 'string') {
      if (parts.body.length) out[shape.payload] = payloadShape.type === 'blob' ? parts.body : parts.body.toString('utf8');
    } else {
      const v = parseJsonBody(parts.body);
      out[shape.payload] = readJson(model, ref, v, '');
    }
  } else {
    const hasBodyMembers = Object.values(members).some((m) => !m.location);
    if (hasBodyMembers) out = readJson(model, input, parseJsonBody(parts.body), '') as Record<string, unknown>;
  }
  readLocatedMembers(model, members, parts, out);
  return out;
}

/**
 * rest-xml (Route 53): members from URI labels, query string and headers. The operations served take no
 * XML body (the dispatcher answers the modelled 501 before parsing one that does), so none is read.
 */
export function parseRestXmlInput(model: ServiceModel, input: ShapeRef | undefined, parts: RestRequestParts): Record<string, unknown> {
  if (!input) return {};
  const out: Record<string, unknown> = {};
  readLocatedMembers(model, model.shapes[input.shape]!.members ?? {}, parts, out);
  return out;
}

/** The members bound to the URI, query string and headers (the rest protocols share these bindings). */
function readLocatedMembers(model: ServiceModel, members: Record<string, ShapeRef>, parts: RestRequestParts, out: Record<string, unknown>): void {
  for (const [name, ref] of Object.entries(members)) {
    const wire = ref.locationName ?? name;
    switch (ref.location) {
      case 'uri': {
        const v = parts.labels[wire];
        if (v !== undefined) out[name] = readString(model, ref, v, wire);
        break;
      }
      case 'querystring': {
        const target = model.shapes[ref.shape]!;
        if (target.type === 'map') {
          const map: Record<string, unknown> = {};
          for (const [k, vs] of parts.query) {
            const valueShape = model.shapes[target.value!.shape]!;
            map[k] = valueShape.type === 'list' ? vs : vs[0];
          }
          if (Object.keys(map).length) out[name] = map;
        } else if (target.type === 'list') {
          const vs = parts.query.get(wire);
          if (vs) out[name] = vs.map((v, i) => readString(model, target.member!, v, `${wire}.${i + 1}`));
        } else {
          const v = parts.query.get(wire)?.[0];
          if (v !== undefined) out[name] = readString(model, ref, v, wire);
        }
        break;
      }
      case 'header': {
        const raw = parts.headers[wire.toLowerCase()];
        const v = Array.isArray(raw) ? raw.join(',') : raw;
        if (v !== undefined) out[name] = readString(model, ref, v, wire);
        break;
      }
      case 'headers': {
        const prefix = wire.toLowerCase();
        const map: Record<string, string> = {};
        for (const [k, v] of Object.entries(parts.headers)) {
          if (k.startsWith(prefix) && typeof v === 'string') map[k.slice(prefix.length)] = v;
        }
        if (Object.keys(map).length) out[name] = map;
        break;
      }
    }
  }
}

/** Names that never count as unknown parameters in the query protocol. */
const QUERY_ENVELOPE = new Set([
  'Action',
  'Version',
  'X-Amz-Algorithm',
  'X-Amz-Credential',
  'X-Amz-Date',
  'X-Amz-Expires',
  'X-Amz-SignedHeaders',
  'X-Amz-Signature',
  'X-Amz-Security-Token',
]);

export class UnknownParameterError extends Error {
  constructor(readonly parameter: string) {
    super(`The parameter ${parameter} is not recognized`);
  }
}

/** Query name of a structure member in the ec2 protocol: queryName, else capitalised locationName, else name. */
export function ec2QueryName(name: string, ref: ShapeRef): string {
  if (ref.queryName) return ref.queryName;
  if (ref.locationName) return ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1);
  return name;
}

/**
 * ec2 query protocol: flat `Name.1.Sub=value` pairs into the input structure. Lists are always
 * flattened with 1-based indexes. A parameter that no member consumes is an UnknownParameter, as EC2 does.
 */
export function parseEc2Input(model: ServiceModel, input: ShapeRef | undefined, params: Map<string, string>): Record<string, unknown> {
  const consumed = new Set<string>();
  const out = input ? (readQueryStructure(model, input, '', params, consumed) ?? {}) : {};
  for (const key of params.keys()) {
    if (!consumed.has(key) && !QUERY_ENVELOPE.has(key)) throw new UnknownParameterError(key);
  }
  return out;
}

function readQueryStructure(model: ServiceModel, ref: ShapeRef, prefix: string, params: Map<string, string>, consumed: Set<string>): Record<string, unknown> | undefined {
  const shape = model.shapes[ref.shape]!;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const key = prefix ? `${prefix}.${ec2QueryName(name, member)}` : ec2QueryName(name, member);
    const v = readQueryValue(model, member, key, params, consumed);
    if (v !== undefined) {
      out[name] = v;
      any = true;
    }
  }
  return any || !prefix ? out : undefined;
}

function readQueryValue(model: ServiceModel, ref: ShapeRef, key: string, params: Map<string, string>, consumed: Set<string>): unknown {
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure':
      return readQueryStructure(model, ref, key, params, consumed);
    case 'list': {
      const indexes = listIndexes(key, params);
      if (!indexes.length) {
        // `Name=` alone sends an empty list in the query protocol.
        if (params.get(key) === '') {
          consumed.add(key);
          return [];
        }
        return undefined;
      }
      const items: unknown[] = [];
      for (const i of indexes) {
        const v = readQueryValue(model, shape.member!, `${key}.${i}`, params, consumed);
        if (v !== undefined) items.push(v);
      }
      return items;
    }
    case 'map': {
      const indexes = listIndexes(key, params);
      const map: Record<string, unknown> = {};
      for (const i of indexes) {
        const k = params.get(`${key}.${i}.key`) ?? params.get(`${key}.${i}.Key`);
        if (k === undefined) continue;
        for (const kk of [`${key}.${i}.key`, `${key}.${i}.Key`]) if (params.has(kk)) consumed.add(kk);
        map[k] = readQueryValue(model, shape.value!, params.has(`${key}.${i}.value`) ? `${key}.${i}.value` : `${key}.${i}.Value`, params, consumed);
      }
      return indexes.length ? map : undefined;
    }
    default: {
      const raw = params.get(key);
      if (raw === undefined) return undefined;
      consumed.add(key);
      return readString(model, ref, raw, key);
    }
  }
}

/** The 1-based indexes that appear right under `key.` (`key.1`, `key.2.Name` …), sorted. */
export function listIndexes(key: string, params: Map<string, string>): number[] {
  const prefix = key + '.';
  const seen = new Set<number>();
  for (const k of params.keys()) {
    if (!k.startsWith(prefix)) continue;
    const rest = k.slice(prefix.length);
    const dot = rest.indexOf('.');
    const idx = dot < 0 ? rest : rest.slice(0, dot);
    if (/^[1-9]\d{0,4}$/.test(idx)) seen.add(Number(idx));
  }
  return [...seen].sort((a, b) => a - b);
}

export { WireTypeError };
