// JWT authorizer runtime (docs/aws-behavior.md §3.8) with jose: issuer discovery
// (`{issuer}/.well-known/openid-configuration` → `jwks_uri`), a JWKS cache per issuer that refetches
// on an unknown `kid` (key rotation) within limits, algorithms pinned to RSA/EC signatures (never
// `none`, never HMAC: a public key must not become a shared secret), `iss`, `aud` else `client_id`,
// `exp` (required), `nbf`, `iat`. Remote issuers must be https, or http on a loopback host.
import type { createLocalJWKSet, errors, JSONWebKeySet, JWTPayload } from 'jose';
import { loadJose } from '../../kernel/jose.js';
import type { Logger } from '../../kernel/log.js';
import { fetchDocument } from './fetch-document.js';

export const ALLOWED_ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/**
 * Each issuer document (discovery, then JWKS): at most 1 MiB, complete (connect to last byte) within
 * 1.5 s; docs/gateway.md states both. Past either the keys are not loaded and the request gets 401.
 */
export const DOCUMENT_LIMITS = { maxBytes: 1024 * 1024, deadlineMs: 1500 } as const;
const KEYS_TTL_MS = 10 * 60 * 1000;
/** Unknown-kid refetches allowed per issuer per window (protects the issuer from kid floods). */
const REFETCH_BUDGET = 10;
const REFETCH_WINDOW_MS = 10_000;

export type VerifyOutcome = { ok: true; claims: JWTPayload; scopes: string[] } | { ok: false; status: 401; description: string };

/** Where the gateway gets keys of issuers it hosts itself (the built-in OIDC issuer). */
export interface LocalKeySource {
  isLocal(issuer: string): boolean;
  jwks(): Promise<JSONWebKeySet>;
  /** Bumps when the local keys change (rotation, reset). */
  readonly version: number;
}

type KeyFn = ReturnType<typeof createLocalJWKSet>;
type JoseErrors = typeof errors;

interface IssuerEntry {
  fn?: KeyFn;
  fetchedAt: number;
  localVersion?: number;
  inflight?: Promise<KeyFn>;
  refetches: number[];
  /** kids that were still unknown after a refetch; asking again does not refetch until the next fetch. */
  missed: Set<string>;
}

export class DiscoveryError extends Error {}

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h.endsWith('.localhost') || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/** https anywhere, http only on loopback (spec: "http allowed for loopback issuers"). */
export function issuerUrlAllowed(url: string): boolean {
  try {
    const u = new URL(url);
    return u.protocol === 'https:' || (u.protocol === 'http:' && isLoopbackHost(u.hostname));
  } catch {
    return false;
  }
}

async function fetchJson(url: string): Promise<unknown> {
  if (!issuerUrlAllowed(url)) throw new DiscoveryError(`refusing to fetch ${url}: issuers and JWKS must use https (http only on loopback)`);
  let buf: Buffer;
  try {
    buf = await fetchDocument(url, DOCUMENT_LIMITS);
  } catch (e) {
    throw new DiscoveryError((e as Error).message);
  }
  try {
    return JSON.parse(buf.toString('utf8'));
  } catch {
    throw new DiscoveryError(`GET ${url}: not JSON`);
  }
}

export class JwtVerifier {
  private readonly issuers = new Map<string, IssuerEntry>();

  constructor(
    private readonly local: LocalKeySource,
    private readonly logger: Logger,
    private readonly now: () => number = Date.now,
  ) {}

  clear(): void {
    this.issuers.clear();
  }

  /** Verifies a compact JWT for an authorizer's issuer and audiences. Never throws. */
  async verify(token: string, issuer: string, audiences: readonly string[]): Promise<VerifyOutcome> {
    const fail = (description: string): VerifyOutcome => ({ ok: false, status: 401, description });
    const jose = await loadJose();
    let header;
    try {
      header = jose.decodeProtectedHeader(token);
    } catch {
      return fail('the token is malformed');
    }
    if (token.split('.').length !== 3) return fail('the token is malformed');
    if (typeof header.alg !== 'string' || !ALLOWED_ALGORITHMS.includes(header.alg)) return fail(`signing method ${String(header.alg)} is invalid`);
    if (typeof header.kid !== 'string' || !header.kid) return fail('the token has no kid');

    let keys: KeyFn;
    try {
      keys = await this.keysFor(issuer, false);
    } catch (e) {
      this.logger.warn({ issuer, err: (e as Error).message }, 'JWT authorizer could not load the issuer keys');
      return fail('unable to load the signing keys of the issuer');
    }
    let payload: JWTPayload;
    try {
      payload = await this.verifyWith(token, keys, issuer);
    } catch (e) {
      if (e instanceof jose.errors.JWKSNoMatchingKey) {
        const refreshed = await this.refetchForKid(issuer, header.kid);
        if (!refreshed) return fail('the token is signed by an unknown key');
        try {
          payload = await this.verifyWith(token, refreshed, issuer);
        } catch (e2) {
          return fail(describe(e2, jose.errors));
        }
      } else {
        return fail(describe(e, jose.errors));
      }
    }
    const nowSec = this.now() / 1000;
    if (typeof payload.iat === 'number' && payload.iat > nowSec + 1) return fail('the token is not yet valid (iat)');
    const aud = payload.aud === undefined ? undefined : Array.isArray(payload.aud) ? payload.aud : [payload.aud];
    if (aud !== undefined) {
      if (!aud.some((a) => audiences.includes(a))) return fail('the token does not have a valid audience');
    } else {
      const clientId = (payload as { client_id?: unknown }).client_id;
      if (typeof clientId !== 'string' || !audiences.includes(clientId)) return fail('the token does not have a valid audience');
    }
    return { ok: true, claims: payload, scopes: scopesOf(payload) };
  }

