// The OCI Distribution Spec v1.1 registry on the edge port: what docker, podman, skopeo and crane
// speak. Basic auth with the ECR password (user `AWS`); blobs stream between socket and disk; every
// rule about images lives in registry.ts, shared with the ECR API.
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from '../../kernel/log.js';
import { BodyTooLargeError, readBody } from '../../protocol/body.js';
import { DigestMismatch, isDigest, UploadTooLarge } from '../blobs.js';
import { MANIFEST_LIMIT, OCI_INDEX } from '../manifests.js';
import { maxLayerBytes } from '../quotas.js';
import { type Registry, RegistryError } from '../registry.js';
import type { RepoRef } from '../store.js';
import { basicPassword, type TokenClaims, verifyPassword } from '../tokens.js';
import { OciError, sendOciError } from './oci-errors.js';
import { parseRegistryPath, REGISTRY_HOST, type RegistryPath } from './paths.js';
import { exemptFromRequestTimeout } from './upload-timeout.js';

const API_VERSION = { 'docker-distribution-api-version': 'registry/2.0' };
/** Largest page of tags/list and _catalog (distribution's default limit). */
const PAGE_MAX = 1000;

export interface RegistryHandlerDeps {
  registry: Registry;
  secret: () => string;
  logger: Logger;
  /**
   * The control plane's Host and Origin rules (SECURITY.md): why a request must not reach the registry, or
   * undefined. The ECR password is the registry's real guard; this keeps a web page from even trying it.
   */
  admit?: (req: IncomingMessage) => string | undefined;
  /** Idle limit of an upload request (upload-timeout.ts). */
  uploadIdleMs: number;
}

function queryOf(url: string): URLSearchParams {
  const q = url.indexOf('?');
  return new URLSearchParams(q < 0 ? '' : url.slice(q + 1));
}

function hostOf(req: IncomingMessage): string {
  return req.headers.host ?? 'localhost';
}

export class RegistryHandler {
  constructor(private readonly deps: RegistryHandlerDeps) {}

