// Parameter mapping (docs/aws-behavior.md §3.6): keys like `append:header.x-user`, `overwrite:querystring.page`,
// `overwrite:path`, `remove:header.cookie` (request) and, per backend status code,
// `overwrite:statuscode` / `…:header.x` (response); values are templates mixing static text with
// `$request.header.x`, `$request.querystring.x`, `$request.body.a.b[0]`, `$request.path`,
// `$request.path.var`, `$context.x`, `$stageVariables.x`, `$response.header.x`, `$response.body.x`
// (the `${…}` form delimits an expression inside static text). Compiled once at create time (to
// answer a 400) and again when a deployment is frozen; applied per request by the pipeline.

export type ValuePart =
  | { kind: 'static'; text: string }
  | { kind: 'header'; name: string }
  | { kind: 'query'; name: string }
  | { kind: 'body'; path: Array<string | number> }
  | { kind: 'path' }
  | { kind: 'pathParam'; name: string }
  | { kind: 'context'; name: string }
  | { kind: 'stageVar'; name: string }
  | { kind: 'responseHeader'; name: string }
  | { kind: 'responseBody'; path: Array<string | number> };

export interface ValueTemplate {
  parts: ValuePart[];
  /** True when a part reads `$request.body` / `$response.body` (the body must be buffered). */
  readsBody: boolean;
}

export interface MappingOp {
  action: 'append' | 'overwrite' | 'remove';
  target: 'header' | 'querystring' | 'path' | 'statuscode';
  /** Header names lower-cased; query names as written (case-sensitive). */
  name: string;
  value: ValueTemplate;
}

export class MappingError extends Error {}

const RESERVED_EXACT = new Set([
  'authorization',
  'connection',
  'content-encoding',
  'content-length',
  'content-location',
  'forwarded',
  'keep-alive',
  'origin',
  'proxy-authenticate',
  'proxy-authorization',
  'te',
  'trailers',
  'transfer-encoding',
  'upgrade',
  'x-forwarded-for',
  'x-forwarded-host',
  'x-forwarded-proto',
  'via',
]);
const RESERVED_PREFIXES = ['access-control-', 'apigw-', 'x-amz-', 'x-amzn-'];

export function isReservedHeader(name: string): boolean {
  const n = name.toLowerCase();
  return RESERVED_EXACT.has(n) || RESERVED_PREFIXES.some((p) => n.startsWith(p));
}

const TOKEN_CHAR = /[A-Za-z0-9_.\-:[\]]/;
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

