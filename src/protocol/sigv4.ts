// SigV4 verification, header and presigned-query forms. The signing maths is @smithy/signature-v4's
// (the same code the JS SDK signs with); this file only rebuilds the request exactly as the client
// signed it (its SignedHeaders, its date, its scope) and compares signatures in constant time.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { NodeSha256 } from './node-sha256.js';
import { SignatureV4 } from '@smithy/signature-v4';
import type { QueryMap } from './query-string.js';
import { AWS_REGIONS } from '../kernel/regions.js';

export interface Credential {
  accessKeyId: string;
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

export type AuthFailureKind = 'missing' | 'incomplete' | 'unknown-key' | 'bad-signature' | 'expired' | 'bad-presign';

export class AuthFailure extends Error {
  constructor(
    readonly kind: AuthFailureKind,
    message: string,
    readonly scope?: { region: string; service: string },
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

const ALGORITHM = 'AWS4-HMAC-SHA256';
const MAX_PRESIGN_SECONDS = 604_800;
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

/** Reads the signature claim of a request; `undefined` when the request carries no signature at all. */
export function readClaim(req: Pick<SignedRequest, 'headers' | 'query'>): SignatureClaim | undefined {
  const auth = header(req.headers, 'authorization');
  if (auth !== undefined) {
    if (!auth.startsWith(ALGORITHM + ' ')) {
      throw new AuthFailure('incomplete', `Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header and a '${ALGORITHM}' algorithm.`);
    }
    const fields: Record<string, string> = {};
    for (const part of auth.slice(ALGORITHM.length + 1).split(',')) {
      const eq = part.indexOf('=');
      if (eq > 0) fields[part.slice(0, eq).trim()] = part.slice(eq + 1).trim();
    }
    const cred = fields.Credential ? parseCredential(fields.Credential) : undefined;
    const missing = ['Credential', 'SignedHeaders', 'Signature'].filter((k) => !fields[k]);
    if (missing.length || !cred) {
      const what = missing.length ? missing.map((m) => `'${m}'`).join(', ') : "a well-formed 'Credential'";
      throw new AuthFailure('incomplete', `Authorization header requires ${what} parameter. Authorization=${auth.slice(0, 200)}`);
    }
    const amzDate = header(req.headers, 'x-amz-date') ?? '';
    if (!AMZ_DATE.test(amzDate)) {
      throw new AuthFailure('incomplete', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.", cred);
    }
    return {
      ...cred,
      signedHeaders: fields.SignedHeaders!.split(';'),
      signature: fields.Signature!,
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

export class SigV4Verifier {
  private readonly keys = new Map<string, Credential>();
  private readonly signers = new Map<string, SignatureV4>();

  constructor(
    credentials: Credential[],
    private readonly now: () => number = Date.now,
    private readonly maxSkewMs = 15 * 60 * 1000,
  ) {
    for (const c of credentials) this.keys.set(c.accessKeyId, c);
  }

  /** Verifies a request; throws AuthFailure. Returns undefined for an unsigned request (caller decides). */
  async verify(req: SignedRequest): Promise<SignedIdentity | undefined> {
    const claim = readClaim(req);
    if (!claim) return undefined;
    const scope = { region: claim.region, service: claim.service };
    if (!AWS_REGIONS.has(claim.region)) {
      throw new AuthFailure('bad-signature', `Credential should be scoped to a valid region, not '${claim.region.slice(0, 64)}'.`, scope);
    }
    const cred = this.keys.get(claim.accessKeyId);
    if (!cred) throw new AuthFailure('unknown-key', 'The security token included in the request is invalid.', scope);
    if (!claim.signedHeaders.includes('host')) {
      throw new AuthFailure('incomplete', "Signature must include the 'host' header in SignedHeaders.", scope);
    }
    // X-Amz-Target names the operation of a JSON service: unsigned, a signature for one call (a presigned
    // DescribeTaskDefinition, say) would be good for another with the same body (RunTask). AWS requires it signed too.
    if (req.headers['x-amz-target'] !== undefined && !claim.signedHeaders.includes('x-amz-target')) {
      throw new AuthFailure('incomplete', "Signature must include the 'x-amz-target' header in SignedHeaders.", scope);
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
    const expected = await this.expectedSignature(cred, claim, req);
    const a = Buffer.from(expected, 'utf8');
    const b = Buffer.from(claim.signature, 'utf8');
    if (a.length !== b.length || !timingSafeEqual(a, b)) {
      throw new AuthFailure(
        'bad-signature',
        'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.',
        scope,
      );
    }
    return { accessKeyId: cred.accessKeyId, accountId: cred.accountId, region: claim.region, service: claim.service };
  }

  private signer(cred: Credential, region: string, service: string): SignatureV4 {
    const key = `${cred.accessKeyId}\0${region}\0${service}`;
    let s = this.signers.get(key);
    if (!s) {
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
    const signed = new Set(claim.signedHeaders);
    const headers: Record<string, string> = {};
    for (const name of signed) {
      const v = header(req.headers, name);
      if (v !== undefined) headers[name] = v;
    }
    const query: Record<string, string | string[]> = {};
    for (const [k, v] of req.query) {
      if (claim.presigned && (k === 'X-Amz-Signature' || k.startsWith('X-Amz-'))) continue;
      query[k] = v.length === 1 ? v[0]! : v;
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
    const signer = this.signer(cred, claim.region, claim.service);
    const signingDate = new Date(amzDateToMs(claim.amzDate));
    if (claim.presigned) {
      // Presigned: the hoisted X-Amz-* parameters are re-added by presign() from the same inputs.
      for (const [k, v] of req.query) {
        if (k.startsWith('X-Amz-') && !['X-Amz-Signature', 'X-Amz-Algorithm', 'X-Amz-Credential', 'X-Amz-Date', 'X-Amz-Expires', 'X-Amz-SignedHeaders'].includes(k)) {
          query[k] = v.length === 1 ? v[0]! : v;
        }
      }
      const out = await signer.presign(request as never, {
        signingDate,
        expiresIn: claim.expiresSeconds ?? 900,
        signableHeaders: signed,
        unhoistableHeaders: new Set(Object.keys(headers)),
      });
      return String(out.query?.['X-Amz-Signature'] ?? '');
    }
    const out = await signer.sign(request as never, { signingDate, signableHeaders: signed });
    const auth = String(out.headers.authorization ?? out.headers.Authorization);
    return /Signature=([0-9a-f]+)/.exec(auth)?.[1] ?? '';
  }
}

export function sha256Hex(body: Buffer): string {
  return body.length ? createHash('sha256').update(body).digest('hex') : EMPTY_SHA256;
}
