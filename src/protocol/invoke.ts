// Invoking a service operation in-process, the way the dispatcher does after parsing: the input is
// brought to the model's types (a template's "80" is an integer where the shape says so), checked with
// the model's constraints, and handed to the same handler table the wire reaches. CloudFormation's
// providers call the services through this, so a stack's resources are made by the services' own code
// (docs/cloudformation.md).
import { AwsError, notImplementedError } from '../kernel/errors.js';
import { uuid } from '../kernel/ids.js';
import { NOT_IMPLEMENTED, type AnyHandlerTable, type RequestContext } from './handlers.js';
import type { ServiceModel, ServiceName, ShapeRef } from './model.js';
import type { ServiceRegistry, ServiceSpec } from './services.js';
import { validate, validationMessage } from './validate.js';

/** Who is calling: the account and region an operation runs in. */
export interface CallerIdentity {
  region: string;
  accountId: string;
}

export type OperationCaller = (service: ServiceName, operation: string, input: Record<string, unknown>, who: CallerIdentity) => Promise<Record<string, unknown>>;

/** The dispatcher's model check of a parsed input: AWS's validation message, or EC2's MissingParameter. */
export function validateOperationInput(spec: ServiceSpec, operation: string, input: Record<string, unknown>): void {
  const inputRef = spec.model.operations[operation]!.input;
  if (!inputRef) return;
  const errors = validate(spec.model, inputRef, input, spec.protocol === 'ec2' ? 'query' : spec.protocol === 'query' ? 'awsquery' : 'json');
  if (!errors.length) return;
  if (spec.protocol === 'ec2') {
    const missing = /^Value null at '([^']+)' failed to satisfy constraint: Member must not be null$/.exec(errors[0]!);
    if (missing) throw new AwsError('MissingParameter', `The request must contain the parameter ${missing[1]}`);
  }
  throw new AwsError(spec.traits.validationCode, validationMessage(errors));
}

/** An OperationCaller over the handler tables the dispatcher uses (looked up at call time). */
export function inProcessCaller(registry: ServiceRegistry, handlers: () => Partial<Record<ServiceName, AnyHandlerTable>>): OperationCaller {
  return async (service, operation, input, who) => {
    const spec = registry.get(service);
    const op = spec.model.operations[operation];
    if (!op) throw new Error(`${service} has no operation ${operation}`);
    const handler = handlers()[service]?.[operation];
    if (!handler || handler === NOT_IMPLEMENTED) throw notImplementedError(spec.model.metadata.serviceId, operation);
    const typed = op.input ? (coerce(spec.model, op.input, input, 0) as Record<string, unknown>) : {};
    validateOperationInput(spec, operation, typed);
    const ctx: RequestContext = {
      requestId: uuid(),
      region: who.region,
      accountId: who.accountId,
      accessKeyId: '',
      service,
      operation,
      headers: {},
      receivedAt: Date.now(),
    };
    return ((await handler(typed, ctx)) ?? {}) as Record<string, unknown>;
  };
}

/**
 * Brings a JS value to the shape's types as a wire parser would read it: numbers and booleans from
 * their text, strings from numbers and booleans; members the shape does not have are dropped.
 */
export function coerce(model: ServiceModel, ref: ShapeRef, value: unknown, depth: number): unknown {
  if (value === undefined || value === null || depth > 40) return undefined;
  const shape = model.shapes[ref.shape];
  if (!shape) return value;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      if (shape.document) return value;
      const out: Record<string, unknown> = {};
      for (const [name, member] of Object.entries(shape.members ?? {})) {
        const v = coerce(model, member, (value as Record<string, unknown>)[name], depth + 1);
        if (v !== undefined) out[name] = v;
      }
      return out;
    }
    case 'list':
      return Array.isArray(value) ? value.map((v) => coerce(model, shape.member!, v, depth + 1)) : value;
    case 'map': {
      if (typeof value !== 'object' || Array.isArray(value)) return value;
      return Object.fromEntries(Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, coerce(model, shape.value!, v, depth + 1)]));
    }
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)) ? Number(value) : value;
    case 'boolean':
      return value === 'true' ? true : value === 'false' ? false : value;
    case 'string':
      return typeof value === 'number' || typeof value === 'boolean' ? String(value) : value;
    case 'timestamp':
      return typeof value === 'string' || typeof value === 'number' ? new Date(value) : value;
    default:
      return value;
  }
}
