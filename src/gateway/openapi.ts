// OpenAPI 3 ↔ HTTP API configuration, with AWS's extensions: `x-amazon-apigateway-integration` per
// operation, `x-amazon-apigateway-any-method` for ANY, the `/$default` path for the `$default` route,
// `x-amazon-apigateway-authorizer` in security schemes (JWT → oauth2 scheme, REQUEST → apiKey) and
// `x-amazon-apigateway-cors`. Pure functions: operations/import-export.ts does the storing.
import { routePathOf } from './route-key.js';
import type { AuthorizerRecord, CorsRecord, IntegrationRecord, RouteRecord } from './store.js';

const OPENAPI_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch'] as const;
const ANY = 'x-amazon-apigateway-any-method';

export interface ExportInput {
  name: string;
  version?: string;
  description?: string;
  createdAt: number;
  serverUrl: string;
  stageName?: string;
  routes: RouteRecord[];
  integrations: IntegrationRecord[];
  authorizers: AuthorizerRecord[];
  cors?: CorsRecord;
  includeExtensions: boolean;
}

type Json = Record<string, unknown>;

function integrationExtension(i: IntegrationRecord): Json {
  const out: Json = {
    type: i.integrationType.toLowerCase(),
    httpMethod: i.integrationMethod,
    uri: i.integrationUri,
    connectionType: i.connectionType,
    connectionId: i.connectionId,
    payloadFormatVersion: i.payloadFormatVersion,
    timeoutInMillis: i.timeoutInMillis,
    requestParameters: i.requestParameters,
    responseParameters: i.responseParameters,
    tlsConfig: i.tlsConfig,
    credentials: i.credentialsArn,
    description: i.description,
  };
  for (const k of Object.keys(out)) if (out[k] === undefined) delete out[k];
  return out;
}

function schemeOf(a: AuthorizerRecord, ext: boolean): Json {
  if (a.authorizerType === 'JWT') {
    const scheme: Json = { type: 'oauth2', flows: {} };
    if (ext) {
      scheme['x-amazon-apigateway-authorizer'] = {
        identitySource: a.identitySource.join(','),
        jwtConfiguration: { audience: a.jwtConfiguration?.audience ?? [], issuer: a.jwtConfiguration?.issuer },
        type: 'jwt',
      };
    }
    return scheme;
  }
  const header = /^\$request\.header\.(.+)$/.exec(a.identitySource[0] ?? '');
  const scheme: Json = { type: 'apiKey', name: header?.[1] ?? 'Authorization', in: 'header' };
  if (ext) {
    const auth: Json = {
      identitySource: a.identitySource.join(','),
      authorizerUri: a.authorizerUri,
      authorizerPayloadFormatVersion: a.authorizerPayloadFormatVersion,
      authorizerResultTtlInSeconds: a.authorizerResultTtlInSeconds,
      enableSimpleResponses: a.enableSimpleResponses,
      authorizerCredentials: a.authorizerCredentialsArn,
      type: 'request',
    };
    for (const k of Object.keys(auth)) if (auth[k] === undefined) delete auth[k];
    scheme['x-amazon-apigateway-authorizer'] = auth;
  }
  return scheme;
}

