// Shared lookups for the Logs operations: group by name or ARN, stream existence, ARNs, paging.
import { arn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import { paginate, type Page } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import { groupKey, streamKey, type LogGroupRecord, type LogsStore, type LogStreamRecord } from '../store.js';

export function groupArn(g: LogGroupRecord): string {
  return arn('logs', g.region, g.accountId, `log-group:${g.name}`);
}

/** Accepts `logGroupName` or `logGroupIdentifier` (a name or an ARN); exactly one. */
export function groupNameFrom(input: { logGroupName?: string; logGroupIdentifier?: string }): string {
  if (input.logGroupName && input.logGroupIdentifier) {
    throw new AwsError('InvalidParameterException', 'LogGroup name and LogGroup ARN are mutually exclusive parameters.');
  }
  const id = input.logGroupName ?? input.logGroupIdentifier;
  if (!id) throw new AwsError('InvalidParameterException', 'Should provide either name or ARN of the log group.');
  const m = /^arn:aws[^:]*:logs:[^:]*:[^:]*:log-group:([^:]+)(:\*)?$/.exec(id);
  return m ? m[1]! : id;
}

export function requireGroup(logs: LogsStore, ctx: RequestContext, name: string): LogGroupRecord {
  const g = logs.groups.get(groupKey(ctx, name));
  if (!g) throw new AwsError('ResourceNotFoundException', 'The specified log group does not exist.');
  return g;
}

export function requireStream(logs: LogsStore, ctx: RequestContext, group: string, stream: string): LogStreamRecord {
  const s = logs.streams.get(streamKey(ctx, group, stream));
  if (!s) throw new AwsError('ResourceNotFoundException', 'The specified log stream does not exist.');
  return s;
}

export function page<T>(items: T[], keyOf: (t: T) => string, limit: number | undefined, token: string | undefined): Page<T> {
  return paginate(items, keyOf, limit, token, () => new AwsError('InvalidParameterException', 'The specified nextToken is invalid.'));
}

/** Event position tokens: `f/` or `b/` + digits encoding (timestamp, id), as opaque to clients as AWS's. */
export function positionToken(dir: 'f' | 'b', pos: [number, number]): string {
  return `${dir}/${String(pos[0]).padStart(16, '0')}${String(pos[1]).padStart(20, '0')}`;
}

export function parsePositionToken(token: string): { dir: 'f' | 'b'; pos: [number, number] } {
  const m = /^([fb])\/(\d{16})(\d{20})$/.exec(token);
  if (!m) throw new AwsError('InvalidParameterException', 'The specified nextToken is invalid.');
  return { dir: m[1] as 'f' | 'b', pos: [Number(m[2]), Number(m[3])] };
}
