// The built-in OIDC issuer under /_wayfinder/oidc, so JWT routes can be tested offline:
//   GET  /_wayfinder/oidc/.well-known/openid-configuration   discovery document
//   GET  /_wayfinder/oidc/jwks.json                          public keys
//   POST /_wayfinder/oidc/token                              mint a token: JSON claims, or an OAuth
//        client_credentials form (client_id, scope); options `expiresIn` (seconds), `kid`
//   POST /_wayfinder/oidc/rotate                             new signing key; the JWKS keeps the current
//        key and the 4 before it (PREVIOUS_KEYS): tokens those signed still verify
// The issuer URL is `http://<host the request used>/_wayfinder/oidc` (e.g. http://localhost:4566/…);
// the gateway recognises any loopback form of its own port and reads the keys from memory, no HTTP.
// Keys live in the store, so tokens survive restarts.
import type { JSONWebKeySet, JWTPayload } from 'jose';
import { loadJose } from '../../kernel/jose.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { alnum } from '../../kernel/ids.js';
import { sendJson, type InternalRoute } from '../../http1/routes.js';
import { readBodyOrClose } from '../../protocol/body.js';
import type { GatewayStore, OidcKeyRecord } from '../store.js';
import { isLoopbackHost, type LocalKeySource } from './verifier.js';

export const OIDC_PATH = '/_wayfinder/oidc';
/**
 * Keys kept after the current one (docs/gateway.md promises this number): a token signed by any key
 * still in the JWKS verifies. A bound, so repeated rotations cannot grow the store without end.
 */
export const PREVIOUS_KEYS = 4;
const MAX_KEYS = 1 + PREVIOUS_KEYS;
const MAX_BODY = 64 * 1024;

export class LocalIssuer implements LocalKeySource {
  private keys: OidcKeyRecord[] | undefined;
  private generating: Promise<OidcKeyRecord> | undefined;
  version = 0;

  constructor(
    private readonly gw: GatewayStore,
    private readonly port: () => number,
  ) {}

  /** The canonical issuer URL (what `wayfinder` prints and tests use). */
  issuer(host = `localhost:${this.port()}`): string {
    return `http://${host}${OIDC_PATH}`;
  }

  isLocal(issuer: string): boolean {
    try {
      const u = new URL(issuer);
      const port = Number(u.port || (u.protocol === 'https:' ? 443 : 80));
      return u.protocol === 'http:' && isLoopbackHost(u.hostname) && port === this.port() && u.pathname.replace(/\/+$/, '') === OIDC_PATH;
    } catch {
      return false;
    }
  }

  /** Forgets cached keys (after a reset wiped the table). */
  forget(): void {
    this.keys = undefined;
    this.version++;
  }

