// What the registry reads in a manifest: its media type, the blobs and manifests it names (for
// existence checks and garbage collection), its subject (the referrers API) and the image size ECR
// reports. Docker image manifest v2 schema 2, Docker manifest list, OCI image manifest, OCI index.

export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const MANIFEST_TYPES = [DOCKER_MANIFEST, DOCKER_LIST, OCI_MANIFEST, OCI_INDEX] as const;
const INDEX_TYPES = new Set([DOCKER_LIST, OCI_INDEX]);

/** AWS's limit on a manifest (ECR service quotas: "Image manifest size", 4 MiB). */
export const MANIFEST_LIMIT = 4 * 1024 * 1024;

export interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  artifactType?: string;
  annotations?: Record<string, string>;
}

export interface ParsedManifest {
  mediaType: string;
  artifactType: string | null;
  isIndex: boolean;
  blobs: Descriptor[];
  manifests: Descriptor[];
  subject: string | null;
  /** Sum of the layer sizes (and config), as ECR's imageSizeInBytes; an index sums its children later. */
  size: number;
  annotations?: Record<string, string>;
}

export class ManifestInvalid extends Error {}

function descriptor(v: unknown, where: string): Descriptor {
  const d = v as Descriptor;
  if (!d || typeof d !== 'object' || typeof d.digest !== 'string' || typeof d.size !== 'number' || !Number.isSafeInteger(d.size) || d.size < 0) {
    throw new ManifestInvalid(`${where} is not a descriptor (digest, size)`);
  }
  return d;
}

/** Parses a manifest; `declared` is the Content-Type it came with (ECR's imageManifestMediaType). */
export function parseManifest(body: Buffer, declared: string | undefined): ParsedManifest {
  let doc: Record<string, unknown>;
  try {
    doc = JSON.parse(body.toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new ManifestInvalid('manifest is not JSON');
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw new ManifestInvalid('manifest is not a JSON object');
  const inner = typeof doc.mediaType === 'string' ? doc.mediaType : undefined;
  const header = declared?.split(';')[0]?.trim();
  const plainHeader = header && header !== 'application/json' && header !== 'application/octet-stream' ? header : undefined;
  if (plainHeader && inner && plainHeader !== inner) throw new ManifestInvalid(`the manifest's mediaType ${inner} differs from the Content-Type ${plainHeader}`);
  let mediaType = plainHeader ?? inner;
  if (!mediaType) mediaType = Array.isArray(doc.manifests) ? OCI_INDEX : OCI_MANIFEST;
  if (!(MANIFEST_TYPES as readonly string[]).includes(mediaType)) throw new ManifestInvalid(`unsupported manifest media type ${mediaType.slice(0, 200)}`);
  if (doc.schemaVersion !== 2) throw new ManifestInvalid('schemaVersion must be 2');
  const isIndex = INDEX_TYPES.has(mediaType);
  const subject = doc.subject === undefined ? null : descriptor(doc.subject, 'subject').digest;
  if (isIndex) {
    if (!Array.isArray(doc.manifests)) throw new ManifestInvalid('an index needs a manifests list');
    const manifests = doc.manifests.map((m, i) => descriptor(m, `manifests[${i}]`));
    return {
      mediaType,
      artifactType: typeof doc.artifactType === 'string' ? doc.artifactType : null,
      isIndex,
      blobs: [],
      manifests,
      subject,
      size: 0,
      annotations: doc.annotations as Record<string, string> | undefined,
    };
  }
  const config = descriptor(doc.config, 'config');
  if (!Array.isArray(doc.layers)) throw new ManifestInvalid('an image manifest needs a layers list');
  const layers = doc.layers.map((l, i) => descriptor(l, `layers[${i}]`));
  const artifactType = typeof doc.artifactType === 'string' ? doc.artifactType : (config.mediaType ?? null);
  return {
    mediaType,
    artifactType,
    isIndex,
    blobs: [config, ...layers],
    manifests: [],
    subject,
    size: layers.reduce((n, l) => n + l.size, 0) + config.size,
    annotations: doc.annotations as Record<string, string> | undefined,
  };
}
