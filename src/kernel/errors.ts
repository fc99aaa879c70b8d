// One error catalog. Handlers throw AwsError with the code AWS uses; the protocol layer turns it into
// the wire shape of the service's protocol (status from the service model when the error is modelled,
// else from this catalog, else 400). Nothing else in the codebase builds error responses.

/**
 * The codes an AwsError may carry, as this interface's keys: each service's modelled errors, EC2's
 * documented ones and the common ones. The kernel knows no service, so the list is filled in by
 * src/protocol/error-codes.ts (declaration merging); a code it does not list does not compile.
 */
// biome-ignore lint/suspicious/noEmptyInterface: filled in by src/protocol/error-codes.ts
export interface AwsErrorCodes {}
export type AwsErrorCode = keyof AwsErrorCodes;

export interface AwsErrorOptions {
  /** HTTP status; normally omitted so the model / catalog decides. */
  status?: number;
  /** Extra modelled members of the error shape, by model member name (e.g. DuplicateOperationId). */
  fields?: Record<string, unknown>;
  /** Extra response headers (e.g. www-authenticate). */
  headers?: Record<string, string>;
}

export class AwsError extends Error {
  readonly code: AwsErrorCode;
  readonly status: number | undefined;
  readonly fields: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(code: AwsErrorCode, message: string, options: AwsErrorOptions = {}) {
    super(message);
    this.name = code;
    this.code = code;
    this.status = options.status ?? CATALOG[code];
    this.fields = options.fields ?? {};
    this.headers = options.headers ?? {};
  }
}

/** Statuses of the errors that are not modelled in a service model (common AWS errors). */
const CATALOG: Partial<Record<AwsErrorCode, number>> = {
  // authentication errors are not here: their status differs per protocol (protocol/serialize-error.ts authError)
  InternalFailure: 500,
  InternalError: 500,
  ServiceUnavailable: 503,
  NotImplemented: 501,
  RequestEntityTooLarge: 413,
  RequestEntityTooLargeException: 413,
  UnknownOperationException: 400,
  InvalidAction: 400,
  SerializationException: 400,
  ValidationException: 400,
  MissingParameter: 400,
  InvalidParameterValue: 400,
  MalformedQueryString: 400,
  MissingAction: 400,
};

/** An operation the service model defines but Wayfinder does not serve yet. Honest, stable, 501. */
export function notImplementedError(service: string, operation: string): AwsError {
  return new AwsError('NotImplemented', `${service}:${operation} is not implemented by Wayfinder yet. See the README's "What is served".`, { status: 501 });
}

/** True for an error meant for the client, in AWS's terms; anything else thrown is our own bug (logged, answered InternalFailure 500). */
export function isAwsError(e: unknown): e is AwsError {
  return e instanceof AwsError;
}
