// Tag keys starting with `aws:` are AWS's own: every service refuses them from users. CloudFormation
// adds its system tags (aws:cloudformation:stack-name, stack-id, logical-id) to the resources it
// creates, through the services' own operations; while such a call runs, exactly those key/value
// pairs are granted (an AsyncLocalStorage scope), and nothing else starting with `aws:` is.
import { AsyncLocalStorage } from 'node:async_hooks';

const granted = new AsyncLocalStorage<ReadonlyMap<string, string>>();
const RESERVED = /^aws:/i;

/** Runs fn with these reserved tags allowed to the service operations it calls. */
export function withSystemTags<T>(tags: Readonly<Record<string, string>>, fn: () => T): T {
  return granted.run(new Map(Object.entries(tags)), fn);
}

/** Whether a tag is reserved (an `aws:` key, any case) and not one granted to the running call. */
export function isReservedTag(key: string, value: string | undefined): boolean {
  if (!RESERVED.test(key)) return false;
  return granted.getStore()?.get(key) !== (value ?? '');
}

/**
 * How many of these tag keys count toward a resource's tag quota. AWS's own `aws:` tags do not:
 * a CloudFormation resource holds its three system tags beside the 50 of its user.
 */
export function countedTags(keys: Iterable<string>): number {
  let n = 0;
  for (const k of keys) if (!RESERVED.test(k)) n++;
  return n;
}
