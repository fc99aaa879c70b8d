// The expected signature of a header-signed SigV4 request (Authorization: AWS4-HMAC-SHA256 …), computed
// with node:crypto in one pass. Every signed control-plane request pays for this, and
// @smithy/signature-v4 (still used for presigned URLs, sigv4.ts) spent ~35 µs of CPU a request on
// cloning the request, promise chains and a fresh HMAC of the secret per call (issue 16, point 5).
// It reproduces what SigV4Verifier fed that signer, rule for rule (sigv4-header.test.ts checks them
// against it): the canonical request of the SigV4 spec, with the client's SignedHeaders, the
// X-Amz-Date as the signing time, and the `authorization` and `date` headers left out, as the
// signer leaves them out.
import * as nodeCrypto from 'node:crypto';
import { createHash, createHmac, createSecretKey, type KeyObject } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import type { QueryMap } from './query-string.js';

const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
/** Headers the signer never signs, whatever SignedHeaders says: it generates them itself. */
const GENERATED = new Set(['authorization', 'date', 'x-amz-date']);

export interface HeaderSignatureInput {
  method: string;
  rawPath: string;
  query: QueryMap;
  headers: IncomingHttpHeaders;
  body: Buffer;
  secretAccessKey: string;
  region: string;
  service: string;
  signedHeaders: readonly string[];
  /** The signing time: X-Amz-Date read as a UTC instant (amzDateToMs). */
  signedAtMs: number;
}

/** RFC 3986 encoding as the SDKs do it (encodeURIComponent, plus !'()*). */
function escapeUri(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The path with empty and `.` segments dropped, `..` applied, then encoded again (SDKs double-encode). */
function canonicalPath(path: string): string {
  if (path === '/') return '/'; // every JSON and query call: what the rules below give for it
  const segments: string[] = [];
  for (const s of path.split('/')) {
    if (s === '' || s === '.') continue;
    if (s === '..') segments.pop();
    else segments.push(s);
  }
  const normalized = `${path.startsWith('/') ? '/' : ''}${segments.join('/')}${segments.length > 0 && path.endsWith('/') ? '/' : ''}`;
  return escapeUri(normalized).replace(/%2F/g, '/');
}

function canonicalQuery(query: QueryMap): string {
  if (query.size === 0) return '';
  const parts: Array<[string, string]> = [];
  for (const [k, values] of query) {
    if (values.length === 0 || k.toLowerCase() === 'x-amz-signature') continue;
    const key = escapeUri(k);
    const encoded =
      values.length === 1
        ? `${key}=${escapeUri(values[0]!)}`
        : values
            .map((v) => `${key}=${escapeUri(v)}`)
            .sort()
            .join('&');
    parts.push([key, encoded]);
  }
  parts.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  return parts.map((p) => p[1]).join('&');
}

/** What canonicalValue changes: line breaks, tabs, runs of spaces, a space at either end. */
const NOT_CANONICAL = /[\r\n\t]| {2}|^ | $/;

function canonicalValue(v: string | string[]): string {
  const s = Array.isArray(v) ? v.join(',') : v;
  if (!NOT_CANONICAL.test(s)) return s;
  return s
    .replace(/[\r\n]/g, ' ')
    .replace(/[ \t]+/g, ' ')
    .replace(/^ | $/g, '');
}

const signingKeys = new Map<string, KeyObject>();

/**
 * kSigning = HMAC chain over date, region, service; cached: it changes once a day per key and scope.
 * Kept as a KeyObject: an HMAC keyed by one skips importing the key bytes per call.
 */
function signingKey(secret: string, shortDate: string, region: string, service: string): KeyObject {
  const id = `${shortDate}\0${region}\0${service}\0${secret}`;
  let key = signingKeys.get(id);
  if (!key) {
    if (signingKeys.size >= 1024) signingKeys.clear(); // session keys come and go: keep it bounded
    let bytes = createHmac('sha256', `AWS4${secret}`).update(shortDate).digest();
    for (const part of [region, service, 'aws4_request']) bytes = createHmac('sha256', bytes).update(part).digest();
    key = createSecretKey(bytes);
    signingKeys.set(id, key);
  }
  return key;
}

/** SHA-256 in hex, one shot (crypto.hash, Node ≥ 20.12: no Hash object per call), else through a Hash. */
const oneShot = (nodeCrypto as { hash?: (algorithm: string, data: string | Buffer, encoding: 'hex') => string }).hash;
export const sha256HexOf: (data: string | Buffer) => string =
  typeof oneShot === 'function' ? (data) => oneShot('sha256', data, 'hex') : (data) => createHash('sha256').update(data).digest('hex');

const pad2 = (n: number): string => (n < 10 ? `0${n}` : `${n}`);

/** yyyymmddThhmmssZ of an instant, as `toISOString()` without separators and milliseconds would give. */
function amzDateOf(ms: number): string {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  // Years outside 0000–9999 are written by toISOString with a sign and six digits: leave those to it.
  if (y < 0 || y > 9999)
    return d
      .toISOString()
      .replace(/\.\d{3}Z$/, 'Z')
      .replace(/[-:]/g, '');
  return `${String(y).padStart(4, '0')}${pad2(d.getUTCMonth() + 1)}${pad2(d.getUTCDate())}T${pad2(d.getUTCHours())}${pad2(d.getUTCMinutes())}${pad2(d.getUTCSeconds())}Z`;
}

export function headerSignature(x: HeaderSignatureInput): string {
  // The date as the signer formats it (an out-of-range field such as second 60 rolls over, as before).
  const amzDate = amzDateOf(x.signedAtMs);
  const names: string[] = ['x-amz-date'];
  for (const n of new Set(x.signedHeaders)) if (!GENERATED.has(n) && x.headers[n] !== undefined) names.push(n);
  names.sort();
  let headerBlock = '';
  for (const n of names) headerBlock += `${n}:${n === 'x-amz-date' ? amzDate : canonicalValue(x.headers[n]!)}\n`;
  // A signed X-Amz-Content-SHA256 is taken as the payload hash as it stands (its match with the body is
  // checked before this).
  const sha = x.headers['x-amz-content-sha256'];
  const declared = names.includes('x-amz-content-sha256') && sha !== undefined ? (Array.isArray(sha) ? sha.join(',') : sha) : undefined;
  const payloadHash = declared ?? (x.body.length ? sha256HexOf(x.body) : EMPTY_SHA256);
  const canonical = `${x.method}\n${canonicalPath(x.rawPath)}\n${canonicalQuery(x.query)}\n${headerBlock}\n${names.join(';')}\n${payloadHash}`;
  const shortDate = amzDate.slice(0, 8);
  const scope = `${shortDate}/${x.region}/${x.service}/aws4_request`;
  const stringToSign = `AWS4-HMAC-SHA256\n${amzDate}\n${scope}\n${sha256HexOf(canonical)}`;
  return createHmac('sha256', signingKey(x.secretAccessKey, shortDate, x.region, x.service))
    .update(stringToSign)
    .digest('hex');
}
