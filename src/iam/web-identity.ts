// Verifies AssumeRoleWithWebIdentity tokens minted by Wayfinder's built-in OIDC issuer
// (/_wayfinder/oidc, src/gateway/jwt/local-issuer.ts). The issuer belongs to the gateway, which is
// built after IAM, so the gateway hands it over through IamApi.trustWebIdentityIssuer (docs/iam.md §4).
import type { JWTPayload } from 'jose';
import { loadJose } from '../kernel/jose.js';
import { AwsError } from '../kernel/errors.js';
import type { WebIdentityIssuer } from './api.js';

const ALGORITHMS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512'];

/** The provider name IAM uses for an OIDC issuer: its URL without the scheme. */
export const providerName = (issuer: string): string => issuer.replace(/^https?:\/\//, '').replace(/\/+$/, '');

/** Checks signature, issuer and expiry; answers STS's InvalidIdentityToken / ExpiredTokenException. */
export async function verifyWebIdentityToken(token: string, issuer: WebIdentityIssuer | undefined, now: number): Promise<JWTPayload & { iss: string }> {
  const { createLocalJWKSet, decodeJwt, errors, jwtVerify } = await loadJose();
  let claims: JWTPayload;
  try {
    claims = decodeJwt(token);
  } catch {
    throw new AwsError('InvalidIdentityToken', 'The ID Token provided is not a valid JWT. (You may see this error if you sent an Access Token)');
  }
  const iss = claims.iss;
  if (typeof iss !== 'string' || !issuer?.isLocal(iss)) {
    throw new AwsError('InvalidIdentityToken', `No OpenIDConnect provider found in your account for ${typeof iss === 'string' ? iss : 'the token'}`);
  }
  try {
    const keys = createLocalJWKSet(await issuer.jwks());
    // Expiry is checked below against `now`, so that the message can name both instants.
    const verified = await jwtVerify(token, keys, { issuer: iss, algorithms: ALGORITHMS, currentDate: new Date(now), clockTolerance: 0 });
    return { ...verified.payload, iss };
  } catch (e) {
    if (e instanceof errors.JWTExpired) {
      const exp = new Date((claims.exp ?? 0) * 1000).toISOString();
      throw new AwsError('ExpiredTokenException', `Token expired: current date/time ${new Date(now).toISOString()} must be before the expiration date/time ${exp}`);
    }
    throw new AwsError('InvalidIdentityToken', 'Incorrect token signature or claims: the token was not signed by a key of its issuer');
  }
}

/**
 * The Federated principal of a trust policy that names this issuer (its provider ARN in the account,
 * or its URL), or undefined when none does.
 */
export function trustedProvider(federated: string[], issuer: WebIdentityIssuer, accountId: string): string | undefined {
  return federated.find((f) => {
    const m = /^arn:aws:iam::(\d{12}):oidc-provider\/(.+)$/.exec(f);
    if (m) return m[1] === accountId && issuer.isLocal(`http://${m[2]}`);
    return issuer.isLocal(f) || issuer.isLocal(`http://${f}`);
  });
}

/** The audiences a token speaks for: `aud` (string or list), else the OAuth `client_id`. */
export function audiencesOf(claims: JWTPayload): string[] {
  if (Array.isArray(claims.aud)) return claims.aud;
  if (typeof claims.aud === 'string') return [claims.aud];
  const clientId = (claims as { client_id?: unknown }).client_id;
  return typeof clientId === 'string' ? [clientId] : [];
}