  async jwks(): Promise<JSONWebKeySet> {
    await this.signingKey();
    return { keys: this.loaded().map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) as JSONWebKeySet['keys'] };
  }

  async mint(claims: JWTPayload, opts: { issuer: string; expiresIn?: number; kid?: string }): Promise<string> {
    const key = opts.kid ? this.loaded().find((k) => k.kid === opts.kid) : await this.signingKey();
    if (!key) throw new Error(`unknown kid ${opts.kid}`);
    const now = Math.floor(Date.now() / 1000);
    const body: JWTPayload = { iss: opts.issuer, iat: now, exp: now + (opts.expiresIn ?? 3600), ...claims };
    const { importJWK, SignJWT } = await loadJose();
    const privateKey = await importJWK(key.privateJwk, key.alg);
    return new SignJWT(body).setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' }).sign(privateKey);
  }

  async rotate(): Promise<OidcKeyRecord> {
    const key = await newKey();
    const all = [key, ...this.loaded()].slice(0, MAX_KEYS);
    this.gw.store.withTx(() => {
      for (const k of this.loaded()) if (!all.includes(k)) this.gw.oidcKeys.deleteTx(k.kid);
      this.gw.oidcKeys.putTx(key.kid, key);
    });
    this.reload();
    return key;
  }

  /** Re-reads the keys after a write here, so the next JWT request finds them in memory, not in SQL. */
  private reload(): void {
    this.keys = this.gw.oidcKeys.all().sort((a, b) => b.createdAt - a.createdAt);
    this.version++;
  }

  private loaded(): OidcKeyRecord[] {
    this.keys ??= this.gw.oidcKeys.all().sort((a, b) => b.createdAt - a.createdAt);
    return this.keys;
  }

  private async signingKey(): Promise<OidcKeyRecord> {
    const existing = this.loaded()[0];
    if (existing) return existing;
    this.generating ??= newKey()
      .then((key) => {
        // Another caller may have stored one meanwhile (rotate); keep whichever is newest.
        if (!this.gw.oidcKeys.all().length) this.gw.store.withTx(() => this.gw.oidcKeys.putTx(key.kid, key));
        this.reload();
        return this.loaded()[0]!;
      })
      .finally(() => (this.generating = undefined));
    return this.generating;
  }

  routes(): InternalRoute[] {
    const issuerFor = (req: IncomingMessage) => this.issuer(hostOf(req) ?? `localhost:${this.port()}`);
    return [
      {
        method: 'GET',
        path: /^\/_wayfinder\/oidc\/\.well-known\/openid-configuration$/,
        handle: (req, res) => {
          const iss = issuerFor(req);
          sendJson(res, 200, {
            issuer: iss,
            jwks_uri: `${iss}/jwks.json`,
            token_endpoint: `${iss}/token`,
            response_types_supported: ['token'],
            subject_types_supported: ['public'],
            grant_types_supported: ['client_credentials'],
            id_token_signing_alg_values_supported: ['RS256'],
            token_endpoint_auth_methods_supported: ['none', 'client_secret_post', 'client_secret_basic'],
          });
        },
      },
      {
        method: 'GET',
        path: /^\/_wayfinder\/oidc\/jwks\.json$/,
        handle: async (_req, res) => sendJson(res, 200, await this.jwks()),
      },
      {
        method: 'POST',
        path: /^\/_wayfinder\/oidc\/token$/,
        handle: (req, res) => this.handleToken(req, res, issuerFor(req)),
      },
      {
        method: 'POST',
        path: /^\/_wayfinder\/oidc\/rotate$/,
        handle: async (req, res) => {
          req.resume();
          const key = await this.rotate();
          sendJson(res, 200, { kid: key.kid });
        },
      },
    ];
  }

  private async handleToken(req: IncomingMessage, res: ServerResponse, issuer: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readBodyOrClose(req, res, MAX_BODY);
    } catch {
      return sendJson(res, 413, { error: 'invalid_request', error_description: 'body too large' });
    }
    const type = String(req.headers['content-type'] ?? '');
    let claims: Record<string, unknown> = {};
    let expiresIn: number | undefined;
    let kid: string | undefined;
    if (type.startsWith('application/x-www-form-urlencoded')) {
      const form = new URLSearchParams(body.toString('utf8'));
      const grant = form.get('grant_type') ?? 'client_credentials';
      if (grant !== 'client_credentials') return sendJson(res, 400, { error: 'unsupported_grant_type', error_description: 'only client_credentials is supported' });
      const clientId = form.get('client_id') ?? basicClientId(req) ?? 'wayfinder-client';
      claims = { sub: clientId, client_id: clientId, token_use: 'access' };
      const scope = form.get('scope');
      if (scope) claims.scope = scope;
    } else if (body.length) {
      let parsed: unknown;
      try {
        parsed = JSON.parse(body.toString('utf8'));
      } catch {
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'body must be JSON claims or a client_credentials form' });
      }
      if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed))
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'claims must be a JSON object' });
      const { expiresIn: e, kid: k, ...rest } = parsed as Record<string, unknown>;
      if (e !== undefined && (typeof e !== 'number' || !Number.isFinite(e)))
        return sendJson(res, 400, { error: 'invalid_request', error_description: 'expiresIn must be a number of seconds' });
      expiresIn = e as number | undefined;
      kid = typeof k === 'string' ? k : undefined;
      claims = { sub: 'wayfinder-user', ...rest };
    } else {
      claims = { sub: 'wayfinder-user' };
    }
    let token: string;
    try {
      token = await this.mint(claims as JWTPayload, { issuer, expiresIn, kid });
    } catch (e) {
      return sendJson(res, 400, { error: 'invalid_request', error_description: (e as Error).message });
    }
    sendJson(res, 200, { access_token: token, id_token: token, token_type: 'Bearer', expires_in: expiresIn ?? 3600, issuer });
  }
}

async function newKey(): Promise<OidcKeyRecord> {
  const { exportJWK, generateKeyPair } = await loadJose();
  const { publicKey, privateKey } = await generateKeyPair('RS256', { extractable: true, modulusLength: 2048 });
  return {
    kid: `wf-${alnum(12)}`,
    alg: 'RS256',
    privateJwk: (await exportJWK(privateKey)) as Record<string, unknown>,
    publicJwk: (await exportJWK(publicKey)) as Record<string, unknown>,
    createdAt: Date.now(),
  };
}

function hostOf(req: IncomingMessage): string | undefined {
  const h = req.headers.host;
  return h && /^[A-Za-z0-9.\-[\]:]+$/.test(h) ? h : undefined;
}

function basicClientId(req: IncomingMessage): string | undefined {
  const auth = req.headers.authorization;
  if (!auth?.startsWith('Basic ')) return undefined;
  const decoded = Buffer.from(auth.slice(6), 'base64').toString('utf8');
  return decoded.split(':')[0] || undefined;
}