  readonly handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    try {
      await this.serve(req, res);
    } catch (e) {
      if (res.headersSent) {
        res.destroy();
        return;
      }
      if (!(e instanceof OciError)) {
        this.deps.logger.error({ err: e, url: req.url }, 'ecr registry: request failed');
        const body = JSON.stringify({ errors: [{ code: 'UNKNOWN', message: 'unknown error', detail: null }] });
        res.writeHead(500, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), connection: 'close' }).end(body);
        req.resume();
        return;
      }
      // A body the answer does not need is not read: the connection closes after it.
      if (!req.readableEnded && !req.complete) {
        res.setHeader('connection', 'close');
        req.resume();
      }
      sendOciError(res, e, req.method);
    }
  };

  private authenticate(req: IncomingMessage, path: RegistryPath | undefined): TokenClaims {
    const now = Date.now();
    const host = hostOf(req);
    const challenge = { 'www-authenticate': `Basic realm="${host.replace(/["\\]/g, '')}"`, ...API_VERSION };
    const password = basicPassword(req.headers.authorization);
    let claims = password === undefined ? undefined : verifyPassword(this.deps.secret(), password, now);
    // GetDownloadUrlForLayer's URL carries the password in its query, as S3's presigned URLs do.
    if (!claims && path?.kind === 'blob' && (req.method === 'GET' || req.method === 'HEAD')) {
      const t = queryOf(req.url ?? '').get('X-Wayfinder-Token');
      if (t) claims = verifyPassword(this.deps.secret(), t, now);
    }
    if (!claims) {
      const why = password === undefined ? 'authentication required' : 'the password is not a valid, unexpired ECR token (aws ecr get-login-password)';
      throw new OciError('UNAUTHORIZED', why, null, 401, challenge);
    }
    const hostName = host.replace(/:\d+$/, '').toLowerCase();
    const m = REGISTRY_HOST.exec(hostName);
    if (m && (m[1] !== claims.account || m[2] !== claims.region)) {
      throw new OciError('DENIED', `the token is for the registry of account ${claims.account} in ${claims.region}, not ${m[1]} in ${m[2]}`);
    }
    return claims;
  }

  private async serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Before the password is looked at, so a refused page learns nothing about it.
    const refused = this.deps.admit?.(req);
    if (refused) throw new OciError('DENIED', refused);
    const url = req.url ?? '/';
    const method = req.method ?? 'GET';
    let path: RegistryPath | undefined;
    let pathError: unknown;
    try {
      path = parseRegistryPath(url);
    } catch (e) {
      pathError = e;
    }
    const claims = this.authenticate(req, path);
    if (pathError) throw pathError;
    if (!path) throw new OciError('UNSUPPORTED', 'the operation is unsupported', null, 404);
    if (path.kind === 'base') {
      res.writeHead(200, { ...API_VERSION, 'content-type': 'application/json', 'content-length': 2 }).end(method === 'HEAD' ? undefined : '{}');
      return;
    }
    if (path.kind === 'catalog') return this.catalog(req, res, claims);
    const r: RepoRef = { account: claims.account, region: claims.region, name: path.name };
    if (!this.deps.registry.store.repository(r)) {
      throw new OciError('NAME_UNKNOWN', `The repository with name '${r.name}' does not exist in the registry with id '${r.account}'`, { name: r.name });
    }
    switch (path.kind) {
      case 'blob':
        if (method === 'GET' || method === 'HEAD') return this.getBlob(req, res, r, path.digest);
        if (method === 'DELETE') throw new OciError('UNSUPPORTED', 'ECR does not delete layers: delete the images that use them (BatchDeleteImage)');
        break;
      case 'uploads':
        if (method === 'POST') return this.startUpload(req, res, r);
        break;
      case 'upload':
        return this.continueUpload(req, res, r, path.id, method);
      case 'manifest':
        if (method === 'GET' || method === 'HEAD') return this.getManifest(req, res, r, path.reference);
        if (method === 'PUT') return this.putManifest(req, res, r, path.reference);
        if (method === 'DELETE') return this.deleteManifest(res, r, path.reference);
        break;
      case 'tags':
        if (method === 'GET') return this.tags(req, res, r);
        break;
      case 'referrers':
        if (method === 'GET') return this.referrers(req, res, r, path.digest);
        break;
    }
    throw new OciError('UNSUPPORTED', `${method} is not supported here`);
  }

  private catalog(req: IncomingMessage, res: ServerResponse, claims: TokenClaims): void {
    const names = this.deps.registry.store.catalog(claims.account, claims.region);
    const { items, link } = pageOf(names, queryOf(req.url ?? ''), '/v2/_catalog');
    sendJson(res, req.method, { repositories: items }, link ? { link } : {});
  }

  private tags(req: IncomingMessage, res: ServerResponse, r: RepoRef): void {
    const { items, link } = pageOf(this.deps.registry.store.tags(r), queryOf(req.url ?? ''), `/v2/${r.name}/tags/list`);
    sendJson(res, req.method, { name: r.name, tags: items }, link ? { link } : {});
  }

  private async getBlob(req: IncomingMessage, res: ServerResponse, r: RepoRef, digest: string): Promise<void> {
    const size = this.deps.registry.blobSize(r, digest);
    if (size === undefined) throw new OciError('BLOB_UNKNOWN', 'blob unknown to registry', { digest });
    const headers: Record<string, string | number> = {
      ...API_VERSION,
      'content-type': 'application/octet-stream',
      'docker-content-digest': digest,
      etag: `"${digest}"`,
      'accept-ranges': 'bytes',
      'cache-control': 'max-age=31536000',
    };
    const range = parseRange(req.headers.range, size);
    if (range === 'invalid') throw new OciError('RANGE_INVALID', 'the requested range is not satisfiable', null, 416, { 'content-range': `bytes */${size}` });
    if (req.method === 'HEAD') {
      res.writeHead(200, { ...headers, 'content-length': size }).end();
      return;
    }
    if (range) {
      res.writeHead(206, { ...headers, 'content-length': range.end - range.start + 1, 'content-range': `bytes ${range.start}-${range.end}/${size}` });
    } else res.writeHead(200, { ...headers, 'content-length': size });
    if (size === 0) {
      res.end();
      return;
    }
    await this.deps.registry.blobs.sendTo(res, digest, range ?? undefined);
    res.end();
  }

  private async startUpload(req: IncomingMessage, res: ServerResponse, r: RepoRef): Promise<void> {
    const q = queryOf(req.url ?? '');
    const mount = q.get('mount');
    const registry = this.deps.registry;
    if (mount !== null) {
      const from = q.get('from');
      if (isDigest(mount) && from) {
        const size = registry.blobSize({ ...r, name: from }, mount);
        if (size !== undefined) {
          registry.linkBlob(r, mount, size);
          req.resume();
          res.writeHead(201, { ...API_VERSION, location: `/v2/${r.name}/blobs/${mount}`, 'docker-content-digest': mount, 'content-length': 0 }).end();
          return;
        }
      }
      // Not mountable: an ordinary upload session, as the spec asks.
    }
    const digest = q.get('digest');
    if (digest !== null) {
      // Checked before the upload exists, so a refused POST leaves no upload behind.
      if (!isDigest(digest)) throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: digest.slice(0, 200) });
      refuseOverLayerLimit(req, 0);
    }
    const id = registry.blobs.newUploadId();
    registry.blobs.startUpload(id);
    const now = Date.now();
    const upload = { id, account: r.account, region: r.region, repo: r.name, startedAt: now, touchedAt: now, size: 0, parts: 0 };
    registry.store.tx(() => registry.store.putUpload(upload));
    if (digest !== null) {
      // Monolithic: the whole blob in this POST.
      await this.appendBody(req, id);
      await this.finish(res, r, id, digest);
      return;
    }
    req.resume();
    res.writeHead(202, { ...API_VERSION, location: `/v2/${r.name}/blobs/uploads/${id}`, 'docker-upload-uuid': id, range: '0-0', 'content-length': 0 }).end();
  }

  private async continueUpload(req: IncomingMessage, res: ServerResponse, r: RepoRef, id: string, method: string): Promise<void> {
    const registry = this.deps.registry;
    const u = registry.store.upload(id);
    if (!u || u.account !== r.account || u.region !== r.region || u.repo !== r.name) throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry', { uuid: id });
    const location = `/v2/${r.name}/blobs/uploads/${id}`;
    const progress = (size: number) => ({ ...API_VERSION, location, 'docker-upload-uuid': id, range: `0-${Math.max(0, size - 1)}`, 'content-length': 0 });
    if (method === 'GET') {
      res.writeHead(204, progress(registry.blobs.uploadSize(id) ?? 0)).end();
      return;
    }
    if (method === 'DELETE') {
      registry.store.tx(() => registry.store.deleteUpload(id));
      registry.blobs.dropUpload(id);
      res.writeHead(204, { ...API_VERSION, 'content-length': 0 }).end();
      return;
    }
    if (method === 'PATCH') {
      const current = registry.blobs.uploadSize(id) ?? 0;
      const cr = req.headers['content-range'];
      if (cr !== undefined) {
        const m = /^(?:bytes )?(\d+)-(\d+)$/.exec(cr.trim());
        if (!m || Number(m[1]) !== current || Number(m[2]) < Number(m[1])) {
          throw new OciError('RANGE_INVALID', `the chunk must start at byte ${current}`, null, 416, progress(current) as unknown as Record<string, string>);
        }
        if (Number(m[2]) + 1 > maxLayerBytes()) throw layerTooLarge();
        const declared = Number(m[2]) - Number(m[1]) + 1;
        const length = req.headers['content-length'];
        if (length !== undefined && Number(length) !== declared) throw new OciError('SIZE_INVALID', 'Content-Length does not match Content-Range');
      }
      refuseOverLayerLimit(req, current);
      const size = await this.appendBody(req, id);
      registry.store.tx(() => registry.store.putUpload({ ...u, touchedAt: Date.now(), size, parts: u.parts + 1 }));
      res.writeHead(202, progress(size)).end();
      return;
    }
    if (method === 'PUT') {
      const digest = queryOf(req.url ?? '').get('digest');
      if (digest === null || !isDigest(digest)) throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: digest?.slice(0, 200) ?? null });
      refuseOverLayerLimit(req, registry.blobs.uploadSize(id) ?? 0);
      await this.appendBody(req, id);
      await this.finish(res, r, id, digest);
      return;
    }
    throw new OciError('UNSUPPORTED', `${method} is not supported on an upload`);
  }

  private async appendBody(req: IncomingMessage, id: string): Promise<number> {
    const endIdleLimit = exemptFromRequestTimeout(req, this.deps.uploadIdleMs);
    const registry = this.deps.registry;
    try {
      return await registry.blobs.append(id, req, maxLayerBytes());
    } catch (e) {
      if (!(e instanceof UploadTooLarge)) throw e;
      // Counted as the bytes arrived (a chunked body declares no length): the upload goes, and its
      // file with it, so an endless body cannot fill the disk.
      registry.store.tx(() => registry.store.deleteUpload(id));
      registry.blobs.dropUpload(id);
      throw layerTooLarge();
    } finally {
      endIdleLimit();
    }
  }

  /** Verifies the finished upload against its digest and makes it a blob of the repository. */
  private async finish(res: ServerResponse, r: RepoRef, id: string, digest: string): Promise<void> {
    const registry = this.deps.registry;
    let size: number;
    try {
      size = await registry.blobs.complete(id, digest);
    } catch (e) {
      registry.store.tx(() => registry.store.deleteUpload(id));
      if (e instanceof DigestMismatch) throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest });
      throw e;
    }
    registry.store.tx(() => {
      registry.store.deleteUpload(id);
      registry.store.link(r, digest, size, Date.now());
    });
    res.writeHead(201, { ...API_VERSION, location: `/v2/${r.name}/blobs/${digest}`, 'docker-content-digest': digest, 'content-length': 0 }).end();
  }

  private getManifest(req: IncomingMessage, res: ServerResponse, r: RepoRef, reference: string): void {
    const img = this.deps.registry.manifest(r, reference);
    if (!img) throw new OciError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { name: r.name, reference });
    res.writeHead(200, {
      ...API_VERSION,
      'content-type': img.mediaType,
      'content-length': img.manifest.length,
      'docker-content-digest': img.digest,
      etag: `"${img.digest}"`,
    });
    res.end(req.method === 'HEAD' ? undefined : img.manifest);
  }

  private async putManifest(req: IncomingMessage, res: ServerResponse, r: RepoRef, reference: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readBody(req, MANIFEST_LIMIT);
    } catch (e) {
      if (e instanceof BodyTooLargeError) throw new OciError('MANIFEST_INVALID', `manifest invalid: larger than ${MANIFEST_LIMIT} bytes`, null, 413);
      throw e;
    }
    const byDigest = isDigest(reference);
    let put: { digest: string };
    try {
      put = this.deps.registry.putManifest(r, body, req.headers['content-type'], byDigest ? undefined : reference, byDigest ? reference : undefined);
    } catch (e) {
      if (!(e instanceof RegistryError)) throw e;
      switch (e.kind) {
        case 'MANIFEST_INVALID':
          throw new OciError('MANIFEST_INVALID', `manifest invalid: ${e.message}`);
        case 'DIGEST_INVALID':
          throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { reason: e.message });
        case 'MANIFEST_BLOB_UNKNOWN':
          throw new OciError('MANIFEST_BLOB_UNKNOWN', e.message, { digests: e.detail });
        case 'TAG_IMMUTABLE':
          throw new OciError('TAG_INVALID', e.message, { tag: reference });
        default:
          throw new OciError('MANIFEST_INVALID', e.message);
      }
    }
    const img = this.deps.registry.store.image(r, put.digest);
    res.writeHead(201, {
      ...API_VERSION,
      location: `/v2/${r.name}/manifests/${put.digest}`,
      'docker-content-digest': put.digest,
      ...(img?.subject ? { 'oci-subject': img.subject } : {}),
      'content-length': 0,
    });
    res.end();
  }

  private deleteManifest(res: ServerResponse, r: RepoRef, reference: string): void {
    const registry = this.deps.registry;
    if (!isDigest(reference)) {
      if (registry.store.tagDigest(r, reference) === undefined) throw new OciError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { name: r.name, reference });
      registry.untag(r, reference);
    } else {
      if (!registry.store.image(r, reference)) throw new OciError('MANIFEST_UNKNOWN', 'manifest unknown to registry', { name: r.name, reference });
      try {
        registry.deleteImage(r, reference);
      } catch (e) {
        if (e instanceof RegistryError && e.kind === 'MANIFEST_REFERENCED') throw new OciError('DENIED', e.message, null, 409);
        throw e;
      }
    }
    res.writeHead(202, { ...API_VERSION, 'content-length': 0 }).end();
  }

  private referrers(req: IncomingMessage, res: ServerResponse, r: RepoRef, digest: string): void {
    const want = queryOf(req.url ?? '').get('artifactType');
    const manifests = this.deps.registry.store
      .referrers(r, digest)
      .filter((img) => want === null || img.artifactType === want)
      .map((img) => {
        let annotations: Record<string, string> | undefined;
        try {
          annotations = (JSON.parse(img.manifest.toString('utf8')) as { annotations?: Record<string, string> }).annotations;
        } catch {
          /* stored manifests are JSON */
        }
        return {
          mediaType: img.mediaType,
          digest: img.digest,
          size: img.manifest.length,
          ...(img.artifactType ? { artifactType: img.artifactType } : {}),
          ...(annotations ? { annotations } : {}),
        };
      });
    const body = Buffer.from(JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests }));
    res.writeHead(200, { ...API_VERSION, 'content-type': OCI_INDEX, 'content-length': body.length, ...(want !== null ? { 'oci-filters-applied': 'artifactType' } : {}) });
    res.end(req.method === 'HEAD' ? undefined : body);
  }
}

