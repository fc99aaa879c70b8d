// Identifiers in AWS's formats. Random from crypto; never sequential (clients must not guess them).
import { randomBytes, randomInt, randomUUID } from 'node:crypto';

const LOWER_ALNUM = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** n lowercase hex characters. */
export function hex(n: number): string {
  return randomBytes(Math.ceil(n / 2))
    .toString('hex')
    .slice(0, n);
}

/** n characters of [a-z0-9]. */
export function alnum(n: number): string {
  let out = '';
  for (let i = 0; i < n; i++) out += LOWER_ALNUM[randomInt(LOWER_ALNUM.length)];
  return out;
}

/** n decimal digits, first one non-zero. */
export function digits(n: number): string {
  let out = String(1 + randomInt(9));
  for (let i = 1; i < n; i++) out += String(randomInt(10));
  return out;
}

export function uuid(): string {
  return randomUUID();
}

/** EC2-style resource id: `vpc-` + 17 hex. */
export function ec2Id(prefix: string): string {
  return `${prefix}-${hex(17)}`;
}
