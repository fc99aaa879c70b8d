// SHA-256 / HMAC-SHA-256 from node:crypto behind the hash interface @smithy/signature-v4 expects.
// The pure-JS @aws-crypto implementation costs several times more CPU per verified request.
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';

type Source = string | ArrayBuffer | ArrayBufferView;

function bytes(data: Source): Buffer | string {
  if (typeof data === 'string') return data;
  if (ArrayBuffer.isView(data)) return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  return Buffer.from(data);
}

export class NodeSha256 {
  private readonly h: Hash | Hmac;

  constructor(secret?: Source) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(secret));
  }

  update(data: Source): void {
    this.h.update(bytes(data));
  }

  digest(): Promise<Uint8Array> {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }

  digestSync(): Uint8Array {
    return new Uint8Array(this.h.digest());
  }

  reset(): void {
    throw new Error('NodeSha256 instances are single-use');
  }
}
