// NextToken paging of CloudFormation's list calls in the order they answer (newest stack or event
// first), 100 to a page as AWS pages them. The token names the last item returned, so items added at
// the front between pages (new events, new stacks) are neither repeated nor skipped.
import { AwsError } from '../../kernel/errors.js';

export const PAGE_SIZE = 100;

export function pageOf<T>(items: T[], keyOf: (t: T) => string, token: string | undefined, size = PAGE_SIZE): { items: T[]; NextToken?: string } {
  let start = 0;
  if (token !== undefined) {
    let after: unknown;
    try {
      after = (JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as { after?: unknown }).after;
    } catch {
      after = undefined;
    }
    if (typeof after !== 'string') throw new AwsError('ValidationError', 'Invalid NextToken');
    const at = items.findIndex((t) => keyOf(t) === after);
    start = at < 0 ? items.length : at + 1;
  }
  const page = items.slice(start, start + size);
  const more = start + size < items.length && page.length > 0;
  return more ? { items: page, NextToken: Buffer.from(JSON.stringify({ after: keyOf(page.at(-1)!) })).toString('base64url') } : { items: page };
}
