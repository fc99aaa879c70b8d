// Which service (and, where the headers already tell, which operation) a control-plane request is for.
// Order (docs/aws-behavior.md §1.1): X-Amz-Target → awsJson; form body or `Action=` → query (EC2's dialect or
// awsquery, by the scope's service); `/v2/…` → rest-json; `/<api version>/…` of a rest-xml service
// (Route 53's `/2013-04-01/…`) → rest-xml;
// the SigV4 credential scope breaks ties and picks the protocol for "unknown operation" answers.
// The Host header is never consulted: clients point every service at one URL, some with a `data-` prefix.
import type { IncomingHttpHeaders } from 'node:http';
import { AwsError } from '../kernel/errors.js';
import type { Protocol } from './model.js';
import { matchRestRoute } from './rest-routes.js';
import type { QueryMap } from './query-string.js';
import type { ServiceRegistry, ServiceSpec } from './services.js';

export type Classified =
  | { kind: 'json'; spec: ServiceSpec; operation: string }
  /** A form-encoded request (EC2's query dialect or awsquery). `guessed`: no credential scope named the service. */
  | { kind: 'query'; spec: ServiceSpec; guessed: boolean }
  | { kind: 'rest'; spec: ServiceSpec; operation: string; labels: Record<string, string> };

/** Thrown when no service can be determined; carries the protocol to answer in. */
export class Unroutable extends Error {
  constructor(
    readonly error: AwsError,
    readonly protocol: Protocol,
    readonly spec?: ServiceSpec,
  ) {
    super(error.message);
  }
}

function scopeService(headers: IncomingHttpHeaders, query: QueryMap): string | undefined {
  const auth = headers.authorization;
  const cred = typeof auth === 'string' ? /Credential=[^/]*\/\d{8}\/[^/]*\/([^/]+)\//.exec(auth)?.[1] : query.get('X-Amz-Credential')?.[0]?.split('/')[3];
  return cred || undefined;
}

export function classify(registry: ServiceRegistry, method: string, rawPath: string, query: QueryMap, headers: IncomingHttpHeaders): Classified {
  const scoped = scopeService(headers, query);
  const scopedSpec = scoped ? registry.forSigningName(scoped) : undefined;

  const target = headers['x-amz-target'];
  if (typeof target === 'string' && target !== '') {
    const dot = target.lastIndexOf('.');
    const spec = registry.forTarget(target.slice(0, dot));
    const operation = target.slice(dot + 1);
    if (!spec || dot < 0) {
      throw new Unroutable(new AwsError('UnknownOperationException', `Unknown target ${target.slice(0, 128)}`), 'json', scopedSpec?.protocol === 'json' ? scopedSpec : undefined);
    }
    if (!spec.model.operations[operation]) {
      throw new Unroutable(new AwsError('UnknownOperationException', `Unknown operation ${operation.slice(0, 128)}`), 'json', spec);
    }
    return { kind: 'json', spec, operation };
  }

  const contentType = String(headers['content-type'] ?? '').toLowerCase();
  if (contentType.startsWith('application/x-www-form-urlencoded') || query.has('Action')) {
    // The scope names the service; a query service Wayfinder does not serve (SNS, ELB, RDS …) is told so
    // in the awsquery error shape its SDK reads, never handed to EC2 (whose errors it cannot parse).
    if (scoped && !scopedSpec) {
      const served = registry.all.map((s) => s.signingName).join(', ');
      const text = `Wayfinder does not serve the AWS service '${scoped.slice(0, 64)}' (the credential scope's service). It serves: ${served}.`;
      throw new Unroutable(new AwsError('NotImplemented', text, { status: 501 }), 'query');
    }
    if (scopedSpec && scopedSpec.protocol !== 'ec2' && scopedSpec.protocol !== 'query') {
      throw new Unroutable(new AwsError('InvalidAction', `${scopedSpec.model.metadata.serviceId} speaks ${scopedSpec.protocol}, not the query protocol.`), 'query');
    }
    // Unsigned (auth off): EC2 unless the Action belongs to another query service (dispatch.ts decides).
    return { kind: 'query', spec: scopedSpec ?? registry.get('ec2'), guessed: !scopedSpec };
  }

  const restXml = registry.forRestXmlPath(rawPath);
  if (restXml) {
    const match = matchRestRoute(restXml.restRoutes, method, rawPath, queryParamsOf(query));
    // Route 53 answers a path it has no operation for with its InvalidInput (the SDKs read it as a client error).
    if (!match) throw new Unroutable(new AwsError('InvalidInput', `No operation matches ${method} ${rawPath.slice(0, 200)}`, { status: 404 }), 'rest-xml', restXml);
    if ('methodMismatch' in match) {
      throw new Unroutable(new AwsError('InvalidInput', `Method ${method} is not allowed on ${rawPath.slice(0, 200)}`, { status: 405 }), 'rest-xml', restXml);
    }
    return { kind: 'rest', spec: restXml, operation: match.operation, labels: match.labels };
  }

  if (rawPath.startsWith('/v2/') || rawPath === '/v2') {
    const spec = registry.restServices()[0]!;
    const match = matchRestRoute(spec.restRoutes, method, rawPath, queryParamsOf(query));
    if (!match) throw new Unroutable(new AwsError('NotFoundException', `No operation matches ${method} ${rawPath.slice(0, 200)}`, { status: 404 }), 'rest-json', spec);
    if ('methodMismatch' in match) {
      throw new Unroutable(new AwsError('MethodNotAllowedException', `Method ${method} is not allowed on ${rawPath.slice(0, 200)}`, { status: 405 }), 'rest-json', spec);
    }
    return { kind: 'rest', spec, operation: match.operation, labels: match.labels };
  }

  if (scopedSpec) {
    const error =
      scopedSpec.protocol === 'ec2' || scopedSpec.protocol === 'query'
        ? new AwsError('MissingAction', 'The request must contain the parameter Action')
        : scopedSpec.protocol === 'json'
          ? new AwsError('UnknownOperationException', 'Missing X-Amz-Target header')
          : scopedSpec.protocol === 'rest-xml'
            ? new AwsError('InvalidInput', `No operation matches ${method} ${rawPath.slice(0, 200)}`, { status: 404 })
            : new AwsError('NotFoundException', `No operation matches ${method} ${rawPath.slice(0, 200)}`, { status: 404 });
    throw new Unroutable(error, scopedSpec.protocol, scopedSpec);
  }
  throw new Unroutable(
    new AwsError(
      'UnknownOperationException',
      `Wayfinder could not tell which AWS service ${method} ${rawPath.slice(0, 200)} is for (no X-Amz-Target, Action or /v2/ path). Health: GET /_wayfinder/health`,
      { status: 404 },
    ),
    'json',
  );
}

function queryParamsOf(query: QueryMap): URLSearchParams {
  const params = new URLSearchParams();
  for (const [k, vs] of query) for (const v of vs) params.append(k, v);
  return params;
}