function parsePath(expr: string, text: string): Array<string | number> {
  const out: Array<string | number> = [];
  if (expr === '') return out;
  for (const piece of expr.split('.')) {
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(piece);
    if (!m || piece === '' || piece.includes('..')) throw new MappingError(`Invalid JSONPath in mapping expression '${text}'`);
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

function parseExpression(expr: string, text: string, direction: 'request' | 'response'): ValuePart {
  const dot = expr.indexOf('.');
  const root = dot < 0 ? expr : expr.slice(0, dot);
  const rest = dot < 0 ? '' : expr.slice(dot + 1);
  const bad = () => new MappingError(`Invalid mapping expression: '${text}'`);
  switch (root) {
    case 'request': {
      if (direction === 'response') {
        // Responses read the request only through $context.
        throw new MappingError(`Invalid mapping expression '${text}': $request is not available in response parameters`);
      }
      const d = rest.indexOf('.');
      const kind = d < 0 ? rest : rest.slice(0, d);
      const name = d < 0 ? '' : rest.slice(d + 1);
      if (kind === 'header' && name) return { kind: 'header', name: name.toLowerCase() };
      if (kind === 'querystring' && name) return { kind: 'query', name };
      if (kind === 'body') return { kind: 'body', path: parsePath(name, text) };
      if (kind === 'path') return name ? { kind: 'pathParam', name } : { kind: 'path' };
      throw bad();
    }
    case 'response': {
      if (direction === 'request') throw new MappingError(`Invalid mapping expression '${text}': $response is only available in response parameters`);
      const d = rest.indexOf('.');
      const kind = d < 0 ? rest : rest.slice(0, d);
      const name = d < 0 ? '' : rest.slice(d + 1);
      if (kind === 'header' && name) return { kind: 'responseHeader', name: name.toLowerCase() };
      if (kind === 'body') return { kind: 'responseBody', path: parsePath(name, text) };
      throw bad();
    }
    case 'context':
      if (!rest) throw bad();
      return { kind: 'context', name: rest };
    case 'stageVariables':
      if (!rest || !/^[A-Za-z0-9_]+$/.test(rest)) throw bad();
      return { kind: 'stageVar', name: rest };
    default:
      throw bad();
  }
}

/** Parses a mapping value into static text and expressions. */
export function parseValue(text: string, direction: 'request' | 'response'): ValueTemplate {
  const parts: ValuePart[] = [];
  let buf = '';
  let i = 0;
  while (i < text.length) {
    const c = text[i]!;
    if (c !== '$') {
      buf += c;
      i++;
      continue;
    }
    let expr: string;
    if (text[i + 1] === '{') {
      const close = text.indexOf('}', i + 2);
      if (close < 0) throw new MappingError(`Unclosed '\${' in mapping expression '${text}'`);
      expr = text.slice(i + 2, close);
      i = close + 1;
    } else {
      let j = i + 1;
      while (j < text.length && TOKEN_CHAR.test(text[j]!)) j++;
      expr = text.slice(i + 1, j);
      if (!/^(request|response|context|stageVariables)(\.|$)/.test(expr)) {
        // A lone '$' (e.g. in a price) is static text.
        buf += c;
        i++;
        continue;
      }
      i = j;
    }
    if (buf) parts.push({ kind: 'static', text: buf });
    buf = '';
    parts.push(parseExpression(expr, text, direction));
  }
  if (buf || !parts.length) parts.push({ kind: 'static', text: buf });
  return { parts, readsBody: parts.some((p) => p.kind === 'body' || p.kind === 'responseBody') };
}

function parseKey(key: string, direction: 'request' | 'response'): Omit<MappingOp, 'value'> {
  if (key === 'overwrite:path' && direction === 'request') return { action: 'overwrite', target: 'path', name: '' };
  if (key === 'overwrite:statuscode' && direction === 'response') return { action: 'overwrite', target: 'statuscode', name: '' };
  const m = /^(append|overwrite|remove):(header|querystring)\.(.+)$/.exec(key);
  if (!m || (direction === 'response' && m[2] === 'querystring')) {
    throw new MappingError(
      direction === 'request'
        ? `Invalid mapping key '${key}'. Use append|overwrite|remove:header.<name>, append|overwrite|remove:querystring.<name> or overwrite:path.`
        : `Invalid mapping key '${key}'. Use append|overwrite|remove:header.<name> or overwrite:statuscode.`,
    );
  }
  const target = m[2] as 'header' | 'querystring';
  let name = m[3]!;
  if (target === 'header') {
    if (!HEADER_NAME.test(name)) throw new MappingError(`Invalid header name '${name}' in mapping key '${key}'`);
    if (isReservedHeader(name)) throw new MappingError(`Invalid mapping key '${key}': '${name}' is a reserved header and cannot be mapped`);
    name = name.toLowerCase();
  }
  return { action: m[1] as MappingOp['action'], target, name };
}

export function compileRequestMapping(params: Record<string, string> | undefined): MappingOp[] {
  const ops: MappingOp[] = [];
  for (const [key, value] of Object.entries(params ?? {})) {
    const op = parseKey(key, 'request');
    ops.push({ ...op, value: op.action === 'remove' ? { parts: [], readsBody: false } : parseValue(value, 'request') });
  }
  return ops;
}

export function compileResponseMapping(params: Record<string, Record<string, string>> | undefined): Map<number, MappingOp[]> {
  const out = new Map<number, MappingOp[]>();
  for (const [status, inner] of Object.entries(params ?? {})) {
    if (!/^[2-5]\d\d$/.test(status)) throw new MappingError(`Invalid response parameter status code '${status}': must be 200 to 599`);
    const ops: MappingOp[] = [];
    for (const [key, value] of Object.entries(inner ?? {})) {
      const op = parseKey(key, 'response');
      const tpl = op.action === 'remove' ? { parts: [], readsBody: false } : parseValue(value, 'response');
      if (op.target === 'statuscode' && tpl.parts.length === 1 && tpl.parts[0]!.kind === 'static') {
        const code = Number((tpl.parts[0] as { text: string }).text);
        if (!Number.isInteger(code) || code < 100 || code > 599) throw new MappingError(`Invalid status code '${value}' for overwrite:statuscode`);
      }
      ops.push({ ...op, value: tpl });
    }
    out.set(Number(status), ops);
  }
  return out;
}

/** What a template may read; the pipeline implements it over the live request/response. */
export interface ValueResolver {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  body(path: Array<string | number>): string | undefined;
  path(): string;
  pathParam(name: string): string | undefined;
  context(name: string): string | undefined;
  stageVar(name: string): string | undefined;
  responseHeader(name: string): string | undefined;
  responseBody(path: Array<string | number>): string | undefined;
}

function resolvePart(p: ValuePart, r: ValueResolver): string | undefined {
  switch (p.kind) {
    case 'static':
      return p.text;
    case 'header':
      return r.header(p.name);
    case 'query':
      return r.query(p.name);
    case 'body':
      return r.body(p.path);
    case 'path':
      return r.path();
    case 'pathParam':
      return r.pathParam(p.name);
    case 'context':
      return r.context(p.name);
    case 'stageVar':
      return r.stageVar(p.name);
    case 'responseHeader':
      return r.responseHeader(p.name);
    case 'responseBody':
      return r.responseBody(p.path);
  }
}

/**
 * Renders a template. A template that is a single expression with no value renders undefined (the
 * mapping is skipped); in mixed text a missing value renders empty.
 */
export function renderValue(t: ValueTemplate, r: ValueResolver): string | undefined {
  if (t.parts.length === 1) return resolvePart(t.parts[0]!, r);
  let out = '';
  for (const p of t.parts) out += resolvePart(p, r) ?? '';
  return out;
}

/** Reads a JSONPath-lite path out of a parsed JSON document; objects come back as JSON text. */
export function jsonAt(doc: unknown, path: Array<string | number>): string | undefined {
  let cur: unknown = doc;
  for (const k of path) {
    if (cur === null || typeof cur !== 'object') return undefined;
    cur = (cur as Record<string | number, unknown>)[k];
  }
  if (cur === undefined) return undefined;
  if (cur === null) return 'null';
  return typeof cur === 'object' ? JSON.stringify(cur) : String(cur);
}
