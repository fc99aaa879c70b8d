// Handler output → wire, directed by the model. Only modelled members are written, so a handler may
// return a richer record and nothing internal leaks. Timestamps follow each shape's format: epoch
// seconds for awsJson, the shape's timestampFormat (ISO-8601 in apigatewayv2), ISO-8601 in EC2 XML.
import { membersOf, type ServiceModel, type Shape, type ShapeRef } from './model.js';
import { jsonKey } from './shape-reader.js';

export function toDate(value: unknown): Date | undefined {
  if (value instanceof Date) return value;
  if (typeof value === 'number') return new Date(value); // epoch ms from records
  if (typeof value === 'string') {
    const d = new Date(value);
    return Number.isNaN(d.getTime()) ? undefined : d;
  }
  return undefined;
}

function formatTimestamp(d: Date, format: string | undefined): string | number {
  switch (format) {
    case 'iso8601':
      return d.toISOString().replace(/\.000Z$/, 'Z');
    case 'rfc822':
      return d.toUTCString();
    default:
      return Math.round(d.getTime()) / 1000;
  }
}

/**
 * A JSON-ready value for awsJson and rest-json bodies. Each shape's writer is built once per model and
 * reference (compileJson): a list of 50 routes used to look every member's shape up by name, walk
 * Object.entries and recompute its JSON key per item, a tenth of a GetRoutes call's CPU.
 */
export function writeJson(model: ServiceModel, ref: ShapeRef, value: unknown, depth = 0): unknown {
  if (value === undefined || value === null || depth > 100) return undefined;
  return jsonWriter(model, ref)(value, depth);
}

/** Writes a value that is neither undefined nor null, `depth` levels down (≤ 100). */
type JsonWriter = (value: unknown, depth: number) => unknown;

const jsonWriters = new WeakMap<ServiceModel, Map<string, JsonWriter>>();

function jsonWriter(model: ServiceModel, ref: ShapeRef): JsonWriter {
  let writers = jsonWriters.get(model);
  if (!writers) jsonWriters.set(model, (writers = new Map()));
  // Only a timestamp's format is read from the reference; the rest is the shape's.
  const id = ref.timestampFormat === undefined ? ref.shape : `${ref.shape}\0${ref.timestampFormat}`;
  let w = writers.get(id);
  if (!w) {
    // Registered before it is built, through a forwarder, so recursive shapes find themselves.
    let built: JsonWriter | undefined;
    writers.set(id, (v, d) => built!(v, d));
    built = compileJson(model, ref);
    writers.set(id, built);
    w = built;
  }
  return w;
}

/** The writer of a child value: undefined for nothing, or past the depth bound, as writeJson. */
function child(w: JsonWriter, value: unknown, depth: number): unknown {
  return value === undefined || value === null || depth > 100 ? undefined : w(value, depth);
}

function compileJson(model: ServiceModel, ref: ShapeRef): JsonWriter {
  const shape = model.shapes[ref.shape]!;
  if (shape.document) return (value) => value;
  switch (shape.type) {
    case 'structure':
      return structureJson(model, shape);
    case 'list': {
      let item: JsonWriter | undefined;
      return (value, depth) => {
        if (!Array.isArray(value)) return undefined;
        item ??= jsonWriter(model, shape.member!);
        const out = new Array<unknown>(value.length);
        for (let i = 0; i < value.length; i++) out[i] = child(item, value[i], depth + 1) ?? null;
        return out;
      };
    }
    case 'map': {
      let entry: JsonWriter | undefined;
      return (value, depth) => {
        if (typeof value !== 'object') return undefined;
        entry ??= jsonWriter(model, shape.value!);
        const out: Record<string, unknown> = {};
        for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
          const w = child(entry, v, depth + 1);
          if (w !== undefined) out[k] = w;
        }
        return out;
      };
    }
    case 'timestamp': {
      const format = ref.timestampFormat ?? shape.timestampFormat;
      return (value) => {
        const d = toDate(value);
        return d ? formatTimestamp(d, format) : undefined;
      };
    }
    case 'blob':
      return (value) => Buffer.from(value as Uint8Array).toString('base64');
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return (value) => (typeof value === 'number' ? value : Number(value));
    case 'boolean':
      return (value) => Boolean(value);
    default:
      return (value) => String(value);
  }
}

/**
 * A structure's writer as generated code: one statement per member, its name and its JSON key as string literals
 * (written with JSON.stringify, so a name is only ever a string), the members' writers looked up at the first
 * call (a recursive shape is registered by then). Each member read has an inline cache of its own, and every
 * object it builds has the same keys in the same order (one hidden class, JSON.stringify's fast path): a loop
 * over member names made every read megamorphic, about a tenth of a CreateService call with its answer.
 * serialize-output.test.ts checks the writers against a plain reference writer over every output shape.
 */
function structureJson(model: ServiceModel, shape: Shape): JsonWriter {
  const fields = membersOf(shape).filter(([, m]) => !m.location);
  let body = 'if (typeof v !== "object") return undefined;\nW ??= resolve();\nconst o = {};\nlet x, t;\n';
  fields.forEach(([name, member], i) => {
    body += `x = v[${JSON.stringify(name)}];\n`;
    body += `if (x !== undefined && x !== null && d < 100 && (t = W[${i}](x, d + 1)) !== undefined) o[${JSON.stringify(jsonKey(name, member))}] = t;\n`;
  });
  body += 'return o;';
  const resolve = (): JsonWriter[] => fields.map(([, member]) => jsonWriter(model, member));
  return new Function('resolve', `let W;\nreturn function structureJson(v, d) {\n${body}\n};`)(resolve) as JsonWriter;
}