export function exportOpenApi(e: ExportInput): Json {
  const integrations = new Map(e.integrations.map((i) => [i.integrationId, i]));
  const authorizers = new Map(e.authorizers.map((a) => [a.authorizerId, a]));
  const schemeNames = new Map<string, string>();
  const schemes: Json = {};
  for (const a of e.authorizers) {
    let name = a.name.replace(/[^A-Za-z0-9._-]/g, '_') || a.authorizerId;
    if (name in schemes) name = `${name}-${a.authorizerId}`;
    schemeNames.set(a.authorizerId, name);
    schemes[name] = schemeOf(a, e.includeExtensions);
  }
  const paths: Record<string, Json> = {};
  for (const r of [...e.routes].sort((a, b) => (a.routeKey < b.routeKey ? -1 : 1))) {
    const path = routePathOf(r.routeKey);
    const method = r.routeKey === '$default' ? 'ANY' : r.routeKey.slice(0, r.routeKey.indexOf(' '));
    const item = (paths[path] ??= {});
    const op: Json = { responses: { default: { description: `Default response for ${r.routeKey}` } } };
    if (r.operationName) op.operationId = r.operationName;
    const a = r.authorizerId ? authorizers.get(r.authorizerId) : undefined;
    if (a && (r.authorizationType === 'JWT' || r.authorizationType === 'CUSTOM')) op.security = [{ [schemeNames.get(a.authorizerId)!]: r.authorizationScopes ?? [] }];
    const integ = r.target ? integrations.get(r.target.replace(/^integrations\//, '')) : undefined;
    if (integ && e.includeExtensions) op['x-amazon-apigateway-integration'] = integrationExtension(integ);
    if (r.routeKey === '$default' && e.includeExtensions) op.isDefaultRoute = true;
    item[method === 'ANY' ? ANY : method.toLowerCase()] = op;
    const params = [...path.matchAll(/\{([^}]+)\}/g)].map((m) => ({
      name: m[1],
      in: 'path',
      description: `Generated path parameter for ${m[1]}`,
      required: true,
      schema: { type: 'string' },
    }));
    if (params.length) item.parameters = params;
  }
  const doc: Json = {
    openapi: '3.0.1',
    info: { title: e.name, ...(e.description ? { description: e.description } : {}), version: e.version ?? new Date(e.createdAt).toISOString().replace(/\.\d{3}Z$/, 'Z') },
    servers: [{ url: `${e.serverUrl}/{basePath}`, variables: { basePath: { default: e.stageName && e.stageName !== '$default' ? e.stageName : '' } } }],
    paths,
  };
  if (Object.keys(schemes).length) doc.components = { securitySchemes: schemes };
  if (e.includeExtensions) {
    if (e.cors) doc['x-amazon-apigateway-cors'] = e.cors;
    doc['x-amazon-apigateway-importexport-version'] = '1.0';
  }
  return doc;
}

export interface ImportedRoute {
  routeKey: string;
  operationName?: string;
  integration?: Omit<IntegrationRecord, 'region' | 'apiId' | 'integrationId'>;
  authorizerName?: string;
  scopes?: string[];
}

export interface ImportedAuthorizer {
  name: string;
  record: Omit<AuthorizerRecord, 'region' | 'apiId' | 'authorizerId' | 'name'>;
}

export interface ImportedApi {
  name: string;
  version?: string;
  description?: string;
  cors?: CorsRecord;
  routes: ImportedRoute[];
  authorizers: ImportedAuthorizer[];
  /** At most MAX_WARNINGS; `omittedWarnings` counts the others. */
  warnings: string[];
  omittedWarnings: number;
}

export class OpenApiError extends Error {}

/**
 * The warnings an import keeps (they are stored on the API and returned by every GetApi/GetApis).
 * A definition may hold any number of security schemes API Gateway ignores, one warning each:
 * 200,000 of them made a 24 MB API record that every later call on the API had to parse.
 */
export const MAX_WARNINGS = 100;

/** The first MAX_WARNINGS warnings, then one line counting the rest (`omitted`: left out earlier already). */
export function limitWarnings(warnings: string[], omitted = 0): string[] {
  const more = Math.max(0, warnings.length - MAX_WARNINGS) + omitted;
  return more ? [...warnings.slice(0, MAX_WARNINGS), `…and ${more} more warnings.`] : warnings;
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);
const obj = (v: unknown) => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Json) : undefined);

/** A parameter mapping must hold strings: anything else is a 400, as for CreateIntegration (never a crash). */
function stringMap(v: unknown, where: string): Record<string, string> | undefined {
  if (v === undefined) return undefined;
  const m = obj(v);
  if (!m || !Object.values(m).every((s) => typeof s === 'string')) throw new OpenApiError(`${where} must be a map of strings.`);
  return m as Record<string, string>;
}

