// EC2 `Filter.N.Name / Filter.N.Value.M` semantics: filters AND together, values of one filter OR
// together, `*` and `?` are wildcards, `tag:<key>`, `tag-key` and `tag-value` work on every resource.
import { AwsError } from '../kernel/errors.js';

export interface Filter {
  Name?: string;
  Values?: string[];
}

/** Filter name → the values of a record for that filter (undefined = not a filter of this resource). */
export type FilterFields<T> = Record<string, (r: T) => Array<string | boolean | number | undefined>>;

/**
 * Whether `text` matches `pattern`, where `*` is any run of characters and `?` any one character.
 * Two pointers with one remembered star: at most length × length steps, never the exponential
 * backtracking a RegExp like `^.*a.*a.*…b$` does on a long value (that froze the server).
 */
export function wildcardMatch(pattern: string, text: string): boolean {
  let p = 0;
  let t = 0;
  let star = -1; // position in pattern just after the last '*'
  let resume = 0; // where in text that star's match would grow next
  while (t < text.length) {
    if (p < pattern.length && (pattern[p] === '?' || pattern[p] === text[t])) {
      p++;
      t++;
    } else if (p < pattern.length && pattern[p] === '*') {
      star = ++p;
      resume = t;
    } else if (star >= 0) {
      p = star;
      t = ++resume;
    } else {
      return false;
    }
  }
  while (pattern[p] === '*') p++;
  return p === pattern.length;
}

export function applyFilters<T extends { tags: Record<string, string> }>(records: T[], filters: Filter[] | undefined, fields: FilterFields<T>): T[] {
  if (!filters?.length) return records;
  const tests = filters.map((f) => {
    const name = f.Name ?? '';
    const patterns = f.Values ?? [];
    let get: (r: T) => Array<string | boolean | number | undefined>;
    if (name.startsWith('tag:')) {
      const key = name.slice(4);
      get = (r) => (key in r.tags ? [r.tags[key]] : []);
    } else if (name === 'tag-key') {
      get = (r) => Object.keys(r.tags);
    } else if (name === 'tag-value') {
      get = (r) => Object.values(r.tags);
    } else if (fields[name]) {
      get = fields[name];
    } else {
      throw new AwsError('InvalidParameterValue', `The filter '${name}' is invalid`);
    }
    return (r: T) => get(r).some((v) => v !== undefined && patterns.some((p) => wildcardMatch(p, String(v))));
  });
  return records.filter((r) => tests.every((t) => t(r)));
}

export function tagList(tags: Record<string, string>): Array<{ Key: string; Value: string }> {
  return Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));
}
