// Test support for the ECR registry: raw HTTP to the OCI Distribution endpoints (what docker and
// skopeo send), a registry password from the real GetAuthorizationToken, and small images built in
// memory (config + layers + manifest) to push.
import { createHash, randomBytes } from 'node:crypto';
import { request } from 'node:http';
import * as E from '@aws-sdk/client-ecr';

export interface OciResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
  json<T = Record<string, unknown>>(): T;
  /** The OCI error code of an error body ('' when none). */
  code: string;
}

export function digest(data: Buffer | string): string {
  return `sha256:${createHash('sha256').update(data).digest('hex')}`;
}

/** The `AWS:<password>` pair of GetAuthorizationToken, as `Authorization: Basic …`. */
export async function basicAuth(ecr: E.ECRClient): Promise<string> {
  const out = await ecr.send(new E.GetAuthorizationTokenCommand({}));
  return `Basic ${out.authorizationData![0]!.authorizationToken!}`;
}

export function oci(
  port: number,
  opts: { method?: string; path: string; auth?: string; headers?: Record<string, string>; body?: Buffer | string; host?: string },
): Promise<OciResponse> {
  return new Promise((resolve, reject) => {
    const headers: Record<string, string> = { host: opts.host ?? `localhost:${port}`, ...(opts.headers ?? {}) };
    if (opts.auth) headers.authorization = opts.auth;
    const req = request({ host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const body = Buffer.concat(chunks);
        let code = '';
        try {
          code = (JSON.parse(body.toString('utf8')) as { errors?: Array<{ code: string }> }).errors?.[0]?.code ?? '';
        } catch {
          /* not an error body */
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body, json: <T>() => JSON.parse(body.toString('utf8')) as T, code });
      });
      res.on('error', reject);
    });
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(opts.body);
  });
}

/** Pushes a blob in one POST (monolithic upload); returns its digest. */
export async function pushBlob(port: number, auth: string, repo: string, data: Buffer): Promise<string> {
  const d = digest(data);
  const r = await oci(port, { method: 'POST', path: `/v2/${repo}/blobs/uploads/?digest=${d}`, auth, body: data, headers: { 'content-type': 'application/octet-stream' } });
  if (r.status !== 201) throw new Error(`blob push failed: ${r.status} ${r.body.toString()}`);
  return d;
}

export interface TestImage {
  config: Buffer;
  layers: Buffer[];
  manifest: Buffer;
  digest: string;
  mediaType: string;
}

/** A small OCI image whose bytes differ every call (a fresh random layer). */
export function makeImage(layerBytes = 2048, extra: Record<string, unknown> = {}): TestImage {
  const layer = randomBytes(layerBytes);
  const config = Buffer.from(JSON.stringify({ architecture: 'amd64', os: 'linux', rootfs: { type: 'layers', diff_ids: [digest(layer)] } }));
  const mediaType = 'application/vnd.oci.image.manifest.v1+json';
  const manifest = Buffer.from(
    JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: digest(config), size: config.length },
      layers: [{ mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip', digest: digest(layer), size: layer.length }],
      ...extra,
    }),
  );
  return { config, layers: [layer], manifest, digest: digest(manifest), mediaType };
}

/** Pushes an image's blobs and its manifest under `reference`; returns the manifest response. */
export async function pushImage(port: number, auth: string, repo: string, img: TestImage, reference: string): Promise<OciResponse> {
  await pushBlob(port, auth, repo, img.config);
  for (const l of img.layers) await pushBlob(port, auth, repo, l);
  return oci(port, { method: 'PUT', path: `/v2/${repo}/manifests/${reference}`, auth, body: img.manifest, headers: { 'content-type': img.mediaType } });
}
