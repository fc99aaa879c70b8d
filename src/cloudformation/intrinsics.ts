// Evaluating intrinsic functions and conditions against what is known at that moment: parameter
// values, pseudo parameters, mappings, the physical ids and attributes of resources already made, and
// other stacks' exports. Pure and synchronous; the engine fills the context.
import { AwsError } from '../kernel/errors.js';
import { hasOwn, own } from './own.js';

/** Fn::If's AWS::NoValue: the property (or list item) is removed. */
export const NO_VALUE: unique symbol = Symbol('AWS::NoValue');

export interface EvalContext {
  /** Parameter and pseudo-parameter values (strings, or lists for List<…> types). */
  values: Record<string, string | string[]>;
  mappings: Record<string, Record<string, Record<string, unknown>>>;
  /** Condition names → their value (evaluated once by evaluateConditions). */
  conditions: Record<string, boolean>;
  /** The physical id of a resource (Ref). Throws when it is not known. */
  ref(logicalId: string): string;
  /** Fn::GetAtt. Throws when not known. */
  getAtt(logicalId: string, attribute: string): unknown;
  importValue(name: string): string;
  azs(region: string): string[];
  region: string;
}

export const templateErr = (message: string): AwsError => new AwsError('ValidationError', `Template error: ${message}`);

export function isIntrinsic(v: unknown): v is Record<string, unknown> {
  if (!v || typeof v !== 'object' || Array.isArray(v)) return false;
  const keys = Object.keys(v);
  return keys.length === 1 && (keys[0] === 'Ref' || keys[0]!.startsWith('Fn::') || keys[0] === 'Condition');
}

/** Evaluates every intrinsic in `value`; NO_VALUE members and items are removed. */
export function evaluate(value: unknown, ctx: EvalContext): unknown {
  if (Array.isArray(value)) return value.map((v) => evaluate(v, ctx)).filter((v) => v !== NO_VALUE);
  if (value && typeof value === 'object') {
    if (isIntrinsic(value)) {
      const [fn, arg] = Object.entries(value)[0]!;
      return call(fn, arg, ctx);
    }
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      const r = evaluate(v, ctx);
      if (r !== NO_VALUE) out[k] = r;
    }
    return out;
  }
  return value;
}

function str(v: unknown, fn: string): string {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  throw templateErr(`every ${fn} object requires string values`);
}