  private async verifyWith(token: string, keys: KeyFn, issuer: string): Promise<JWTPayload> {
    const { jwtVerify } = await loadJose();
    return jwtVerify(token, keys, {
      algorithms: ALLOWED_ALGORITHMS,
      issuer,
      requiredClaims: ['exp'],
      currentDate: new Date(this.now()),
    }).then((r) => r.payload);
  }

  private async keysFor(issuer: string, force: boolean): Promise<KeyFn> {
    let e = this.issuers.get(issuer);
    if (!e) this.issuers.set(issuer, (e = { fetchedAt: 0, refetches: [], missed: new Set() }));
    const local = this.local.isLocal(issuer);
    const fresh = e.fn && (local ? e.localVersion === this.local.version : this.now() - e.fetchedAt < KEYS_TTL_MS);
    if (fresh && !force) return e.fn!;
    if (e.inflight) return e.inflight;
    const entry = e;
    const version = this.local.version;
    entry.inflight = this.load(issuer)
      .then((fn) => {
        entry.fn = fn;
        entry.localVersion = local ? version : undefined;
        entry.fetchedAt = this.now();
        entry.missed.clear();
        return fn;
      })
      .finally(() => (entry.inflight = undefined));
    return entry.inflight;
  }

  private async refetchForKid(issuer: string, kid: string): Promise<KeyFn | undefined> {
    const e = this.issuers.get(issuer);
    if (!e || e.missed.has(kid)) return undefined;
    const now = this.now();
    e.refetches = e.refetches.filter((t) => now - t < REFETCH_WINDOW_MS);
    if (e.refetches.length >= REFETCH_BUDGET) return undefined;
    e.refetches.push(now);
    try {
      const fn = await this.keysFor(issuer, true);
      e.missed.add(kid);
      return fn;
    } catch {
      return undefined;
    }
  }

  private async load(issuer: string): Promise<KeyFn> {
    const { createLocalJWKSet } = await loadJose();
    if (this.local.isLocal(issuer)) return createLocalJWKSet(await this.local.jwks());
    const base = issuer.replace(/\/+$/, '');
    const discovery = (await fetchJson(`${base}/.well-known/openid-configuration`)) as { jwks_uri?: unknown };
    if (typeof discovery?.jwks_uri !== 'string') throw new DiscoveryError(`${base}/.well-known/openid-configuration has no jwks_uri`);
    const jwks = (await fetchJson(discovery.jwks_uri)) as JSONWebKeySet;
    if (!jwks || !Array.isArray(jwks.keys)) throw new DiscoveryError(`${discovery.jwks_uri} is not a JWKS document`);
    return createLocalJWKSet(jwks);
  }
}

function describe(e: unknown, errors: JoseErrors): string {
  if (e instanceof errors.JWTExpired) return 'the token has expired';
  if (e instanceof errors.JWTClaimValidationFailed) {
    if (e.claim === 'iss') return 'the token does not have a valid issuer';
    if (e.claim === 'nbf') return 'the token is not valid yet';
    if (e.claim === 'exp') return 'the token has no expiration';
    return `the token has an invalid ${e.claim} claim`;
  }
  if (e instanceof errors.JWSSignatureVerificationFailed) return 'signature is invalid';
  if (e instanceof errors.JOSEAlgNotAllowed) return 'signing method is invalid';
  if (e instanceof errors.JWKSMultipleMatchingKeys) return 'more than one key matches the token kid';
  if (e instanceof errors.JWKSNoMatchingKey) return 'the token is signed by an unknown key'; // still unknown after the refetch
  return 'the token is invalid';
}

/** `scope` (space-separated string) or `scp` (array or string). */
export function scopesOf(payload: JWTPayload): string[] {
  const out: string[] = [];
  const scope = (payload as { scope?: unknown }).scope;
  if (typeof scope === 'string') out.push(...scope.split(' ').filter(Boolean));
  const scp = (payload as { scp?: unknown }).scp;
  if (Array.isArray(scp)) out.push(...scp.filter((s): s is string => typeof s === 'string'));
  else if (typeof scp === 'string') out.push(...scp.split(' ').filter(Boolean));
  return out;
}
