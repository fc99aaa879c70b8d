// A model-driven request fuzzer: for any operation of the five service models it builds a request
// from the input shape — valid values, or values mutated in type, length, encoding, presence — and
// serializes it in the service's protocol, the way an SDK would (or a broken client would).
import { loadModel, type ServiceModel, type ServiceName, type ShapeRef } from '../../src/protocol/model.js';
import { ec2QueryName } from '../../src/protocol/parse-input.js';

/** A tiny seeded PRNG (mulberry32) so a failing case can be replayed from its seed. */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const NASTY_STRINGS = [
  '',
  ' ',
  '\u0000',
  '💥',
  'ä'.repeat(300),
  'x'.repeat(5000),
  '../../etc/passwd',
  '%',
  '%ZZ',
  '{"a":',
  '<xml>',
  'null',
  '-1',
  'arn:aws:ecs:us-east-1:000000000000:cluster/x',
  'srv-0000000000000000',
  'ns-0000000000000000',
  '$default',
  'GET /x',
  '\r\nX-Injected: 1',
];

export interface FuzzRequest {
  service: ServiceName;
  operation: string;
  signingName: string;
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  mutation: string;
}

class Gen {
  constructor(
    readonly model: ServiceModel,
    readonly r: () => number,
    readonly chaos: number,
  ) {}

  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.r() * xs.length)]!;
  }

  /** A random value for a shape; with probability `chaos` a value of another type or out of bounds. */
  value(ref: ShapeRef, depth: number): unknown {
    const shape = this.model.shapes[ref.shape]!;
    if (this.r() < this.chaos) return this.wrong(shape.type);
    switch (shape.type) {
      case 'structure': {
        if (depth > 4) return {};
        const out: Record<string, unknown> = {};
        const required = new Set(shape.required ?? []);
        for (const [name, member] of Object.entries(shape.members ?? {})) {
          if (member.location) continue;
          if (required.has(name) ? this.r() < 0.95 : this.r() < 0.4) out[member.locationName ?? name] = this.value(member, depth + 1);
        }
        if (this.r() < this.chaos) out.unexpectedMember = 'x';
        return out;
      }
      case 'list': {
        const n = this.r() < this.chaos ? 200 : Math.floor(this.r() * 3);
        return depth > 4 ? [] : Array.from({ length: n }, () => this.value(shape.member!, depth + 1));
      }
      case 'map': {
        const out: Record<string, unknown> = {};
        for (let i = 0; i < Math.floor(this.r() * 3); i++) out[`k${i}`] = this.value(shape.value!, depth + 1);
        return out;
      }
      case 'string':
        if (shape.enum && this.r() < 0.8) return this.pick(shape.enum);
        if (this.r() < 0.3) return this.pick(NASTY_STRINGS);
        return 'v' + Math.floor(this.r() * 1e6).toString(36);
      case 'integer':
      case 'long':
        return this.pick([0, 1, 5, 100, -1, 2 ** 31, Math.floor(this.r() * 1000)]);
      case 'float':
      case 'double':
        return this.pick([0.5, -3.25, 1e300, 7]);
      case 'boolean':
        return this.r() < 0.5;
      case 'timestamp':
        return this.pick([1700000000, 0, -5, 1e12]);
      case 'blob':
        return this.pick(['aGVsbG8=', '!!notbase64!!', '']);
    }
    return null;
  }

  wrong(type: string): unknown {
    const options: unknown[] = [null, 42, 'str', true, [], {}, [1, 'a'], { nested: { deeper: [null] } }, -0.5, 'x'.repeat(70000)];
    return this.pick(options.filter((o) => typeof o !== (type === 'structure' || type === 'map' ? 'object' : type === 'list' ? 'object' : type)));
  }
}