function responseMaps(v: unknown, where: string): Record<string, Record<string, string>> | undefined {
  if (v === undefined) return undefined;
  const m = obj(v);
  if (!m) throw new OpenApiError(`${where} must be a map of status codes to maps of strings.`);
  return Object.fromEntries(Object.entries(m).map(([status, inner]) => [status, stringMap(inner, `${where}.${status}`)!]));
}

function importIntegration(x: Json, where: string, warnings: string[]): ImportedRoute['integration'] | undefined {
  const type = str(x.type)?.toUpperCase();
  if (type !== 'HTTP_PROXY' && type !== 'AWS_PROXY') {
    warnings.push(`${where}: integration type '${String(x.type)}' is not supported for HTTP APIs; the route was imported without an integration.`);
    return undefined;
  }
  const tls = obj(x.tlsConfig);
  return {
    integrationType: type,
    integrationUri: str(x.uri),
    integrationMethod: str(x.httpMethod) ?? (type === 'HTTP_PROXY' ? 'ANY' : 'POST'),
    connectionType: str(x.connectionType)?.toUpperCase() === 'VPC_LINK' ? 'VPC_LINK' : 'INTERNET',
    connectionId: str(x.connectionId),
    payloadFormatVersion: str(x.payloadFormatVersion) ?? (type === 'HTTP_PROXY' ? '1.0' : '2.0'),
    timeoutInMillis: typeof x.timeoutInMillis === 'number' ? x.timeoutInMillis : 30000,
    requestParameters: stringMap(x.requestParameters, `${where}.requestParameters`),
    responseParameters: responseMaps(x.responseParameters, `${where}.responseParameters`),
    tlsConfig: tls ? { serverNameToVerify: str(tls.serverNameToVerify) } : undefined,
    credentialsArn: str(x.credentials),
    description: str(x.description),
  };
}

function importAuthorizer(name: string, scheme: Json, warnings: string[]): ImportedAuthorizer | undefined {
  const ext = obj(scheme['x-amazon-apigateway-authorizer']);
  if (!ext) {
    warnings.push(`securitySchemes.${name}: no x-amazon-apigateway-authorizer; ignored.`);
    return undefined;
  }
  const identity = (str(ext.identitySource) ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean);
  const type = str(ext.type)?.toLowerCase();
  if (type === 'jwt') {
    const jwt = obj(ext.jwtConfiguration) ?? {};
    const audience = Array.isArray(jwt.audience) ? jwt.audience.filter((a): a is string => typeof a === 'string') : [];
    return {
      name,
      record: { authorizerType: 'JWT', identitySource: identity.length ? identity : ['$request.header.Authorization'], jwtConfiguration: { issuer: str(jwt.issuer), audience } },
    };
  }
  if (type === 'request') {
    return {
      name,
      record: {
        authorizerType: 'REQUEST',
        identitySource: identity,
        authorizerUri: str(ext.authorizerUri),
        authorizerPayloadFormatVersion: str(ext.authorizerPayloadFormatVersion),
        authorizerResultTtlInSeconds: typeof ext.authorizerResultTtlInSeconds === 'number' ? ext.authorizerResultTtlInSeconds : 0,
        enableSimpleResponses: ext.enableSimpleResponses === true,
        authorizerCredentialsArn: str(ext.authorizerCredentials),
      },
    };
  }
  warnings.push(`securitySchemes.${name}: authorizer type '${String(ext.type)}' is not supported; ignored.`);
  return undefined;
}

