// The control-plane pipeline, top to bottom: classify → read body (bounded) → authenticate →
// resolve operation → parse → validate → call the product's handler → serialize. Every failure
// becomes an AwsError answered in the protocol's shape; only our own bugs answer 500.
import type { IncomingHttpHeaders, IncomingMessage, ServerResponse } from 'node:http';
import { AwsError, notImplementedError } from '../kernel/errors.js';
import { uuid } from '../kernel/ids.js';
import { AWS_REGIONS } from '../kernel/regions.js';
import type { Logger } from '../kernel/log.js';
import { parseQueryInput, writeQueryXml } from './awsquery.js';
import { validateOperationInput } from './invoke.js';
import { BodyTooLargeError, readBody } from './body.js';
import { classify, Unroutable, type Classified } from './classify.js';
import { NOT_IMPLEMENTED, type AnyHandler, type AnyHandlerTable, type RequestContext } from './handlers.js';
import type { Protocol, ServiceModel, ServiceName } from './model.js';
import { MalformedBodyError, parseAwsJsonInput, parseEc2Input, parseRestJsonInput, parseRestXmlInput, UnknownParameterError } from './parse-input.js';
import { MalformedQueryError, parseQuery, type QueryMap } from './query-string.js';
import { authError, CONTENT_TYPES, serializeError, type WireResponse } from './serialize-error.js';
import { writeRestXml } from './rest-xml.js';
import { writeEc2Xml, writeJson, writeRestJson } from './serialize-output.js';
import type { ServiceRegistry, ServiceSpec } from './services.js';
import { WireTypeError } from './shape-reader.js';
import { accountOfKey, AuthFailure, type SigV4Verifier, type SignedIdentity } from './sigv4.js';

export interface DispatcherOptions {
  registry: ServiceRegistry;
  handlers: Partial<Record<ServiceName, AnyHandlerTable>>;
  verifier: SigV4Verifier;
  /**
   * 'on' and 'strict' verify what the verifier can (which keys it takes is the verifier's choice, VerifierOptions);
   * 'off' accepts unsigned and wrongly signed requests (region and account still read from the credential).
   */
  auth: 'on' | 'off' | 'strict';
  defaultRegion: string;
  defaultAccountId: string;
  logger: Logger;
  /** The Host/Origin guard: a refusal is answered 403 in the protocol's shape before the body is read. */
  admit?(headers: IncomingHttpHeaders): string | undefined;
  /**
   * Group commit (the Store, src/store/wal-barrier.ts): each handler runs inside deferSync, and no answer,
   * an error's included, leaves before durable() settles, so every call answered in one turn of the event
   * loop shares one fsync and none answers before what it wrote (or read) is on disk.
   */
  commits?: GroupCommit;
}

export interface GroupCommit {
  deferSync<T>(fn: () => T): T;
  durable(): Promise<void> | undefined;
}

/**
 * A control-plane request, whoever parsed it: node:http (an IncomingMessage) or the lean front of the
 * edge port (src/server/control-route.ts). `headers` are node:http's (lower-case names, its rules for
 * duplicates), so signature checks and handlers see the same thing on both.
 */
export interface ControlRequest {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  /** The whole body, refused with BodyTooLargeError past `limit` bytes. */
  readBody(limit: number): Promise<Buffer>;
}

/** The answer to write, and whether the connection must close after it (an unread body, a refused caller). */
export interface ControlAnswer {
  response: WireResponse;
  closeAfter: boolean;
}

interface Call {
  requestId: string;
  receivedAt: number;
  protocol: Protocol;
  spec?: ServiceSpec;
  operation?: string;
}

export class ProtocolDispatcher {
  /** Renderings of frozen outputs (serializeOutput). */
  private readonly rendered = new WeakMap<object, { spec: ServiceSpec; operation: string; response: WireResponse }>();

  constructor(private readonly opts: DispatcherOptions) {}