function call(fn: string, arg: unknown, ctx: EvalContext): unknown {
  switch (fn) {
    case 'Ref': {
      const name = str(arg, 'Ref');
      if (name === 'AWS::NoValue') return NO_VALUE;
      if (Object.hasOwn(ctx.values, name)) return ctx.values[name];
      return ctx.ref(name);
    }
    case 'Fn::GetAtt': {
      const parts = typeof arg === 'string' ? splitAtt(arg) : (evaluate(arg, ctx) as unknown[]);
      if (!Array.isArray(parts) || parts.length !== 2) throw templateErr('every Fn::GetAtt object requires two non-empty parameters.');
      return ctx.getAtt(str(parts[0], 'Fn::GetAtt'), str(parts[1], 'Fn::GetAtt'));
    }
    case 'Fn::Join': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw templateErr(
          'every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        );
      const list = evaluate(arg[1], ctx);
      if (!Array.isArray(list))
        throw templateErr(
          'every Fn::Join object requires two parameters, (1) a string delimiter and (2) a list of strings to be joined or a function that returns a list of strings (such as Fn::GetAZs) to be joined.',
        );
      return list.map((v) => str(v, 'Fn::Join')).join(str(evaluate(arg[0], ctx), 'Fn::Join'));
    }
    case 'Fn::Select': {
      if (!Array.isArray(arg) || arg.length !== 2) throw templateErr('Fn::Select requires a list argument with two elements: an integer index and a list');
      const index = Number(evaluate(arg[0], ctx));
      const list = evaluate(arg[1], ctx);
      if (!Array.isArray(list) || !Number.isInteger(index) || index < 0 || index >= list.length)
        throw templateErr('Fn::Select cannot select nonexistent value at index ' + String(index));
      return list[index];
    }
    case 'Fn::Split': {
      if (!Array.isArray(arg) || arg.length !== 2)
        throw templateErr('every Fn::Split object requires two parameters, (1) a string delimiter and (2) a string to be split or a function that returns a string to be split.');
      return str(evaluate(arg[1], ctx), 'Fn::Split').split(str(evaluate(arg[0], ctx), 'Fn::Split'));
    }
    case 'Fn::Sub':
      return sub(arg, ctx);
    case 'Fn::Base64':
      return Buffer.from(str(evaluate(arg, ctx), 'Fn::Base64'), 'utf8').toString('base64');
    case 'Fn::GetAZs': {
      const region = str(evaluate(arg, ctx), 'Fn::GetAZs');
      return ctx.azs(region === '' ? ctx.region : region);
    }
    case 'Fn::FindInMap': {
      if (!Array.isArray(arg) || arg.length < 3)
        throw templateErr('every Fn::FindInMap object requires three parameters, the map name, map key and the attribute for return value');
      const [m, k1, k2] = arg.slice(0, 3).map((a) => str(evaluate(a, ctx), 'Fn::FindInMap'));
      const value = own(own(own(ctx.mappings, m!), k1!), k2!);
      if (value === undefined) {
        if (arg[3] && typeof arg[3] === 'object' && 'DefaultValue' in (arg[3] as object)) return evaluate((arg[3] as { DefaultValue: unknown }).DefaultValue, ctx);
        throw templateErr(`Unable to get mapping for ${m}::${k1}::${k2}`);
      }
      return value;
    }
    case 'Fn::ImportValue':
      return ctx.importValue(str(evaluate(arg, ctx), 'Fn::ImportValue'));
    case 'Fn::If': {
      if (!Array.isArray(arg) || arg.length !== 3) throw templateErr('Fn::If requires a list argument with three elements');
      const name = str(arg[0], 'Fn::If');
      if (!hasOwn(ctx.conditions, name)) throw templateErr(`unresolved condition dependency ${name} in Fn::If`);
      return evaluate(ctx.conditions[name] === true ? arg[1] : arg[2], ctx);
    }
    case 'Fn::Equals':
    case 'Fn::And':
    case 'Fn::Or':
    case 'Fn::Not':
    case 'Condition':
      return condition({ [fn]: arg }, ctx);
    case 'Fn::Cidr': {
      if (!Array.isArray(arg) || arg.length !== 3) throw templateErr('Fn::Cidr requires a list argument with three elements');
      const [block, count, bits] = arg.map((a) => evaluate(a, ctx));
      return cidr(str(block, 'Fn::Cidr'), Number(count), Number(bits));
    }
    case 'Fn::Length': {
      const list = evaluate(arg, ctx);
      if (!Array.isArray(list)) throw templateErr('Fn::Length requires a list');
      return list.length;
    }
    case 'Fn::ToJsonString':
      return JSON.stringify(evaluate(arg, ctx));
    default:
      throw templateErr(
        `Encountered unsupported function: ${fn} Supported functions are: [Fn::Base64, Fn::GetAtt, Fn::GetAZs, Fn::ImportValue, Fn::Join, Fn::Split, Fn::FindInMap, Fn::Select, Ref, Fn::Equals, Fn::If, Fn::Not, Condition, Fn::And, Fn::Or, Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::ValueOf, Fn::ValueOfAll, Fn::RefAll, Fn::Sub, Fn::Cidr, Fn::Length, Fn::ToJsonString]`,
      );
  }
}

function splitAtt(s: string): string[] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s] : [s.slice(0, dot), s.slice(dot + 1)];
}

/** The `${…}` references of a Fn::Sub string, without `${!Literal}` ones. */
export function subReferences(template: string): string[] {
  const refs: string[] = [];
  for (const m of template.matchAll(/\$\{([^}]*)\}/g)) if (!m[1]!.startsWith('!')) refs.push(m[1]!.trim());
  return refs;
}

function sub(arg: unknown, ctx: EvalContext): string {
  let text: string;
  let vars: Record<string, unknown> = {};
  if (typeof arg === 'string') text = arg;
  else if (Array.isArray(arg) && arg.length === 2 && typeof arg[0] === 'string' && arg[1] && typeof arg[1] === 'object') {
    text = arg[0];
    const evaluated = evaluate(arg[1], ctx);
    if (!evaluated || typeof evaluated !== 'object' || Array.isArray(evaluated)) throw templateErr('the second argument of Fn::Sub must be a map of variables');
    vars = evaluated as Record<string, unknown>;
  } else
    throw templateErr(
      "One or more Fn::Sub intrinsic functions don't specify expected arguments. Specify a string as first argument, and an optional second argument to specify a mapping of values to replace in the string",
    );
  return text.replace(/\$\{([^}]*)\}/g, (_all, inner: string) => {
    if (inner.startsWith('!')) return '${' + inner.slice(1) + '}';
    const name = inner.trim();
    if (hasOwn(vars, name)) return str(vars[name], 'Fn::Sub');
    if (Object.hasOwn(ctx.values, name)) {
      const v = ctx.values[name]!;
      return Array.isArray(v) ? v.join(',') : v;
    }
    const dot = name.indexOf('.');
    if (dot > 0) return str(ctx.getAtt(name.slice(0, dot), name.slice(dot + 1)), 'Fn::Sub');
    return ctx.ref(name);
  });
}

