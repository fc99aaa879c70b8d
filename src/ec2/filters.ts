// EC2 `Filter.N.Name / Filter.N.Value.M` semantics: filters AND together, values of one filter OR
// together, `*` and `?` are wildcards, `tag:<key>`, `tag-key` and `tag-value` work on every resource.
import { AwsError } from '../kernel/errors.js';

export interface Filter {
  Name?: string;
  Values?: string[];
}

/** Filter name → the values of a record for that filter (undefined = not a filter of this resource). */
export type FilterFields<T> = Record<string, (r: T) => Array<string | boolean | number | undefined>>;

function wildcard(pattern: string): RegExp {
  const escaped = pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.');
  return new RegExp(`^${escaped}$`);
}

export function applyFilters<T extends { tags: Record<string, string> }>(records: T[], filters: Filter[] | undefined, fields: FilterFields<T>): T[] {
  if (!filters?.length) return records;
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const patterns = (f.Values ?? []).map(wildcard);
    let get: (r: T) => Array<string | boolean | number | undefined>;
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      get = (r) => (key in r.tags ? [r.tags[key]] : []);
    } else if (name === 'tag-key') {
      get = (r) => Object.keys(r.tags);
    } else if (name === 'tag-value') {
      get = (r) => Object.values(r.tags);
    } else if (fields[name]) {
      get = fields[name]!;
    } else {
      throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    return (r: T) => get(r).some((v) => v !== undefined && patterns.some((p) => p.test(String(v))));
  });
  return records.filter((r) => tests.every((t) => t(r)));
}

export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
