// CORS configuration of an HTTP API (docs/aws-behavior.md §2.9, §3.3): validated on CreateApi/UpdateApi, compiled
// into precomputed header values when a deployment is frozen.
import type { CorsRecord } from './store.js';

export class CorsError extends Error {}

const ORIGIN = /^(\*|https?:\/\/\*|[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/\s*]+)$/;
const METHODS = new Set(['*', 'GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS']);
const TOKEN = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

/** Throws CorsError with a message fit for a 400 BadRequestException. */
export function validateCors(c: CorsRecord): void {
  for (const o of c.allowOrigins ?? []) {
    if (!ORIGIN.test(o)) throw new CorsError(`Invalid allowOrigins value '${o}'. Use '*', 'http://*', 'https://*' or an origin such as 'https://example.com'.`);
  }
  for (const m of c.allowMethods ?? []) {
    if (!METHODS.has(m.toUpperCase())) throw new CorsError(`Invalid allowMethods value '${m}'. Must be one of ${[...METHODS].join(', ')}.`);
  }
  for (const h of [...(c.allowHeaders ?? []), ...(c.exposeHeaders ?? [])]) {
    if (!TOKEN.test(h)) throw new CorsError(`Invalid header name '${h}' in CORS configuration.`);
  }
  // AWS refuses credentials with `*`; a scheme wildcard is no narrower (any https site would get
  // its users' credentials honoured), so Wayfinder refuses it too. Name the origins instead.
  const wildcard = c.allowCredentials ? (c.allowOrigins ?? []).find(isWildcardOrigin) : undefined;
  if (wildcard !== undefined) throw new CorsError(`allow-credentials is not supported if 'allow-origin' is ${wildcard}`);
}

/** `*`, `http://*` or `https://*`: origins that admit any site. */
function isWildcardOrigin(o: string): boolean {
  return o === '*' || o.endsWith('://*');
}

export interface CompiledCors {
  anyOrigin: boolean;
  origins: Set<string>;
  schemes: Set<string>;
  allowCredentials: boolean;
  allowMethods: string | undefined;
  allowHeaders: string | undefined;
  headersWildcard: boolean;
  exposeHeaders: string | undefined;
  maxAge: string | undefined;
}

export function compileCors(c: CorsRecord | undefined): CompiledCors | undefined {
  if (!c) return undefined;
  const origins = new Set<string>();
  const schemes = new Set<string>();
  let anyOrigin = false;
  for (const o of c.allowOrigins ?? []) {
    if (o === '*') anyOrigin = true;
    else if (o.endsWith('://*')) schemes.add(o.slice(0, -4).toLowerCase());
    else origins.add(o.toLowerCase());
  }
  const join = (l: string[] | undefined) => (l?.length ? l.join(',') : undefined);
  return {
    anyOrigin,
    origins,
    schemes,
    // A configuration stored before wildcards with credentials were refused never sends the header.
    allowCredentials: c.allowCredentials === true && !anyOrigin && schemes.size === 0,
    allowMethods: join(c.allowMethods?.map((m) => m.toUpperCase())),
    allowHeaders: join(c.allowHeaders?.map((h) => h.toLowerCase())),
    headersWildcard: (c.allowHeaders ?? []).includes('*'),
    exposeHeaders: join(c.exposeHeaders?.map((h) => h.toLowerCase())),
    maxAge: c.maxAge !== undefined && c.maxAge >= 0 ? String(c.maxAge) : undefined,
  };
}

/** The Access-Control-Allow-Origin value for a request Origin, or undefined when not allowed. */
export function allowedOrigin(cors: CompiledCors, origin: string): string | undefined {
  if (cors.anyOrigin) return '*';
  const lower = origin.toLowerCase();
  if (cors.origins.has(lower)) return origin;
  const sep = lower.indexOf('://');
  if (sep > 0 && cors.schemes.has(lower.slice(0, sep))) return origin;
  return undefined;
}