  /** The node:http form: answers on `res`. */
  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const { response, closeAfter } = await this.answer({
      method: req.method ?? 'GET',
      url: req.url ?? '/',
      headers: req.headers,
      readBody: (limit) => readBody(req, limit),
    });
    this.send(res, response, closeAfter);
  }

  /** Runs the pipeline; never throws (every failure is an answer). */
  async answer(req: ControlRequest): Promise<ControlAnswer> {
    const call: Call = { requestId: uuid(), receivedAt: Date.now(), protocol: 'json' };
    let closeAfter = false;
    let response: WireResponse;
    let refused: string | undefined;
    try {
      const url = req.url;
      const q = url.indexOf('?');
      const rawPath = q < 0 ? url : url.slice(0, q);
      // A malformed query string is answered in the protocol of the service it was meant for (EC2's
      // MalformedQueryString XML, not JSON): classify first, from the pairs that do decode.
      let query: QueryMap;
      let malformed: MalformedQueryError | undefined;
      try {
        query = parseQuery(q < 0 ? '' : url.slice(q + 1));
      } catch (e) {
        if (!(e instanceof MalformedQueryError)) throw e;
        malformed = e;
        query = parseQuery(url.slice(q + 1), true);
      }
      const method = req.method.toUpperCase();

      refused = this.opts.admit?.(req.headers);
      let route: ReturnType<typeof classify>;
      try {
        route = classify(this.opts.registry, method, rawPath, query, req.headers);
      } catch (e) {
        if (refused && e instanceof Unroutable) throw new Unroutable(forbidden(e.protocol, refused), e.protocol, e.spec);
        throw malformed ?? e;
      }
      call.spec = route.spec;
      call.protocol = route.spec.protocol;
      if (refused) throw forbidden(call.protocol, refused);
      if (malformed) throw malformed;
      if (route.kind !== 'query') call.operation = route.operation;

      const body = await req.readBody(route.spec.traits.bodyLimit);
      const formParams = route.kind === 'query' ? formParameters(body, query) : undefined;
      // Unsigned: the Action says which query service (and so which error shape) the caller speaks.
      if (route.kind === 'query' && route.guessed) {
        route.spec = this.queryServiceOf(formParams!.get('Action')) ?? route.spec;
        call.spec = route.spec;
        call.protocol = route.spec.protocol;
      }
      // A few operations take no signature (STS's AssumeRoleWithWebIdentity: the token is the credential).
      const named = route.kind === 'query' ? formParams!.get('Action') : route.operation;
      const unsignedOk = named !== undefined && route.spec.model.operations[named]?.authtype === 'none';
      const identity = await this.authenticate(call.protocol, { method, rawPath, query, headers: req.headers, body }, unsignedOk);
      if (identity && this.opts.auth !== 'off' && identity.service !== route.spec.signingName) {
        // A signature is good for the service its scope names, and no other (AWS answers the same).
        throw authError(call.protocol, 'bad-signature', `Credential should be scoped to correct service: '${route.spec.signingName}'.`);
      }
      const operation = route.kind === 'query' ? this.queryOperation(route.spec, formParams!) : route.operation;
      call.operation = operation;
      // rest-xml bodies are not read (parseRestXmlInput): an operation not served answers its 501 before
      // the model would miss the members its XML body carries.
      if (route.spec.protocol === 'rest-xml') this.requireServed(route.spec, operation);

      const input = this.parseInput(route, operation, { rawPath, query, body, headers: req.headers, formParams });
      this.validateInput(route.spec, operation, input);
      const ctx: RequestContext = {
        requestId: call.requestId,
        region: identity?.region ?? this.opts.defaultRegion,
        accountId: identity?.accountId ?? this.opts.defaultAccountId,
        accessKeyId: identity?.accessKeyId ?? '',
        service: route.spec.name,
        operation,
        headers: req.headers,
        receivedAt: call.receivedAt,
      };
      const output = await this.invoke(route.spec, operation, input, ctx);
      response = this.serializeOutput(route.spec, operation, output, call.requestId);
    } catch (e) {
      // A body refused before it was read (too large, or the caller refused) is not skipped here: the
      // answer closes the connection, and the edge port closes it lingering (src/http1/lingering-close.ts),
      // dropping what the client still sends, within bounds, so the client reads this answer, not a RST.
      if (e instanceof BodyTooLargeError || refused) closeAfter = true;
      response = this.errorResponse(call, e);
    }
    const durable = this.opts.commits?.durable();
    if (durable) {
      try {
        await durable;
      } catch (e) {
        // The write could not be made durable (fsync failed): it must not be acknowledged.
        this.opts.logger.error({ err: e, requestId: call.requestId }, 'could not sync the store before answering');
        response = this.errorResponse(call, e);
      }
    }
    this.opts.logger.debug({ requestId: call.requestId, service: call.spec?.name, op: call.operation, status: response.status, ms: Date.now() - call.receivedAt }, 'request');
    return { response, closeAfter };
  }

  private async authenticate(protocol: Protocol, req: Parameters<SigV4Verifier['verify']>[0], unsignedOk = false): Promise<SignedIdentity | undefined> {
    if (this.opts.auth === 'off') {
      try {
        return await this.opts.verifier.verify(req);
      } catch (e) {
        if (!(e instanceof AuthFailure)) throw e;
        // Auth off: take region and account from the credential if there is one, never refuse.
        // Only a real region: the scope's text goes into ARNs and the store's keys.
        if (!e.scope) return undefined;
        const region = AWS_REGIONS.has(e.scope.region) ? e.scope.region : this.opts.defaultRegion;
        const accessKeyId = e.scope.accessKeyId ?? '';
        return { accessKeyId, accountId: accountOfKey(accessKeyId, this.opts.defaultAccountId), region, service: e.scope.service };
      }
    }
    try {
      const identity = await this.opts.verifier.verify(req);
      if (!identity && !unsignedOk) {
        throw new AuthFailure('missing', protocol === 'ec2' ? 'Request is missing Authentication Token' : 'Missing Authentication Token');
      }
      return identity;
    } catch (e) {
      if (e instanceof AuthFailure) throw authError(protocol, e.kind, e.message);
      throw e;
    }
  }

  private queryOperation(spec: ServiceSpec, params: Map<string, string>): string {
    const action = params.get('Action');
    if (!action) throw new AwsError('MissingAction', 'The request must contain the parameter Action');
    if (!spec.model.operations[action]) {
      const text =
        spec.protocol === 'ec2'
          ? `The action ${action.slice(0, 128)} is not valid for this web service.`
          : `Could not find operation ${action.slice(0, 128)} for version ${spec.model.metadata.apiVersion}`;
      throw new AwsError('InvalidAction', text);
    }
    return action;
  }

  /** For an unsigned form request: EC2 if it has the Action, else the one query service that has it. */
  private queryServiceOf(action: string | undefined): ServiceSpec | undefined {
    if (!action) return undefined;
    return this.opts.registry.all.find((s) => (s.protocol === 'ec2' || s.protocol === 'query') && s.model.operations[action]);
  }

  private parseInput(
    route: Classified,
    operation: string,
    parts: { rawPath: string; query: QueryMap; body: Buffer; headers: IncomingMessage['headers']; formParams?: Map<string, string> },
  ): Record<string, unknown> {
    const model = route.spec.model;
    const inputRef = model.operations[operation]!.input;
    switch (route.kind) {
      case 'json':
        return parseAwsJsonInput(model, inputRef, parts.body);
      case 'rest':
        if (route.spec.protocol === 'rest-xml') return parseRestXmlInput(model, inputRef, { labels: route.labels, query: parts.query, headers: parts.headers, body: parts.body });
        return parseRestJsonInput(model, inputRef, { labels: route.labels, query: parts.query, headers: parts.headers, body: parts.body });
      case 'query':
        return route.spec.protocol === 'ec2' ? parseEc2Input(model, inputRef, parts.formParams!) : parseQueryInput(model, inputRef, parts.formParams!);
    }
  }

  private validateInput(spec: ServiceSpec, operation: string, input: Record<string, unknown>): void {
    validateOperationInput(spec, operation, input);
  }

  /** The operation's handler, or the modelled 501 when the product does not serve it. */
  private requireServed(spec: ServiceSpec, operation: string): AnyHandler {
    const handler = this.opts.handlers[spec.name]?.[operation];
    if (!handler || handler === NOT_IMPLEMENTED) throw notImplementedError(spec.model.metadata.serviceId, operation);
    return handler;
  }

  private async invoke(spec: ServiceSpec, operation: string, input: Record<string, unknown>, ctx: RequestContext): Promise<unknown> {
    const handler = this.requireServed(spec, operation);
    const commits = this.opts.commits;
    return await (commits ? commits.deferSync(() => handler(input, ctx)) : handler(input, ctx));
  }

  /**
   * A handler returns a frozen output only for data it keeps unchanged (a kept GetRoutes page,
   * src/gateway/operations/route-pages.ts): the rendering, a pure function of the output, is kept with
   * it. The request id, in a header for the JSON protocols, is the answer's only per-call part.
   */
  private serializeOutput(spec: ServiceSpec, operation: string, output: unknown, requestId: string): WireResponse {
    const keep = (spec.protocol === 'json' || spec.protocol === 'rest-json') && typeof output === 'object' && output !== null && Object.isFrozen(output);
    if (!keep) return this.render(spec, operation, output, requestId);
    const hit = this.rendered.get(output);
    if (hit && hit.spec === spec && hit.operation === operation) {
      return { status: hit.response.status, headers: { ...hit.response.headers, 'x-amzn-requestid': requestId }, body: hit.response.body };
    }
    const response = this.render(spec, operation, output, requestId);
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    this.rendered.set(output, { spec, operation, response: { ...response, body } });
    return { ...response, body };
  }

  private render(spec: ServiceSpec, operation: string, output: unknown, requestId: string): WireResponse {
    const model = spec.model;
    const op = model.operations[operation]!;
    const headers: Record<string, string> = { 'x-amzn-requestid': requestId };
    switch (spec.protocol) {
      case 'json': {
        const body = op.output ? writeJson(model, op.output, output ?? {}) : {};
        return { status: 200, headers: { ...headers, 'content-type': CONTENT_TYPES.json }, body: JSON.stringify(body ?? {}) };
      }
      case 'rest-json': {
        const out = writeRestJson(model, op.output, output);
        const status = out.status ?? op.http.responseCode ?? 200;
        const hasBody = status !== 204;
        return {
          status,
          headers: { ...headers, ...out.headers, ...(hasBody ? { 'content-type': out.contentType ?? CONTENT_TYPES['rest-json'] } : {}) },
          body: hasBody ? (out.body ?? '{}') : '',
        };
      }
      case 'rest-xml': {
        const body = writeRestXml(model, operation, output);
        return { status: op.http.responseCode ?? 200, headers: { ...headers, ...(body ? { 'content-type': CONTENT_TYPES['rest-xml'] } : {}) }, body };
      }
      case 'ec2':
        return { status: 200, headers: { 'content-type': CONTENT_TYPES.ec2 }, body: writeEc2Xml(model, op.output, output, operation, requestId) };
      case 'query':
        return { status: 200, headers: { ...headers, 'content-type': CONTENT_TYPES.query }, body: writeQueryXml(model, operation, output, requestId) };
    }
  }

  private errorResponse(call: Call, e: unknown): WireResponse {
    let protocol = call.protocol;
    let model: ServiceModel | undefined = call.spec?.model;
    let err: AwsError;
    const traits = call.spec?.traits;
    if (e instanceof Unroutable) {
      protocol = e.protocol;
      model = e.spec?.model;
      err = e.error;
    } else if (e instanceof AwsError) {
      err = e;
    } else if (e instanceof BodyTooLargeError) {
      err = new AwsError(protocol === 'rest-json' ? 'RequestEntityTooLargeException' : 'RequestEntityTooLarge', e.message, { status: 413 });
    } else if (e instanceof WireTypeError || e instanceof MalformedBodyError) {
      err = new AwsError(traits?.serializationCode ?? 'SerializationException', e.message);
    } else if (e instanceof UnknownParameterError) {
      err = new AwsError('UnknownParameter', e.message);
    } else if (e instanceof MalformedQueryError) {
      err = new AwsError(protocol === 'ec2' ? 'MalformedQueryString' : (traits?.serializationCode ?? 'SerializationException'), e.message);
    } else {
      this.opts.logger.error({ err: e, requestId: call.requestId, service: call.spec?.name, op: call.operation }, 'handler failed');
      err = new AwsError(protocol === 'rest-json' ? 'InternalServerException' : 'InternalFailure', 'We encountered an internal error. Please try again.', { status: 500 });
    }
    return serializeError(protocol, model, err, call.requestId);
  }

  private send(res: ServerResponse, response: WireResponse, closeAfter: boolean): void {
    if (res.headersSent || res.destroyed) return;
    const body = typeof response.body === 'string' ? Buffer.from(response.body, 'utf8') : response.body;
    const headers: Record<string, string | number> = { ...response.headers, 'content-length': body.length };
    if (closeAfter) headers.connection = 'close';
    res.writeHead(response.status, headers);
    res.end(body);
  }
}

/** The Host/Origin guard's refusal, in each protocol's own code for "not allowed". */
function forbidden(protocol: Protocol, message: string): AwsError {
  const code = protocol === 'ec2' ? 'UnauthorizedOperation' : protocol === 'query' || protocol === 'rest-xml' ? 'AccessDenied' : 'AccessDeniedException';
  return new AwsError(code, message, { status: 403 });
}

/** EC2 parameters: form body (POST) plus URL query (GET form), form wins. `+` is a space here. */
function formParameters(body: Buffer, query: QueryMap): Map<string, string> {
  const params = new Map<string, string>();
  for (const [k, vs] of query) if (!k.startsWith('X-Amz-')) params.set(k, vs[0]!);
  for (const [k, v] of new URLSearchParams(body.toString('utf8'))) params.set(k, v);
  return params;
}
