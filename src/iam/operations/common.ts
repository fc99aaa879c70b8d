// What every IAM operation shares: names and paths checked as IAM checks them (the model's patterns
// are unanchored; IAM matches the whole value), ids, ARNs, Marker/MaxItems paging, tags and the
// URL-encoding IAM applies to the policy documents it returns (docs/iam.md §2).
import { randomInt } from 'node:crypto';
import { AwsError } from '../../kernel/errors.js';
import { paginate } from '../../kernel/paginate.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

/** IAM's unique ids: a 4-letter prefix naming the kind, then 17 characters of [A-Z2-7] (21 in all). */
export type IdPrefix = 'AROA' | 'ANPA' | 'AIPA' | 'AIDA' | 'AKIA' | 'ASIA';
const ID_CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

export function iamId(prefix: IdPrefix, length = 21): string {
  let out = prefix;
  while (out.length < length) out += ID_CHARS[randomInt(ID_CHARS.length)];
  return out;
}

export const NAME_PATTERN = '[\\w+=,.@-]+';
const NAME = /^[\w+=,.@-]+$/;
const PATH = /^(\/|\/[\u0021-\u007E]+\/)$/;

function validationError(value: string, member: string, constraint: string): AwsError {
  return new AwsError('ValidationError', `1 validation error detected: Value '${value}' at '${member}' failed to satisfy constraint: ${constraint}`);
}

/** A role, policy, instance profile or user name: the whole value must match `[\w+=,.@-]+`. */
export function checkName(value: string, member: string): void {
  if (!NAME.test(value)) throw validationError(value, member, `Member must satisfy regular expression pattern: ${NAME_PATTERN}`);
}

/** A path: `/` or `/…/` of printable ASCII. */
export function checkPath(value: string | undefined, member = 'path'): string {
  if (value === undefined) return '/';
  if (!PATH.test(value)) throw validationError(value, member, 'Member must satisfy regular expression pattern: (\\u002F)|(\\u002F[\\u0021-\\u007E]+\\u002F)');
  return value;
}

/** The PathPrefix filter of the List calls: `/` followed by anything printable. */
export function checkPathPrefix(value: string | undefined): string {
  if (value === undefined) return '/';
  if (!/^\/[\u0021-\u007F]*$/.test(value)) {
    throw validationError(value, 'pathPrefix', 'Member must satisfy regular expression pattern: \\u002F[\\u0021-\\u007F]*');
  }
  return value;
}

export const iamArn = (accountId: string, kind: string, path: string, name: string): string => `arn:aws:iam::${accountId}:${kind}${path}${name}`;

/** IAM returns policy documents URL-encoded (RFC 3986); the SDKs and Terraform decode them. */
export const encodeDocument = (document: string): string => encodeURIComponent(document);

export interface Paged<T> {
  items: T[];
  IsTruncated: boolean;
  Marker?: string;
}

/** Marker/MaxItems paging (MaxItems 1–1000 is checked by the model; IAM's default is 100). */
export function pageOf<T>(items: T[], keyOf: (t: T) => string, maxItems: number | undefined, marker: string | undefined): Paged<T> {
  const page = paginate(items, keyOf, maxItems ?? 100, marker, () => new AwsError('ValidationError', 'Invalid Marker.'));
  return { items: page.items, IsTruncated: page.nextToken !== undefined, Marker: page.nextToken };
}

export type TagList = Array<{ Key: string; Value: string }>;
const MAX_TAGS = 50;

/** Checks a TagX / CreateX tag list: no `aws:` keys, no key twice (keys compare without case). */
export function checkNewTags(tags: TagList | undefined): TagList {
  const list = tags ?? [];
  const seen = new Set<string>();
  for (const t of list) {
    if (isReservedTag(t.Key, t.Value)) throw new AwsError('InvalidInput', "User-defined tags cannot start with 'aws:'.");
    const k = t.Key.toLowerCase();
    if (seen.has(k)) throw new AwsError('InvalidInput', 'Duplicate tag keys found. Please note that Tag keys are case insensitive.');
    seen.add(k);
  }
  if (countedTags(list.map((t) => t.Key)) > MAX_TAGS) throw new AwsError('LimitExceeded', `The number of tags has reached the maximum limit.`);
  return list.map((t) => ({ Key: t.Key, Value: t.Value }));
}

/** Tags after TagX: a key already there (without regard to case) takes the new value. */
export function mergeTags(existing: TagList, added: TagList | undefined): TagList {
  const add = checkNewTags(added);
  const out = existing.map((t) => {
    const replacement = add.find((a) => a.Key.toLowerCase() === t.Key.toLowerCase());
    return replacement ?? t;
  });
  for (const a of add) if (!out.some((t) => t.Key.toLowerCase() === a.Key.toLowerCase())) out.push(a);
  if (countedTags(out.map((t) => t.Key)) > MAX_TAGS) throw new AwsError('LimitExceeded', 'The number of tags has reached the maximum limit.');
  return out;
}

export function removeTags(existing: TagList, keys: string[]): TagList {
  const drop = new Set(keys.map((k) => k.toLowerCase()));
  return existing.filter((t) => !drop.has(t.Key.toLowerCase()));
}

/** Tags on the wire: omitted when there are none, as IAM omits them. */
export const tagsWire = (tags: TagList): TagList | undefined => (tags.length ? tags : undefined);