function sendJson(res: ServerResponse, method: string | undefined, body: unknown, headers: Record<string, string>): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { ...API_VERSION, ...headers, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text) });
  res.end(method === 'HEAD' ? undefined : text);
}

/** The spec's `n` / `last` pagination, with a Link header to the next page. */
function pageOf(all: readonly string[], q: URLSearchParams, base: string): { items: string[]; link?: string } {
  const last = q.get('last');
  const nRaw = q.get('n');
  let n = PAGE_MAX;
  if (nRaw !== null) {
    if (!/^\d{1,9}$/.test(nRaw)) throw new OciError('PAGINATION_NUMBER_INVALID', 'invalid number of results requested', { n: nRaw.slice(0, 20) });
    n = Math.min(Number(nRaw), PAGE_MAX);
  }
  const sorted = [...all].sort();
  const from = last === null ? sorted : sorted.filter((t) => t > last);
  const items = from.slice(0, n);
  if (n === 0 || items.length === 0 || from.length <= n) return { items };
  return { items, link: `<${base}?n=${n}&last=${encodeURIComponent(items[items.length - 1]!)}>; rel="next"` };
}

/** A single `bytes=a-b` range (what clients resuming a layer send); null for none, 'invalid' when unsatisfiable. */
function parseRange(header: string | undefined, size: number): { start: number; end: number } | null | 'invalid' {
  if (!header) return null;
  const m = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return null;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'invalid';
    start = Math.max(0, size - suffix);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  }
  if (start >= size || start > end) return 'invalid';
  return { start, end };
}

/** ECR's "Maximum layer size" quota, over the OCI error shape (413, as a manifest over its limit). */
function layerTooLarge(): OciError {
  const mib = Math.floor(maxLayerBytes() / (1024 * 1024));
  return new OciError('SIZE_INVALID', `blob upload exceeds the maximum layer size of ${mib} MiB`, { maxLayerBytes: maxLayerBytes() }, 413);
}

/** Refuses, before reading it, a body whose Content-Length would take the upload past the layer quota. */
function refuseOverLayerLimit(req: IncomingMessage, current: number): void {
  const length = req.headers['content-length'];
  if (length !== undefined && current + Number(length) > maxLayerBytes()) throw layerTooLarge();
}
