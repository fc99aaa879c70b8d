// Ids minted per request on the hot path: `apigw-requestid` / `$context.requestId` in AWS's shape
// (15 base64 characters and '=', e.g. `Mc7UVioPPHcEKPA=`) and `X-Amzn-Trace-Id` roots. Random bytes
// come from a pool refilled in bulk, so a request costs no syscall.
import { randomFillSync } from 'node:crypto';

const POOL_SIZE = 4096;
const pool = Buffer.allocUnsafe(POOL_SIZE);
let offset = POOL_SIZE;

function take(n: number): Buffer {
  if (offset + n > POOL_SIZE) {
    randomFillSync(pool);
    offset = 0;
  }
  const b = pool.subarray(offset, offset + n);
  offset += n;
  return b;
}

export function newRequestId(): string {
  return take(11).toString('base64');
}

/** `Root=1-<epoch seconds hex>-<24 hex>` as AWS's X-Ray trace header. */
export function newTraceId(nowMs: number): string {
  return `Root=1-${Math.floor(nowMs / 1000).toString(16).padStart(8, '0')}-${take(12).toString('hex')}`;
}
