// Model constraints on parsed input: required members, enums, lengths, ranges, patterns. Messages
// follow AWS's "N validation error(s) detected: Value … at '…' failed to satisfy constraint: …".
import { membersOf, type ServiceModel, type Shape, type ShapeRef } from './model.js';
import { jsonKey } from './shape-reader.js';

const patternCache = new Map<string, RegExp | null>();

function compile(pattern: string): RegExp | null {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    try {
      re = new RegExp(pattern, 'u');
    } catch {
      try {
        re = new RegExp(pattern);
      } catch {
        re = null; // a pattern JS cannot express is not enforced rather than rejecting valid input
      }
    }
    patternCache.set(pattern, re);
  }
  return re;
}

const cut = (text: string): string => (text.length > 64 ? text.slice(0, 64) + '…' : text);

function show(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return `'${cut(value)}'`;
  if (value instanceof Date) return `'${value.toISOString()}'`;
  if (Array.isArray(value)) return `'[${value.length} item(s)]'`;
  if (typeof value === 'object') return `'${cut(showMap(value as Record<string, unknown>))}'`;
  return `'${String(value)}'`;
}

/** A map as AWS's messages print one (`{key=value, …}`), built only as far as the message shows it. */
function showMap(map: Record<string, unknown>): string {
  let text = '{';
  for (const k in map) {
    if (text.length > 64) break;
    if (!Object.hasOwn(map, k)) continue;
    const v = map[k];
    const shown = Array.isArray(v) ? '[..]' : typeof v === 'object' && v !== null ? '{..}' : String(v).slice(0, 65);
    text += `${text.length > 1 ? ', ' : ''}${k.slice(0, 65)}=${shown}`;
  }
  return `${text}}`;
}

/**
 * How a member is named in messages: as the JSON wire writes it; as EC2's query names it (capitalised);
 * or, for the awsquery services, in lower camel case (IAM: "Value 'x' at 'roleName' failed to satisfy …").
 */
export type WireNames = 'json' | 'query' | 'awsquery';

function keyOf(name: string, ref: ShapeRef, wireNames: WireNames): string {
  if (wireNames === 'awsquery') return name[0]!.toLowerCase() + name.slice(1);
  if (wireNames === 'query') return ref.queryName ?? (ref.locationName ? ref.locationName[0]!.toUpperCase() + ref.locationName.slice(1) : name);
  return jsonKey(name, ref);
}

/** Returns the constraint violations of `value` (empty when valid). */
export function validate(model: ServiceModel, ref: ShapeRef, value: unknown, wireNames: WireNames = 'json'): string[] {
  const errors: string[] = [];
  walk(model, ref, value, '', errors, wireNames, 0);
  return errors;
}

export function validationMessage(errors: string[]): string {
  const shown = errors.slice(0, 10);
  return `${errors.length} validation error${errors.length === 1 ? '' : 's'} detected: ${shown.join('; ')}`;
}

const requiredSets = new WeakMap<Shape, ReadonlySet<string>>();

/** A structure's required member names, read out of the model once per shape. */
function requiredOf(shape: Shape): ReadonlySet<string> {
  let set = requiredSets.get(shape);
  if (!set) requiredSets.set(shape, (set = new Set(shape.required ?? [])));
  return set;
}

function walk(model: ServiceModel, ref: ShapeRef, value: unknown, path: string, errors: string[], names: WireNames, depth: number): void {
  if (depth > 64 || errors.length > 20) return;
  const shape = model.shapes[ref.shape]!;
  const at = (p: string) => `at '${p}'`;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null) return;
      const obj = value as Record<string, unknown>;
      const required = requiredOf(shape);
      // A member's path is only built for one that is present or missing while required (most are neither).
      for (const [name, member] of membersOf(shape)) {
        const v = obj[name];
        const absent = v === undefined || v === null;
        if (absent && !required.has(name)) continue;
        const key = keyOf(name, member, names);
        const p = path ? `${path}.${key}` : key;
        if (absent) errors.push(`Value null ${at(p)} failed to satisfy constraint: Member must not be null`);
        else walk(model, member, v, p, errors, names, depth + 1);
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) return;
      checkSize(shape.min, shape.max, value.length, value, path, errors, 'length');
      value.forEach((v, i) => {
        if (v === null || v === undefined) errors.push(`Value null at '${path}.${i + 1}' failed to satisfy constraint: Member must not be null`);
        else walk(model, shape.member!, v, `${path}.${i + 1}`, errors, names, depth + 1);
      });
      return;
    }
    case 'map': {
      if (typeof value !== 'object' || value === null) return;
      const entries = Object.entries(value as Record<string, unknown>);
      checkSize(shape.min, shape.max, entries.length, value, path, errors, 'length');
      for (const [k, v] of entries) {
        walk(model, shape.key!, k, `${path}.${k}#key`, errors, names, depth + 1);
        walk(model, shape.value!, v, `${path}.${k}`, errors, names, depth + 1);
      }
      return;
    }
    case 'string': {
      if (typeof value !== 'string') return;
      if (shape.enum && !shape.enum.includes(value)) {
        errors.push(`Value ${show(value)} ${at(path)} failed to satisfy constraint: Member must satisfy enum value set: [${shape.enum.join(', ')}]`);
      }
      checkSize(shape.min, shape.max, value.length, value, path, errors, 'length');
      if (shape.pattern) {
        const re = compile(shape.pattern);
        if (re && !re.test(value)) {
          errors.push(`Value ${show(value)} ${at(path)} failed to satisfy constraint: Member must satisfy regular expression pattern: ${shape.pattern}`);
        }
      }
      return;
    }
    case 'blob':
      if (value instanceof Uint8Array) checkSize(shape.min, shape.max, value.length, '<blob>', path, errors, 'length');
      return;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      if (typeof value !== 'number') return;
      if (shape.min !== undefined && value < shape.min) {
        errors.push(`Value ${show(value)} ${at(path)} failed to satisfy constraint: Member must have value greater than or equal to ${shape.min}`);
      }
      if (shape.max !== undefined && value > shape.max) {
        errors.push(`Value ${show(value)} ${at(path)} failed to satisfy constraint: Member must have value less than or equal to ${shape.max}`);
      }
      return;
  }
}

function checkSize(min: number | undefined, max: number | undefined, n: number, value: unknown, path: string, errors: string[], what: string): void {
  if (min !== undefined && n < min) {
    errors.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: Member must have ${what} greater than or equal to ${min}`);
  }
  if (max !== undefined && n > max) {
    errors.push(`Value ${show(value)} at '${path}' failed to satisfy constraint: Member must have ${what} less than or equal to ${max}`);
  }
}