/** Builds one request for an operation; `chaos` (0..1) controls how broken it is. */
export function fuzzRequest(service: ServiceName, operation: string, seed: number, chaos: number): FuzzRequest {
  const model = loadModel(service);
  const op = model.operations[operation]!;
  const r = rng(seed);
  const g = new Gen(model, r, chaos);
  const signingName = model.metadata.signingName ?? model.metadata.endpointPrefix;
  const inputRef = op.input;
  const mutation = chaos === 0 ? 'valid-ish' : `chaos ${chaos}`;
  const base = { service, operation, signingName, mutation, query: {} as Record<string, string>, headers: {} as Record<string, string> };
  const raw = r();
  switch (model.metadata.protocol) {
    case 'json': {
      let body = JSON.stringify(inputRef ? g.value(inputRef, 0) : {});
      if (raw < chaos * 0.15)
        body = body.slice(0, Math.floor(body.length / 2)); // truncated JSON
      else if (raw < chaos * 0.2) body = '\uFEFF' + body;
      else if (raw < chaos * 0.25) body = '[' + body + ']';
      return {
        ...base,
        method: 'POST',
        path: '/',
        headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${model.metadata.targetPrefix}.${operation}` },
        body,
      };
    }
    case 'rest-json':
    case 'rest-xml': {
      const shape = inputRef ? model.shapes[inputRef.shape]! : undefined;
      let path = op.http.requestUri ?? '/';
      const query: Record<string, string> = {};
      for (const [name, member] of Object.entries(shape?.members ?? {})) {
        const wire = member.locationName ?? name;
        if (member.location === 'uri') {
          const v = String(g.value(member, 1) ?? 'x');
          path = path.replace(`{${wire}}`, encodeURIComponent(v === '' && r() < 0.5 ? 'x' : v));
        } else if (member.location === 'querystring' && r() < 0.5) {
          query[wire] = String(g.value(member, 1));
        }
      }
      path = path.replace(/\{[^}]+\}/g, 'x');
      let body = JSON.stringify(shape ? g.value(inputRef!, 0) : {});
      if (raw < chaos * 0.15) body = body.slice(0, Math.floor(body.length / 2));
      const method = op.http.method ?? 'POST';
      return {
        ...base,
        method,
        path,
        query,
        headers: { 'content-type': model.metadata.protocol === 'rest-xml' ? 'text/xml' : 'application/json' },
        body: method === 'GET' || method === 'DELETE' ? '' : body,
      };
    }
    case 'query':
    case 'ec2': {
      const dialect = model.metadata.protocol;
      const params = formParams(model, inputRef, g.value.bind(g), dialect);
      params.set('Action', operation);
      params.set('Version', model.metadata.apiVersion);
      if (dialect === 'ec2') {
        if (raw < chaos * 0.2) params.set('Unknown.Param', '1');
        if (raw > 1 - chaos * 0.1) params.set('Filter.1.Name', 'no-such-filter');
      } else {
        if (raw < chaos * 0.2) params.set('Tags.member.x.Key', '1');
        if (raw > 1 - chaos * 0.1) params.delete('Action');
      }
      return { ...base, method: 'POST', path: '/', headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: params.toString() };
    }
  }
}

/**
 * A generated input as form parameters, in EC2's dialect (capitalised names, `Name.N` lists) or awsquery's
 * (names as written, `Name.member.N` lists, `Name.entry.N.key/.value` maps).
 */
function formParams(model: ServiceModel, inputRef: ShapeRef | undefined, value: (ref: ShapeRef, depth: number) => unknown, dialect: string): URLSearchParams {
  const params = new URLSearchParams();
  const ec2 = dialect === 'ec2';
  const flatten = (ref: ShapeRef, key: string, v: unknown, depth: number) => {
    const shape = model.shapes[ref.shape]!;
    if (v === null || v === undefined || depth > 6) return;
    if (shape.type === 'structure' && typeof v === 'object' && !Array.isArray(v)) {
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const wireKey = member.locationName ?? name;
        const formName = ec2 ? ec2QueryName(name, member) : wireKey;
        if (wireKey in (v as object)) flatten(member, `${key ? key + '.' : ''}${formName}`, (v as Record<string, unknown>)[wireKey], depth + 1);
      }
    } else if (shape.type === 'list' && Array.isArray(v)) {
      for (const [i, item] of v.entries()) flatten(shape.member!, ec2 ? `${key}.${i + 1}` : `${key}.member.${i + 1}`, item, depth + 1);
    } else if (!ec2 && shape.type === 'map' && typeof v === 'object' && !Array.isArray(v)) {
      Object.entries(v as Record<string, unknown>).forEach(([k, item], i) => {
        params.set(`${key}.entry.${i + 1}.key`, k);
        flatten(shape.value!, `${key}.entry.${i + 1}.value`, item, depth + 1);
      });
    } else {
      params.set(key, typeof v === 'object' ? JSON.stringify(v) : String(v));
    }
  };
  if (inputRef) flatten(inputRef, '', value(inputRef, 0), 0);
  return params;
}
