// Which requests are the registry's, and what their path names. The registry answers
//   - on its own host, `<account>.dkr.ecr.<region>.localhost[:port]` (AWS's name with `localhost` for
//     `amazonaws.com`), every path;
//   - on a control-plane host (`localhost:4566`, what Docker reaches without configuration, docs/ecr.md),
//     the Distribution Spec's paths only: `/v2/`, `/v2/_catalog` and `/v2/<name>/(blobs|manifests|tags|referrers)/…`.
//     API Gateway's REST API shares the /v2/ prefix (/v2/apis, /v2/domainnames …) but never has these
//     shapes, and its calls are SigV4-signed: a signed request is never the registry's.
import type { Destination, RequestHead } from '../../http1/routes.js';
import { isDigest } from '../blobs.js';
import { isRepositoryName, TAG } from '../registry.js';
import { OciError } from './oci-errors.js';

export const REGISTRY_HOST = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.localhost$/;
const REGISTRY_SHAPE = /^\/v2\/?$|^\/v2\/_catalog$|^\/v2\/.+\/(?:blobs|manifests|tags|referrers)\/[^/]*\/?[^/]*$/;

function pathOf(url: string): string {
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function authorization(head: RequestHead): string | undefined {
  const raw = head.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === 'authorization') return raw[i + 1];
  return undefined;
}

export function isRegistryRequest(head: RequestHead, to: Destination): boolean {
  if (REGISTRY_HOST.test(to.hostName)) return true;
  if (to.kind !== 'served') return false;
  const url = head.url ?? '/';
  if (!url.startsWith('/v2')) return false;
  if (!REGISTRY_SHAPE.test(pathOf(url))) return false;
  return !authorization(head)?.startsWith('AWS4-');
}

export type RegistryPath =
  | { kind: 'base' }
  | { kind: 'catalog' }
  | { kind: 'blob'; name: string; digest: string }
  | { kind: 'uploads'; name: string }
  | { kind: 'upload'; name: string; id: string }
  | { kind: 'manifest'; name: string; reference: string }
  | { kind: 'tags'; name: string }
  | { kind: 'referrers'; name: string; digest: string };

const nameInvalid = (why: string) => new OciError('NAME_INVALID', `invalid repository name: ${why}`);

/**
 * Reads a registry path; a name or reference outside the spec's grammar (dot segments, percent
 * escapes, anything a file path could be built from) is a 400 before anything is looked up.
 */
export function parseRegistryPath(rawUrl: string): RegistryPath | undefined {
  const path = pathOf(rawUrl);
  if (path === '/v2/' || path === '/v2') return { kind: 'base' };
  if (path === '/v2/_catalog') return { kind: 'catalog' };
  if (!path.startsWith('/v2/')) return undefined;
  if (path.includes('%') || path.includes('\\') || path.includes('//')) throw nameInvalid('the path holds escapes, backslashes or empty segments');
  const segments = path.slice(4).split('/');
  if (segments.some((s) => s === '.' || s === '..')) throw nameInvalid('dot segments are not allowed');
  // The last two segments are the operation (`blobs/<digest>`, `manifests/<ref>`, `tags/list`,
  // `referrers/<digest>`, `blobs/uploads/`), three for an upload (`blobs/uploads/<id>`).
  const n = segments.length;
  const nameOf = (count: number): string => {
    const name = segments.slice(0, n - count).join('/');
    if (!isRepositoryName(name)) throw nameInvalid(`'${name.slice(0, 256)}'`);
    return name;
  };
  if (n >= 4 && segments[n - 3] === 'blobs' && segments[n - 2] === 'uploads') {
    const id = segments[n - 1]!;
    if (id === '') return { kind: 'uploads', name: nameOf(3) };
    if (!/^[0-9a-f-]{36}$/.test(id)) throw new OciError('BLOB_UPLOAD_UNKNOWN', 'blob upload unknown to registry');
    return { kind: 'upload', name: nameOf(3), id };
  }
  if (n >= 3 && segments[n - 2] === 'blobs' && segments[n - 1] === 'uploads') return { kind: 'uploads', name: nameOf(2) };
  if (n < 3) return undefined;
  const op = segments[n - 2]!;
  const arg = segments[n - 1]!;
  switch (op) {
    case 'blobs':
      if (!isDigest(arg)) throw new OciError('DIGEST_INVALID', 'provided digest did not match uploaded content', { digest: arg.slice(0, 200) });
      return { kind: 'blob', name: nameOf(2), digest: arg };
    case 'manifests':
      if (!isDigest(arg) && !TAG.test(arg))
        throw new OciError('MANIFEST_INVALID', 'manifest invalid: the reference is neither a tag nor a digest', { reference: arg.slice(0, 200) });
      return { kind: 'manifest', name: nameOf(2), reference: arg };
    case 'tags':
      if (arg !== 'list') return undefined;
      return { kind: 'tags', name: nameOf(2) };
    case 'referrers':
      if (!isDigest(arg)) throw new OciError('DIGEST_INVALID', 'provided digest is not valid', { digest: arg.slice(0, 200) });
      return { kind: 'referrers', name: nameOf(2), digest: arg };
    default:
      return undefined;
  }
}