export interface RestOutput {
  status?: number;
  headers: Record<string, string>;
  body: Buffer | string | undefined;
  contentType?: string;
}

/** rest-json output: header-bound members, a statusCode member, and the JSON (or payload) body. */
export function writeRestJson(model: ServiceModel, ref: ShapeRef | undefined, value: unknown): RestOutput {
  const out: RestOutput = { headers: {}, body: undefined };
  if (!ref) return out;
  const shape = model.shapes[ref.shape]!;
  const obj = (value ?? {}) as Record<string, unknown>;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    if (member.location === 'header') out.headers[member.locationName ?? name] = String(v instanceof Date ? v.toUTCString() : v);
    else if (member.location === 'statusCode') out.status = Number(v);
    else if (member.location === 'headers' && typeof v === 'object') {
      for (const [k, hv] of Object.entries(v as Record<string, unknown>)) out.headers[(member.locationName ?? '') + k] = String(hv);
    }
  }
  if (shape.payload) {
    const member = shape.members![shape.payload]!;
    const payloadShape = model.shapes[member.shape]!;
    const v = obj[shape.payload];
    if (payloadShape.type === 'blob' || payloadShape.type === 'string') {
      out.body = v === undefined ? undefined : typeof v === 'string' ? v : Buffer.from(v as Uint8Array);
      out.contentType = 'application/octet-stream';
    } else if (v !== undefined) {
      out.body = JSON.stringify(writeJson(model, member, v));
    }
    return out;
  }
  out.body = JSON.stringify(writeJson(model, ref, obj));
  return out;
}

const XML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/**
 * Text for an XML answer. Characters XML 1.0 cannot carry at all (C0 controls other than tab, LF, CR;
 * U+FFFE, U+FFFF), which a request can echo back (a name in a message), become U+FFFD: written as
 * they are, they made the whole answer ill-formed ("Unable to parse response" in the aws CLI).
 */
export function xmlEscape(s: string): string {
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching the control characters is the point
  return s.replace(/[&<>"'\x00-\x08\x0B\x0C\x0E-\x1F\uFFFE\uFFFF]/g, (c) => XML_ESCAPES[c] ?? '\uFFFD');
}

/** EC2 XML: camelCase locationNames, `<item>` list entries, lower-case booleans, ISO-8601 timestamps. */
export function writeEc2Xml(model: ServiceModel, ref: ShapeRef | undefined, value: unknown, operation: string, requestId: string): string {
  const ns = model.metadata.xmlNamespace ?? 'http://ec2.amazonaws.com/doc/2016-11-15';
  const parts: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response xmlns="${ns.endsWith('/') ? ns : ns + '/'}">`, `<requestId>${requestId}</requestId>`];
  if (ref && value) writeXmlMembers(model, ref, value as Record<string, unknown>, parts, 0);
  parts.push(`</${operation}Response>`);
  return parts.join('');
}

function writeXmlMembers(model: ServiceModel, ref: ShapeRef, obj: Record<string, unknown>, parts: string[], depth: number): void {
  const shape = model.shapes[ref.shape]!;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    const tag = member.locationName ?? name;
    writeXmlValue(model, member, v, tag, parts, depth + 1);
  }
}

function writeXmlValue(model: ServiceModel, ref: ShapeRef, value: unknown, tag: string, parts: string[], depth: number): void {
  if (depth > 100) return;
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure':
      parts.push(`<${tag}>`);
      writeXmlMembers(model, ref, value as Record<string, unknown>, parts, depth);
      parts.push(`</${tag}>`);
      return;
    case 'list': {
      if (!Array.isArray(value)) return;
      const itemTag = shape.member!.locationName ?? 'member';
      parts.push(`<${tag}>`);
      for (const item of value) writeXmlValue(model, shape.member!, item, itemTag, parts, depth + 1);
      parts.push(`</${tag}>`);
      return;
    }
    case 'map': {
      parts.push(`<${tag}>`);
      for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
        parts.push(`<entry><key>${xmlEscape(k)}</key>`);
        writeXmlValue(model, shape.value!, v, 'value', parts, depth + 1);
        parts.push('</entry>');
      }
      parts.push(`</${tag}>`);
      return;
    }
    default: {
      const text = xmlScalar(shape.type, value, 'millis');
      if (text !== undefined) parts.push(`<${tag}>${text}</${tag}>`);
    }
  }
}

/**
 * A scalar's XML text, escaped: ISO-8601 timestamps (EC2 writes milliseconds, the awsquery services do
 * not), base64 blobs, lower-case booleans; undefined for a value that is no date where one is due.
 */
export function xmlScalar(type: string, value: unknown, timestamps: 'millis' | 'seconds'): string | undefined {
  switch (type) {
    case 'timestamp': {
      const d = toDate(value);
      if (!d) return undefined;
      return timestamps === 'millis' ? d.toISOString() : d.toISOString().replace(/\.000Z$/, 'Z');
    }
    case 'blob':
      return Buffer.from(value as Uint8Array).toString('base64');
    case 'boolean':
      return value ? 'true' : 'false';
    default:
      return xmlEscape(String(value));
  }
}