/** A condition expression's value. */
export function condition(expr: unknown, ctx: EvalContext): boolean {
  if (!isIntrinsic(expr)) throw templateErr('Conditions can only be boolean operations on parameters and other conditions');
  const [fn, arg] = Object.entries(expr)[0]!;
  switch (fn) {
    case 'Fn::Equals': {
      if (!Array.isArray(arg) || arg.length !== 2) throw templateErr('Fn::Equals requires a list argument with two elements');
      const [a, b] = arg.map((x) => evaluate(x, ctx));
      return JSON.stringify(normal(a)) === JSON.stringify(normal(b));
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) throw templateErr(`${fn} requires a list argument with between 2 and 10 elements`);
      const vs = arg.map((x) => condition(x, ctx));
      return fn === 'Fn::And' ? vs.every(Boolean) : vs.some(Boolean);
    }
    case 'Fn::Not': {
      if (!Array.isArray(arg) || arg.length !== 1) throw templateErr('Fn::Not requires a list argument with one element');
      return !condition(arg[0], ctx);
    }
    case 'Condition': {
      const name = str(arg, 'Condition');
      if (!hasOwn(ctx.conditions, name)) throw templateErr(`unresolved condition dependency ${name}`);
      return ctx.conditions[name] === true;
    }
    default:
      throw templateErr(`${fn} is not a condition function`);
  }
}

const normal = (v: unknown): unknown => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

/**
 * Evaluates the Conditions section in dependency order (a condition may name another); a cycle or an
 * unknown name is a template error.
 */
export function evaluateConditions(conditions: Record<string, unknown>, base: Omit<EvalContext, 'conditions'>): Record<string, boolean> {
  const done: Record<string, boolean> = {};
  const visiting = new Set<string>();
  const ctx: EvalContext = {
    ...base,
    ref: (name) => {
      throw new AwsError('ValidationError', `Template format error: Unresolved dependencies [${name}]. Cannot reference resources in the Conditions block of the template`);
    },
    conditions: new Proxy(done, {
      has: (_t, name: string) => Object.hasOwn(conditions, name),
      getOwnPropertyDescriptor: (_t, name: string) =>
        Object.hasOwn(conditions, name) ? { value: resolve(name), writable: false, enumerable: true, configurable: true } : undefined,
      get: (_t, name: string) => resolve(name),
    }),
  };
  const resolve = (name: string): boolean => {
    if (Object.hasOwn(done, name)) return done[name]!;
    if (visiting.has(name)) throw new AwsError('ValidationError', `Template format error: Circular dependency between conditions: [${[...visiting].join(', ')}]`);
    visiting.add(name);
    done[name] = condition(conditions[name], ctx);
    visiting.delete(name);
    return done[name]!;
  };
  for (const name of Object.keys(conditions)) resolve(name);
  return done;
}

/** Fn::Cidr: `count` subnets of `cidrBits` host bits each, carved in order from an IPv4 block. */
export function cidr(block: string, count: number, cidrBits: number): string[] {
  const m = /^(\d+)\.(\d+)\.(\d+)\.(\d+)\/(\d+)$/.exec(block);
  if (!m) throw templateErr(`Fn::Cidr: ${block} is not a valid CIDR block`);
  const base = m.slice(1, 5).reduce((a, o) => a * 256 + Number(o), 0);
  const prefix = Number(m[5]);
  const newPrefix = 32 - cidrBits;
  if (!Number.isInteger(count) || count < 1 || count > 256 || newPrefix < prefix || cidrBits < 0 || 2 ** (newPrefix - prefix) < count) {
    throw templateErr(`Fn::Cidr: cannot make ${count} subnets of /${newPrefix} in ${block}`);
  }
  const size = 2 ** cidrBits;
  const start = base - (base % 2 ** (32 - prefix));
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const a = start + i * size;
    out.push(`${[24, 16, 8, 0].map((s) => Math.floor(a / 2 ** s) % 256).join('.')}/${newPrefix}`);
  }
  return out;
}
