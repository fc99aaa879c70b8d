// Helpers shared by the EC2 operations: tag specifications, tag validation, DryRun, pagination.
import { AwsError } from '../../kernel/errors.js';
import { paginate, type Page } from '../../kernel/paginate.js';
import type { Ec2ErrorCode } from '../../protocol/error-codes.js';
import type { Tag, TagSpecification } from '../../protocol/generated/ec2.js';
import { applyFilters, type Filter, type FilterFields } from '../filters.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

const tagLimitExceeded = () => new AwsError('TagLimitExceeded', 'The maximum number of tags per resource (50) has been exceeded.');

/** Tags from TagSpecifications for one resource type (others are an error, as AWS). */
export function tagsFromSpecifications(specs: TagSpecification[] | undefined, resourceType: string): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const spec of specs ?? []) {
    if (spec.ResourceType !== resourceType) {
      throw new AwsError('InvalidParameterValue', `'${spec.ResourceType ?? ''}' is not a valid taggable resource type for this operation.`);
    }
    Object.assign(tags, checkTags(spec.Tags ?? []));
  }
  // The quota holds at creation too; the EC2 model does not cap a tag list.
  if (countedTags(Object.keys(tags)) > 50) throw tagLimitExceeded();
  return tags;
}

export function checkTags(tags: Tag[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of tags) {
    const key = t.Key ?? '';
    if (key === '' || key.length > 128) throw new AwsError('InvalidParameterValue', `Tag key must be between 1 and 128 characters: '${key.slice(0, 140)}'`);
    if (isReservedTag(key, t.Value)) throw new AwsError('InvalidParameterValue', `Tag keys starting with 'aws:' are reserved for internal use`);
    const value = t.Value ?? '';
    if (value.length > 256) throw new AwsError('InvalidParameterValue', `Tag value exceeds the maximum length of 256 characters`);
    out[key] = value;
  }
  return out;
}

export function mergeTags(current: Record<string, string>, add: Record<string, string>): Record<string, string> {
  const merged = { ...current, ...add };
  if (countedTags(Object.keys(merged)) > 50) throw tagLimitExceeded();
  return merged;
}

/** AWS answers a DryRun that would succeed with this error (HTTP 412). */
export function dryRun(input: { DryRun?: boolean }): void {
  if (input.DryRun) throw new AwsError('DryRunOperation', 'Request would have succeeded, but DryRun flag is set.', { status: 412 });
}

export function page<T>(items: T[], keyOf: (t: T) => string, maxResults: number | undefined, nextToken: string | undefined): Page<T> {
  return paginate(items, keyOf, maxResults, nextToken, () => new AwsError('InvalidParameterValue', `The token '${(nextToken ?? '').slice(0, 64)}' is invalid.`));
}

/** Describe-by-ids: every requested id must exist, else the resource's NotFound code with AWS's text. */
export function requireAll<T>(ids: string[] | undefined, found: (id: string) => T | undefined, code: Ec2ErrorCode, noun: string): T[] | undefined {
  if (!ids?.length) return undefined;
  const missing = ids.filter((id) => !found(id));
  if (missing.length) throw new AwsError(code, `The ${noun} ID${missing.length > 1 ? 's' : ''} '${missing.join(', ')}' ${missing.length > 1 ? 'do' : 'does'} not exist`);
  return ids.map((id) => found(id)!);
}

/** What a Describe* call shares: the ids it names (each must exist), else every record in scope; then filters, then one page. */
export interface DescribeSpec<T> {
  ids: string[] | undefined;
  get: (id: string) => T | undefined;
  notFound: Ec2ErrorCode;
  noun: string;
  all: () => T[];
  filters: FilterFields<T>;
  keyOf: (t: T) => string;
}

export function describePage<T extends { tags: Record<string, string> }>(input: { Filters?: Filter[]; MaxResults?: number; NextToken?: string }, spec: DescribeSpec<T>): Page<T> {
  const byId = requireAll(spec.ids, spec.get, spec.notFound, spec.noun);
  const found = applyFilters(byId ?? spec.all(), input.Filters, spec.filters);
  return page(found, spec.keyOf, input.MaxResults, input.NextToken);
}