export function importOpenApi(doc: unknown): ImportedApi {
  const d = obj(doc);
  if (!d) throw new OpenApiError('The API definition must be an OpenAPI 3 document (a JSON or YAML object).');
  if (d.swagger !== undefined) throw new OpenApiError('Only OpenAPI 3.x definitions are supported for HTTP APIs (found Swagger 2.0).');
  if (typeof d.openapi !== 'string' || !d.openapi.startsWith('3.')) throw new OpenApiError("The API definition must declare 'openapi: 3.x'.");
  const info = obj(d.info) ?? {};
  const name = str(info.title);
  if (!name) throw new OpenApiError('info.title is required: it becomes the API name.');
  const warnings: string[] = [];
  const authorizers: ImportedAuthorizer[] = [];
  for (const [n, s] of Object.entries(obj(obj(d.components)?.securitySchemes) ?? {})) {
    const a = obj(s) ? importAuthorizer(n, s as Json, warnings) : undefined;
    if (a) authorizers.push(a);
  }
  const known = new Set(authorizers.map((a) => a.name));
  const globalSecurity = Array.isArray(d.security) ? d.security : undefined;
  const routes: ImportedRoute[] = [];
  for (const [path, itemRaw] of Object.entries(obj(d.paths) ?? {})) {
    const item = obj(itemRaw);
    if (!item) continue;
    for (const key of [...OPENAPI_METHODS, ANY]) {
      const op = obj(item[key]);
      if (!op) continue;
      const method = key === ANY ? 'ANY' : key.toUpperCase();
      const routeKey = path === '/$default' ? '$default' : `${method} ${path}`;
      const r: ImportedRoute = { routeKey, operationName: str(op.operationId) };
      const ext = obj(op['x-amazon-apigateway-integration']);
      if (ext) r.integration = importIntegration(ext, `paths.${path}.${key}`, warnings);
      const security = Array.isArray(op.security) ? op.security : globalSecurity;
      const req = security?.map(obj).find((s) => s && Object.keys(s).length);
      if (req) {
        const [scheme, scopes] = Object.entries(req)[0]!;
        if (known.has(scheme)) {
          r.authorizerName = scheme;
          r.scopes = Array.isArray(scopes) ? scopes.filter((s): s is string => typeof s === 'string') : [];
        } else {
          warnings.push(`paths.${path}.${key}: security scheme '${scheme}' is not an API Gateway authorizer; the route was imported without authorization.`);
        }
      }
      routes.push(r);
    }
  }
  const cors = importCors(d['x-amazon-apigateway-cors']);
  return {
    name,
    version: str(info.version),
    description: str(info.description),
    cors,
    routes,
    authorizers,
    warnings: warnings.slice(0, MAX_WARNINGS),
    omittedWarnings: Math.max(0, warnings.length - MAX_WARNINGS),
  };
}

/** x-amazon-apigateway-cors, type-checked like CreateApi's corsConfiguration (bad types are a 400, not a crash). */
function importCors(value: unknown): CorsRecord | undefined {
  if (value === undefined) return undefined;
  const c = obj(value);
  if (!c) throw new OpenApiError('x-amazon-apigateway-cors must be an object.');
  const out: CorsRecord = {};
  for (const key of ['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders'] as const) {
    const v = c[key];
    if (v === undefined) continue;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) throw new OpenApiError(`x-amazon-apigateway-cors.${key} must be a list of strings.`);
    out[key] = v;
  }
  if (c.maxAge !== undefined) {
    if (typeof c.maxAge !== 'number' || !Number.isInteger(c.maxAge)) throw new OpenApiError('x-amazon-apigateway-cors.maxAge must be an integer.');
    out.maxAge = c.maxAge;
  }
  if (c.allowCredentials !== undefined) {
    if (typeof c.allowCredentials !== 'boolean') throw new OpenApiError('x-amazon-apigateway-cors.allowCredentials must be a boolean.');
    out.allowCredentials = c.allowCredentials;
  }
  const unknown = Object.keys(c).filter((k) => !['allowOrigins', 'allowMethods', 'allowHeaders', 'exposeHeaders', 'maxAge', 'allowCredentials'].includes(k));
  if (unknown.length) throw new OpenApiError(`x-amazon-apigateway-cors has unknown member(s): ${unknown.slice(0, 5).join(', ')}.`);
  return out;
}
