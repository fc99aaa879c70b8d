// Registry passwords (GetAuthorizationToken, `aws ecr get-login-password`). The registry must be able
// to check one without a lookup, and one must stop working after 12 hours, as on AWS: the password is
// `wf1.<account>.<region>.<expiry seconds>.<HMAC-SHA256 of those, base64url>`, keyed by a secret made
// once per data dir and kept in the store (so tokens survive a restart and another data dir's do not work).
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

export const TOKEN_LIFETIME_MS = 12 * 60 * 60 * 1000;

export interface TokenClaims {
  account: string;
  region: string;
  expiresAt: number;
}

export function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

function mac(secret: string, payload: string): string {
  return createHmac('sha256', secret).update(payload).digest('base64url');
}

export function mintPassword(secret: string, claims: TokenClaims): string {
  const payload = `wf1.${claims.account}.${claims.region}.${Math.floor(claims.expiresAt / 1000)}`;
  return `${payload}.${mac(secret, payload)}`;
}

/** The claims of a valid, unexpired password; undefined for anything else. */
export function verifyPassword(secret: string, password: string, now: number): TokenClaims | undefined {
  const m = /^(wf1\.(\d{12})\.([a-z0-9-]{1,40})\.(\d{1,12}))\.([A-Za-z0-9_-]{43})$/.exec(password);
  if (!m) return undefined;
  const want = Buffer.from(mac(secret, m[1]!));
  const got = Buffer.from(m[5]!);
  if (want.length !== got.length || !timingSafeEqual(want, got)) return undefined;
  const expiresAt = Number(m[4]) * 1000;
  if (expiresAt <= now) return undefined;
  return { account: m[2]!, region: m[3]!, expiresAt };
}

/** Reads `Authorization: Basic …` (user AWS, password the token); undefined when absent or malformed. */
export function basicPassword(header: string | undefined): string | undefined {
  if (!header) return undefined;
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (!m) return undefined;
  const text = Buffer.from(m[1]!, 'base64').toString('utf8');
  const colon = text.indexOf(':');
  if (colon < 0) return undefined;
  return text.slice(colon + 1);
}
