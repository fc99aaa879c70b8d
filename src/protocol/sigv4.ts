// SigV4 verification, header and presigned-query forms. The header form's signature is computed by
// sigv4-header.ts (node:crypto, the signer's rules); the presigned form's maths is @smithy/signature-v4's
// (the same code the JS SDK signs with); this file only rebuilds the request exactly as the client
// signed it (its SignedHeaders, its date, its scope) and compares signatures in constant time.
// Which keys are accepted (README "Who may call", SECURITY.md): keys whose secret Wayfinder knows (the
// configured ones, and the session keys STS issued) are always verified; any other key is accepted
// unverified when `unknownKeys` is 'accept' (`--auth on`, loopback binds: tools send whatever key they
// have, as with moto and LocalStack) and refused when 'refuse' (`--auth strict`). A key of 12 digits acts
// in that account (LocalStack's convention), any other unknown key in the default account.
import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { NodeSha256 } from './node-sha256.js';
import { headerSignature, sha256HexOf } from './sigv4-header.js';
import type { SignatureV4 } from '@smithy/signature-v4';
import type { QueryMap } from './query-string.js';
import { AWS_REGIONS } from '../kernel/regions.js';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
}

/** A key STS issued, as the verifier needs it (IAM hands them over: IamApi.issuedKey and accessKey). */
export interface IssuedKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  /** Epoch ms after which the key is refused (ExpiredToken). */
  expiresAt: number;
}

/** A user's long-term access key (CreateAccessKey), as the verifier needs it (IAM hands them over: IamApi.issuedKey and accessKey): no session token. */
export interface UserAccessKey {
  accessKeyId: string; // AKIA…
  secretAccessKey: string;
  accountId: string;
}

export interface SignedIdentity {
  accessKeyId: string;
  accountId: string;
  region: string;
  /** Service name from the credential scope (e.g. `ecs`, `apigateway`). */
  service: string;
}

export type AuthFailureKind = 'missing' | 'incomplete' | 'unknown-key' | 'bad-signature' | 'expired' | 'bad-presign' | 'bad-token' | 'expired-token';

/** What a signature's credential says, even when the signature is refused (`--auth off` still reads it). */
export interface ClaimScope {
  region: string;
  service: string;
  accessKeyId?: string;
}

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
    readonly scope?: ClaimScope,
  ) {
    super(message);
  }
}

