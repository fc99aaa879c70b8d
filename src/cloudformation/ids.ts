// Ids and ARNs CloudFormation mints.
import { randomBytes, randomUUID } from 'node:crypto';

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomId(length: number): string {
  const bytes = randomBytes(length);
  return Array.from(bytes, (b) => ALPHABET[b % ALPHABET.length]).join('');
}

export const stackArn = (region: string, accountId: string, name: string): string => `arn:aws:cloudformation:${region}:${accountId}:stack/${name}/${randomUUID()}`;

export const changeSetArn = (region: string, accountId: string, name: string): string => `arn:aws:cloudformation:${region}:${accountId}:changeSet/${name}/${randomUUID()}`;
