// Offset pagination with opaque tokens, shared by every List/Describe operation. The token encodes
// the position after the last returned key, so inserts and deletes between pages neither repeat nor
// skip items that stayed.

export interface Page<T> {
  items: T[];
  nextToken: string | undefined;
}

function encode(key: string): string {
  return Buffer.from(JSON.stringify({ after: key }), 'utf8').toString('base64url');
}

function decode(token: string): string | undefined {
  try {
    const v = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown };
    if (typeof v.after === 'string') return v.after;
  } catch {
    /* not one of ours */
  }
  return undefined;
}

/**
 * Pages a list ordered by `keyOf`; `limit` undefined puts everything on one page. A token that is not
 * one of ours throws `invalidToken()`: each service's own error for it.
 */
export function paginate<T>(items: T[], keyOf: (t: T) => string, limit: number | undefined, token: string | undefined, invalidToken: () => Error): Page<T> {
  const sorted = [...items].sort((a, b) => (keyOf(a) < keyOf(b) ? -1 : keyOf(a) > keyOf(b) ? 1 : 0));
  let start = 0;
  if (token) {
    const after = decode(token);
    if (after === undefined) throw invalidToken();
    start = sorted.findIndex((t) => keyOf(t) > after);
    if (start < 0) start = sorted.length;
  }
  const end = limit === undefined ? sorted.length : Math.min(sorted.length, start + limit);
  const page = sorted.slice(start, end);
  return { items: page, nextToken: end < sorted.length && page.length ? encode(keyOf(page[page.length - 1]!)) : undefined };
}

/**
 * Pages straight from an ordered source, such as a key range of the store (DocTable.pageWithPrefix):
 * `fetch(after, n)` answers up to n items whose keys sort after `after` (from the first when undefined),
 * in key order. It reads one item more than the page to know whether another page follows, never the
 * whole list, so a page costs the same at 10 items and at 10,000. Tokens are paginate's.
 */
export function pageFrom<T>(
  fetch: (after: string | undefined, n: number) => T[],
  keyOf: (t: T) => string,
  limit: number | undefined,
  token: string | undefined,
  invalidToken: () => Error,
): Page<T> {
  let after: string | undefined;
  if (token) {
    after = decode(token);
    if (after === undefined) throw invalidToken();
  }
  const items = fetch(after, limit === undefined ? -1 : limit + 1);
  if (limit === undefined || items.length <= limit) return { items, nextToken: undefined };
  const page = items.slice(0, limit);
  return { items: page, nextToken: page.length ? encode(keyOf(page[page.length - 1]!)) : undefined };
}
