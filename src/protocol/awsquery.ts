// The awsquery protocol (IAM, STS, CloudFormation; docs/aws-behavior.md §1.8): form-encoded input,
// XML output wrapped in `<OpResponse><OpResult>…</OpResult><ResponseMetadata>`, and errors as
// `<ErrorResponse><Error><Type>…`. It differs from EC2's query dialect, which lives beside it:
//   - member names are the model's locationName or member name as written (EC2 capitalises);
//   - lists are `Name.member.N` (`Name.N` when flattened), maps `Name.entry.N.key` / `.value`;
//   - output lists wrap items in `<member>`, the result in `<OpResult>` (the output's resultWrapper);
//   - error codes on the wire are the shape's `error.code` (NoSuchEntityException → NoSuchEntity).
import type { ServiceModel, ShapeRef } from './model.js';
import { xmlEscape, xmlScalar } from './serialize-output.js';
import { listIndexes } from './parse-input.js';
import { readString } from './shape-reader.js';

/** The wire name of a structure member: its locationName, else its member name. */
const wireName = (name: string, ref: ShapeRef): string => ref.locationName ?? name;

/**
 * Form parameters → handler input keyed by member names. Parameters no member reads are ignored, as
 * AWS's query services do (only EC2 answers UnknownParameter), so a newer client's extra field is harmless.
 */
export function parseQueryInput(model: ServiceModel, input: ShapeRef | undefined, params: Map<string, string>): Record<string, unknown> {
  if (!input) return {};
  return readStructure(model, input, '', params, 0) ?? {};
}

const MAX_DEPTH = 20;

function readStructure(model: ServiceModel, ref: ShapeRef, prefix: string, params: Map<string, string>, depth: number): Record<string, unknown> | undefined {
  const shape = model.shapes[ref.shape]!;
  const out: Record<string, unknown> = {};
  let any = false;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const key = prefix ? `${prefix}.${wireName(name, member)}` : wireName(name, member);
    const v = readValue(model, member, key, params, depth + 1);
    if (v !== undefined) {
      out[name] = v;
      any = true;
    }
  }
  return any || !prefix ? out : undefined;
}

function readValue(model: ServiceModel, ref: ShapeRef, key: string, params: Map<string, string>, depth: number): unknown {
  if (depth > MAX_DEPTH) return undefined;
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure':
      return readStructure(model, ref, key, params, depth);
    case 'list': {
      // `Name=` alone is an empty list.
      if (params.get(key) === '') return [];
      const base = shape.flattened ? key : `${key}.${shape.member!.locationName ?? 'member'}`;
      const indexes = listIndexes(base, params);
      if (!indexes.length) return undefined;
      const items: unknown[] = [];
      for (const i of indexes) {
        const v = readValue(model, shape.member!, `${base}.${i}`, params, depth + 1);
        if (v !== undefined) items.push(v);
      }
      return items;
    }
    case 'map': {
      const base = shape.flattened ? key : `${key}.entry`;
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      const indexes = listIndexes(base, params);
      if (!indexes.length) return undefined;
      const map: Record<string, unknown> = {};
      for (const i of indexes) {
        const k = params.get(`${base}.${i}.${keyName}`);
        if (k === undefined) continue;
        map[k] = readValue(model, shape.value!, `${base}.${i}.${valueName}`, params, depth + 1);
      }
      return map;
    }
    default: {
      const raw = params.get(key);
      return raw === undefined ? undefined : readString(model, ref, raw, key);
    }
  }
}

/** The xmlns attribute of a query service's answers, with the trailing slash AWS writes; none for a service not served. */
function namespace(model: ServiceModel | undefined): string {
  const ns = model?.metadata.xmlNamespace;
  if (!ns) return '';
  return ` xmlns="${ns.endsWith('/') ? ns : `${ns}/`}"`;
}

