// Step 5 — authorization (docs/aws-behavior.md §3.7–3.9). JWT: the token from the authorizer's identity source (raw
// or `Bearer …`), verified against the issuer's keys; invalid → 401 + www-authenticate, valid but
// lacking every route scope → 403. A token verified once is cached (bounded, ≤ 60 s, never past its
// exp) so a hot route does not re-check signatures. Lambda (REQUEST) authorizers and AWS_IAM are
// stored and answered honestly: missing identity → 401 as AWS, otherwise 500 with the reason.
import type { CachedToken, CompiledAuthorizer } from '../snapshot.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { answer, answerUnsupported } from './reply.js';

const TOKEN_CACHE_MAX = 1000;
const TOKEN_CACHE_MS = 60_000;

function identity(x: GatewayExchange, a: CompiledAuthorizer): string | undefined {
  if (!a.identity) return undefined;
  const v = a.identity.from === 'header' ? x.header(a.identity.name) : x.queryParam(a.identity.name);
  if (v === undefined) return undefined;
  const t = v.trim();
  return /^bearer\s+/i.test(t) ? t.replace(/^bearer\s+/i, '').trim() : t;
}

function unauthorized(x: GatewayExchange, description: string | undefined): false {
  x.authorizerError = description ?? 'missing token';
  const challenge = description === undefined ? 'Bearer' : `Bearer scope="" error="invalid_token" error_description="${description.replace(/"/g, "'")}"`;
  return answer(x, 401, 'Unauthorized', ['www-authenticate', challenge]);
}

function checkScopes(x: GatewayExchange, scopes: string[]): boolean {
  const required = x.route!.scopes;
  if (!required.length || required.some((s) => scopes.includes(s))) return true;
  x.authorizerError = 'insufficient scope';
  answer(x, 403, 'Forbidden', [
    'www-authenticate',
    'Bearer scope="' + required.join(' ') + '" error="insufficient_scope" error_description="the token does not have the required scopes"',
  ]);
  return false;
}

function remember(a: CompiledAuthorizer, token: string, entry: CachedToken): void {
  if (a.tokens.size >= TOKEN_CACHE_MAX) a.tokens.clear();
  a.tokens.set(token, entry);
}

export function authorize(x: GatewayExchange): boolean | Promise<boolean> {
  const route = x.route!;
  switch (route.authType) {
    case 'NONE':
      return true;
    case 'AWS_IAM':
      return answerUnsupported(x, 'AWS_IAM authorization of HTTP API routes is not supported by Wayfinder');
    case 'CUSTOM': {
      const a = route.authorizer!;
      if (a.identity && !identity(x, a)) return unauthorized(x, undefined); // missing or empty: the authorizer is not called
      return answerUnsupported(x, 'Lambda (REQUEST) authorizers are not supported by Wayfinder');
    }
    case 'JWT':
      break;
  }
  const a = route.authorizer!;
  const token = identity(x, a);
  if (!token) return unauthorized(x, undefined);
  const now = Date.now();
  const cached = a.tokens.get(token);
  if (cached && cached.cachedUntil > now) {
    if (cached.expMs <= now) {
      a.tokens.delete(token);
      return unauthorized(x, 'the token has expired');
    }
    if (cached.nbfMs <= now) {
      x.claims = cached.claims;
      return checkScopes(x, cached.scopes);
    }
  }
  return x.services.verifier.verify(token, a.issuer, a.audience).then((r) => {
    if (!r.ok) return unauthorized(x, r.description);
    const claims = r.claims as Record<string, unknown>;
    const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : now;
    remember(a, token, {
      claims,
      scopes: r.scopes,
      expMs: exp,
      nbfMs: typeof claims.nbf === 'number' ? claims.nbf * 1000 : 0,
      cachedUntil: Math.min(exp, Date.now() + TOKEN_CACHE_MS),
    });
    x.claims = claims;
    return checkScopes(x, r.scopes);
  });
}
