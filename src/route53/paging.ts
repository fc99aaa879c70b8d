// Route 53's paging inputs: MaxItems is a string on the wire (the model's PageMaxItems), so the
// service, not the model, checks that it is a positive number; values above the operation's limit
// return the limit, as AWS documents ("If you specify a value greater than 100, Route 53 returns only
// the first 100").
import { AwsError } from '../kernel/errors.js';

export function maxItems(raw: string | undefined, limit: number): number {
  if (raw === undefined) return limit;
  if (!/^\d{1,9}$/.test(raw) || Number(raw) < 1) {
    throw new AwsError('InvalidInput', `1 validation error detected: Value '${raw.slice(0, 64)}' at 'maxItems' failed to satisfy constraint: Member must be a positive integer`);
  }
  return Math.min(Number(raw), limit);
}

/** A hosted zone id as clients send it: `Z…` or `/hostedzone/Z…`. */
export const bareZoneId = (id: string): string => id.replace(/^\/?hostedzone\//, '');
