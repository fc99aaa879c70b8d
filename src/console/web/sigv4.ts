// Signature Version 4 for requests the console sends with fetch, on WebCrypto. A hand-written signer
// (about 60 lines) instead of the SDK's bundled clients: no bundler and no new dependency in the build,
// and the page's scripts stay readable as shipped (docs/console.md). The browser sets Host itself;
// we sign exactly the Host it will send (location.host, the page's own origin).

export interface Credentials {
  accessKeyId: string;
  secretAccessKey: string;
}

const enc = new TextEncoder();

function hex(buf: ArrayBuffer): string {
  return [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, '0')).join('');
}

async function sha256(data: string): Promise<string> {
  return hex(await crypto.subtle.digest('SHA-256', enc.encode(data)));
}

async function hmac(key: BufferSource, data: string): Promise<ArrayBuffer> {
  const k = await crypto.subtle.importKey('raw', key, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
  return crypto.subtle.sign('HMAC', k, enc.encode(data));
}

/** RFC 3986 escaping, as SigV4 wants it (encodeURIComponent leaves !'()* alone). */
export function rfc3986(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

export interface SignInput {
  method: string;
  /** The path as sent (already escaped). */
  path: string;
  query: URLSearchParams;
  headers: Record<string, string>;
  body: string;
  region: string;
  service: string;
}

/** Returns the headers to send: the input's, plus x-amz-date and authorization. */
export async function sign(req: SignInput, creds: Credentials, now = new Date()): Promise<Record<string, string>> {
  const amzDate = now
    .toISOString()
    .replace(/[-:]/g, '')
    .replace(/\.\d{3}/, '');
  const day = amzDate.slice(0, 8);
  const headers: Record<string, string> = { ...req.headers, 'x-amz-date': amzDate };
  const toSign: Record<string, string> = { host: location.host };
  for (const [k, v] of Object.entries(headers)) if (k === 'x-amz-date' || k === 'x-amz-target') toSign[k] = v.trim();
  const names = Object.keys(toSign).sort();
  const canonicalHeaders = names.map((n) => `${n}:${toSign[n]}\n`).join('');
  const signedHeaders = names.join(';');
  // Non-S3 services escape each path segment once more (the path as sent is already escaped).
  const canonicalPath = req.path.split('/').map(rfc3986).join('/');
  const canonicalQuery = [...req.query.entries()]
    .map(([k, v]) => [rfc3986(k), rfc3986(v)] as const)
    .sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
  const canonical = [req.method, canonicalPath, canonicalQuery, canonicalHeaders, signedHeaders, await sha256(req.body)].join('\n');
  const scope = `${day}/${req.region}/${req.service}/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, scope, await sha256(canonical)].join('\n');
  let key = await hmac(enc.encode(`AWS4${creds.secretAccessKey}`), day);
  for (const part of [req.region, req.service, 'aws4_request']) key = await hmac(key, part);
  const signature = hex(await hmac(key, stringToSign));
  headers.authorization = `AWS4-HMAC-SHA256 Credential=${creds.accessKeyId}/${scope}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
  return headers;
}