/** A successful answer: `<OpResponse xmlns><OpResult>…</OpResult><ResponseMetadata><RequestId>`. */
export function writeQueryXml(model: ServiceModel, operation: string, value: unknown, requestId: string): string {
  const op = model.operations[operation]!;
  const parts: string[] = [`<?xml version="1.0" encoding="UTF-8"?>\n<${operation}Response${namespace(model)}>`];
  const out = op.output as (ShapeRef & { resultWrapper?: string }) | undefined;
  if (out) {
    const wrapper = out.resultWrapper ?? `${operation}Result`;
    parts.push(`<${wrapper}>`);
    if (value && typeof value === 'object') writeMembers(model, out, value as Record<string, unknown>, parts, 0);
    parts.push(`</${wrapper}>`);
  }
  parts.push(`<ResponseMetadata><RequestId>${requestId}</RequestId></ResponseMetadata></${operation}Response>`);
  return parts.join('');
}

/** Writes a structure's members as awsquery XML (rest-xml's output uses the same element rules). */
export function writeMembers(model: ServiceModel, ref: ShapeRef, obj: Record<string, unknown>, parts: string[], depth: number): void {
  const shape = model.shapes[ref.shape]!;
  for (const [name, member] of Object.entries(shape.members ?? {})) {
    const v = obj[name];
    if (v === undefined || v === null) continue;
    writeValue(model, member, v, wireName(name, member), parts, depth + 1);
  }
}

function writeValue(model: ServiceModel, ref: ShapeRef, value: unknown, tag: string, parts: string[], depth: number): void {
  if (depth > 100) return;
  const shape = model.shapes[ref.shape]!;
  switch (shape.type) {
    case 'structure':
      if (typeof value !== 'object') return;
      parts.push(`<${tag}>`);
      writeMembers(model, ref, value as Record<string, unknown>, parts, depth);
      parts.push(`</${tag}>`);
      return;
    case 'list': {
      if (!Array.isArray(value)) return;
      if (shape.flattened) {
        for (const item of value) writeValue(model, shape.member!, item, shape.member!.locationName ?? tag, parts, depth + 1);
        return;
      }
      parts.push(`<${tag}>`);
      for (const item of value) writeValue(model, shape.member!, item, shape.member!.locationName ?? 'member', parts, depth + 1);
      parts.push(`</${tag}>`);
      return;
    }
    case 'map': {
      if (typeof value !== 'object') return;
      const keyName = shape.key?.locationName ?? 'key';
      const valueName = shape.value?.locationName ?? 'value';
      const entries = Object.entries(value as Record<string, unknown>);
      if (!shape.flattened) parts.push(`<${tag}>`);
      for (const [k, v] of entries) {
        parts.push(shape.flattened ? `<${tag}>` : '<entry>', `<${keyName}>${xmlEscape(k)}</${keyName}>`);
        writeValue(model, shape.value!, v, valueName, parts, depth + 1);
        parts.push(shape.flattened ? `</${tag}>` : '</entry>');
      }
      if (!shape.flattened) parts.push(`</${tag}>`);
      return;
    }
    default: {
      const text = xmlScalar(shape.type, value, 'seconds');
      if (text !== undefined) parts.push(`<${tag}>${text}</${tag}>`);
    }
  }
}

/** The model shape whose wire code is `code` (IAM's NoSuchEntity is the shape NoSuchEntityException). */
export function queryErrorShape(model: ServiceModel | undefined, code: string): string | undefined {
  if (!model) return undefined;
  if (model.shapes[code]?.exception) return code;
  for (const [name, shape] of Object.entries(model.shapes)) if (shape.exception && shape.error?.code === code) return name;
  return undefined;
}

/** An error: `<ErrorResponse><Error><Type>Sender|Receiver</Type><Code/><Message/></Error><RequestId/>`. */
export function writeQueryErrorXml(model: ServiceModel | undefined, code: string, message: string, status: number, requestId: string, xmlns = namespace(model)): string {
  const type = status >= 500 ? 'Receiver' : 'Sender';
  return (
    `<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse${xmlns}><Error><Type>${type}</Type>` +
    `<Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error><RequestId>${requestId}</RequestId></ErrorResponse>`
  );
}