export interface SignedRequest {
  method: string;
  rawPath: string;
  query: QueryMap;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

/** What the Authorization header or the presign query says about the signature. */
export interface SignatureClaim {
  accessKeyId: string;
  date: string; // yyyymmdd of the scope
  region: string;
  service: string;
  signedHeaders: string[];
  signature: string;
  amzDate: string; // yyyymmddThhmmssZ
  presigned: boolean;
  expiresSeconds?: number;
}

// @smithy/signature-v4 is imported on the first signed request, not at server start (~100 ms of a
// cold start; issue 16, point 4).
let signatureV4: Promise<typeof import('@smithy/signature-v4')> | undefined;
const loadSignatureV4 = () => (signatureV4 ??= import('@smithy/signature-v4'));

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_PRESIGN_SECONDS = 604_800;
/** The query parameters presign() writes from its own inputs (so they are not passed to it again). */
const PRESIGN_HOISTED = new Set(['X-Amz-Signature', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders']);
const AMZ_DATE = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function parseCredential(value: string): Pick<SignatureClaim, 'accessKeyId' | 'date' | 'region' | 'service'> | undefined {
  const parts = value.split('/');
  if (parts.length !== 5 || parts[4] !== 'aws4_request' || !parts[0] || !/^\d{8}$/.test(parts[1]!)) return undefined;
  return { accessKeyId: parts[0], date: parts[1]!, region: parts[2]!, service: parts[3]! };
}

type AuthorizationFields = Partial<Record<'Credential' | 'SignedHeaders' | 'Signature', string>>;

/**
 * The `Name=value` parameters of an Authorization header after its algorithm, comma-separated, each
 * name and value trimmed, a later one winning; only the three SigV4 reads are kept. Walks the string
 * with indexOf (no split, no object of every name): it runs on every signed call.
 */
function authorizationFields(auth: string, from: number): AuthorizationFields {
  const fields: AuthorizationFields = {};
  for (let start = from; start <= auth.length; ) {
    let end = auth.indexOf(',', start);
    if (end < 0) end = auth.length;
    const eq = auth.indexOf('=', start);
    if (eq > start && eq < end) {
      const name = auth.slice(start, eq).trim();
      if (name === 'Credential' || name === 'SignedHeaders' || name === 'Signature') fields[name] = auth.slice(eq + 1, end).trim();
    }
    start = end + 1;
  }
  return fields;
}

/** Reads the signature claim of a request; `undefined` when the request carries no signature at all. */
export function readClaim(req: Pick<SignedRequest, 'headers' | 'query'>): SignatureClaim | undefined {
  const auth = header(req.headers, 'authorization');
  if (auth !== undefined) {
    if (!auth.startsWith(ALGORITHM + ' ')) {
      throw new AuthFailure('incomplete', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header and a '${ALGORITHM}' algorithm.`);
    }
    const fields = authorizationFields(auth, ALGORITHM.length + 1);
    const cred = fields.Credential ? parseCredential(fields.Credential) : undefined;
    if (!cred || !fields.SignedHeaders || !fields.Signature) {
      const missing = (['Credential', 'SignedHeaders', 'Signature'] as const).filter((k) => !fields[k]);
      const what = missing.length ? missing.map((m) => `'${m}'`).join(', ') : "a well-formed 'Credential'";
      throw new AuthFailure('incomplete', `Authorization header requires ${what} parameter. Authorization=${auth.slice(0, 200)}`);
    }
    const amzDate = header(req.headers, 'x-amz-date') ?? '';
    if (!AMZ_DATE.test(amzDate)) {
      throw new AuthFailure('incomplete', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", cred);
    }
    return {
      accessKeyId: cred.accessKeyId,
      date: cred.date,
      region: cred.region,
      service: cred.service,
      signedHeaders: fields.SignedHeaders.split(';'),
      signature: fields.Signature,
      amzDate,
      presigned: false,
    };
  }
  const q = (k: string) => req.query.get(k)?.[0];
  if (q('X-Amz-Algorithm') === undefined && q('X-Amz-Signature') === undefined && q('X-Amz-Credential') === undefined) {
    return undefined;
  }
  const required = ['X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Signature'];
  const absent = required.filter((k) => !q(k));
  const cred = q('X-Amz-Credential') ? parseCredential(q('X-Amz-Credential')!) : undefined;
  if (absent.length || !cred || q('X-Amz-Algorithm') !== ALGORITHM || !AMZ_DATE.test(q('X-Amz-Date')!)) {
    throw new AuthFailure('incomplete', `AWS query-string parameters must include ${required.map((r) => `'${r}'`).join(', ')}. Re-examine the query-string parameters.`);
  }
  // AWS refuses presigned URLs valid for more than a week; anything not a whole number is no expiry at all.
  const expiresText = q('X-Amz-Expires') ?? '900';
  const expires = Number(expiresText);
  if (!/^\d{1,9}$/.test(expiresText) || expires < 1 || expires > MAX_PRESIGN_SECONDS) {
    throw new AuthFailure('bad-presign', `X-Amz-Expires must be a whole number of seconds from 1 to ${MAX_PRESIGN_SECONDS} (one week), got '${expiresText.slice(0, 32)}'.`, cred);
  }
  return {
    ...cred,
    signedHeaders: q('X-Amz-SignedHeaders')!.split(';'),
    signature: q('X-Amz-Signature')!,
    amzDate: q('X-Amz-Date')!,
    presigned: true,
    expiresSeconds: expires,
  };
}

export function amzDateToMs(amzDate: string): number {
  const m = AMZ_DATE.exec(amzDate)!;
  return Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!);
}

/** The account an access key acts in when nothing configured names one: 12 digits name it (LocalStack's convention). */
export function accountOfKey(accessKeyId: string, defaultAccountId: string): string {
  return /^\d{12}$/.test(accessKeyId) ? accessKeyId : defaultAccountId;
}

export interface VerifierOptions {
  /** Keys whose secrets Wayfinder knows (test/test on loopback, --credentials). */
  credentials: Credential[];
  /** 'accept' (`--auth on`): a key Wayfinder has no secret for is taken unverified; 'refuse' (`--auth strict`). */
  unknownKeys: 'accept' | 'refuse';
  /** The account of an unknown key that is not 12 digits (--account-id). */
  defaultAccountId: string;
  /** The session keys STS issued (ASIA…): looked up per request, so a key is good as soon as STS hands it out. */
  issuedKey?: (accessKeyId: string) => IssuedKey | undefined;
  /** IAM users' long-term keys (CreateAccessKey): known secrets, so their signatures are always checked. */
  userKey?: (accessKeyId: string) => UserAccessKey | undefined;
  now?: () => number;
  maxSkewMs?: number;
}

/** The key a request names, as far as Wayfinder knows it: no secret means the signature cannot be checked. */
interface ResolvedKey {
  accountId: string;
  secretAccessKey?: string;
}

const INVALID_TOKEN = 'The security token included in the request is invalid.';

export class SigV4Verifier {
  private readonly keys = new Map<string, Credential>();
  private readonly signers = new Map<string, SignatureV4>();
  private readonly now: () => number;
  private readonly maxSkewMs: number;

  constructor(private readonly opts: VerifierOptions) {
    for (const c of opts.credentials) this.keys.set(c.accessKeyId, c);
    this.now = opts.now ?? Date.now;
    this.maxSkewMs = opts.maxSkewMs ?? 15 * 60 * 1000;
  }

  /** Verifies a request; throws AuthFailure. Returns undefined for an unsigned request (caller decides). */
  async verify(req: SignedRequest): Promise<SignedIdentity | undefined> {
    const claim = readClaim(req);
    if (!claim) return undefined;
    const scope: ClaimScope = { region: claim.region, service: claim.service, accessKeyId: claim.accessKeyId };
    if (!AWS_REGIONS.has(claim.region)) {
      throw new AuthFailure('bad-signature', `Credential should be scoped to a valid region, not '${claim.region.slice(0, 64)}'.`, scope);
    }
    // Session credentials: the token rides in X-Amz-Security-Token (a header, or the query of a presigned URL).
    const token = header(req.headers, 'x-amz-security-token') ?? req.query.get('X-Amz-Security-Token')?.[0];
    const key = this.resolveKey(claim.accessKeyId, token, scope);
    if (!claim.signedHeaders.includes('host')) {
      throw new AuthFailure('incomplete', "Signature must include the 'host' header in SignedHeaders.", scope);
    }
    // X-Amz-Target names the operation of a JSON service: unsigned, a signature for one call (a presigned
    // DescribeTaskDefinition, say) would be good for another with the same body (RunTask). AWS requires it signed too.
    if (req.headers['x-amz-target'] !== undefined && !claim.signedHeaders.includes('x-amz-target')) {
      throw new AuthFailure('incomplete', "Signature must include the 'x-amz-target' header in SignedHeaders.", scope);
    }
    // The session token is part of what is signed (SDKs sign it; a presigned URL signs it in its query), so a
    // signature cannot be replayed with another session's token.
    if (req.headers['x-amz-security-token'] !== undefined && !claim.signedHeaders.includes('x-amz-security-token')) {
      throw new AuthFailure('incomplete', "Signature must include the 'x-amz-security-token' header in SignedHeaders.", scope);
    }
    const signedAt = amzDateToMs(claim.amzDate);
    const now = this.now();
    if (claim.presigned) {
      if (now > signedAt + (claim.expiresSeconds ?? 900) * 1000 || signedAt - now > this.maxSkewMs) {
        throw new AuthFailure('expired', `Request has expired. X-Amz-Date=${claim.amzDate}, X-Amz-Expires=${claim.expiresSeconds}`, scope);
      }
    } else if (Math.abs(now - signedAt) > this.maxSkewMs) {
      const nowStr = new Date(now).toISOString().replace(/[-:]|\.\d{3}/g, '');
      throw new AuthFailure('expired', `Signature expired: ${claim.amzDate} is now earlier than ${nowStr} - 15 min.`, scope);
    }
    if (claim.date !== claim.amzDate.slice(0, 8)) {
      throw new AuthFailure('bad-signature', `Credential should be scoped to a valid date: ${claim.date} does not match ${claim.amzDate.slice(0, 8)}.`, scope);
    }
    const declaredHash = header(req.headers, 'x-amz-content-sha256');
    if (declaredHash && declaredHash !== 'UNSIGNED-PAYLOAD' && declaredHash !== sha256Hex(req.body)) {
      throw new AuthFailure('bad-signature', 'The provided x-amz-content-sha256 header does not match what was computed.', scope);
    }
    if (key.secretAccessKey !== undefined) {
      const expected = await this.expectedSignature({ accessKeyId: claim.accessKeyId, secretAccessKey: key.secretAccessKey, accountId: key.accountId }, claim, req);
      if (!sameText(expected, claim.signature)) {
        throw new AuthFailure(
          'bad-signature',
          'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
          scope,
        );
      }
    }
    return { accessKeyId: claim.accessKeyId, accountId: key.accountId, region: claim.region, service: claim.service };
  }

  /**
   * The secret and account of a key: a configured key, a session key STS issued (its token must match and be
   * unexpired), or, with `unknownKeys: 'accept'`, any other key (no secret: its signature cannot be checked).
   */
  private resolveKey(accessKeyId: string, token: string | undefined, scope: ClaimScope): ResolvedKey {
    const cred = this.keys.get(accessKeyId) ?? this.opts.userKey?.(accessKeyId);
    if (cred) {
      // A long-term key with a session token is not a pair AWS issued; `on` mode ignores a stray AWS_SESSION_TOKEN.
      if (token !== undefined && this.opts.unknownKeys === 'refuse') throw new AuthFailure('bad-token', INVALID_TOKEN, scope);
      return { accountId: cred.accountId, secretAccessKey: cred.secretAccessKey };
    }
    const issued = this.opts.issuedKey?.(accessKeyId);
    if (issued) {
      if (token === undefined || !sameText(token, issued.sessionToken)) throw new AuthFailure('bad-token', INVALID_TOKEN, scope);
      if (this.now() >= issued.expiresAt) throw new AuthFailure('expired-token', 'The security token included in the request is expired', scope);
      return { accountId: issued.accountId, secretAccessKey: issued.secretAccessKey };
    }
    if (this.opts.unknownKeys === 'refuse') throw new AuthFailure('unknown-key', INVALID_TOKEN, scope);
    return { accountId: accountOfKey(accessKeyId, this.opts.defaultAccountId) };
  }

  private async signer(cred: Credential, region: string, service: string): Promise<SignatureV4> {
    const key = `${cred.accessKeyId}\0${region}\0${service}`;
    let s = this.signers.get(key);
    if (!s) {
      // Session keys come and go (each STS call issues one): keep the cache bounded.
      if (this.signers.size >= 1024) this.signers.clear();
      const { SignatureV4 } = await loadSignatureV4();
      s = new SignatureV4({
        credentials: { accessKeyId: cred.accessKeyId, secretAccessKey: cred.secretAccessKey },
        region,
        service,
        sha256: NodeSha256,
        uriEscapePath: true,
        applyChecksum: false,
      });
      this.signers.set(key, s);
    }
    return s;
  }

  private async expectedSignature(cred: Credential, claim: SignatureClaim, req: SignedRequest): Promise<string> {
    if (!claim.presigned) {
      // The common case, computed directly (sigv4-header.ts); presigned URLs still go through the signer.
      return headerSignature({
        method: req.method,
        rawPath: req.rawPath,
        query: req.query,
        headers: req.headers,
        body: req.body,
        secretAccessKey: cred.secretAccessKey,
        region: claim.region,
        service: claim.service,
        signedHeaders: claim.signedHeaders,
        signedAtMs: amzDateToMs(claim.amzDate),
      });
    }
    // Presigned URLs (rare: a browser download, a pasted link) go through the SDK's signer.
    const signed = new Set(claim.signedHeaders);
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const v = header(req.headers, name);
      if (v !== undefined) headers[name] = v;
    }
    // Presigned: the X-Amz-* parameters presign() hoists itself are left out; the others (the security token) kept.
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of req.query) {
      if (!PRESIGN_HOISTED.has(k)) query[k] = v.length === 1 ? v[0]! : v;
    }
    const [host, port] = (headers.host ?? '').split(':');
    const request = {
      method: req.method,
      protocol: 'http:',
      hostname: host ?? '',
      port: port ? Number(port) : undefined,
      path: req.rawPath,
      query,
      headers,
      body: req.body.length ? req.body : undefined,
    };
    const signer = await this.signer(cred, claim.region, claim.service);
    const out = await signer.presign(request as never, {
      signingDate: new Date(amzDateToMs(claim.amzDate)),
      expiresIn: claim.expiresSeconds ?? 900,
      signableHeaders: signed,
      unhoistableHeaders: new Set(Object.keys(headers)),
    });
    return String(out.query?.['X-Amz-Signature'] ?? '');
  }
}

/** Constant-time comparison of two strings (signatures, session tokens). */
function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a, 'utf8');
  const y = Buffer.from(b, 'utf8');
  return x.length === y.length && timingSafeEqual(x, y);
}

export function sha256Hex(body: Buffer): string {
  return body.length ? sha256HexOf(body) : EMPTY_SHA256;
}
