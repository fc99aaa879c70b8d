// Log streams: create, delete, describe (with the event statistics AWS reports per stream).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Logs from '../../protocol/generated/logs.js';
import { groupKey, streamKey, type LogsStore } from '../store.js';
import { groupArn, groupNameFrom, page, requireGroup, requireStream } from './common.js';

export function streamOperations(logs: LogsStore) {
  return {
    CreateLogStream(input: Logs.CreateLogStreamRequest, ctx: RequestContext): void {
      requireGroup(logs, ctx, input.logGroupName);
      logs.store.withTx(() => {
        const key = streamKey(ctx, input.logGroupName, input.logStreamName);
        if (logs.streams.has(key)) throw new AwsError('ResourceAlreadyExistsException', 'The specified log stream already exists');
        logs.streams.putTx(key, { region: ctx.region, group: input.logGroupName, name: input.logStreamName, createdAt: Date.now() });
      });
    },

    DeleteLogStream(input: Logs.DeleteLogStreamRequest, ctx: RequestContext): void {
      requireGroup(logs, ctx, input.logGroupName);
      requireStream(logs, ctx, input.logGroupName, input.logStreamName);
      logs.store.withTx(() => {
        logs.streams.deleteTx(streamKey(ctx, input.logGroupName, input.logStreamName));
        logs.deleteEventsOfStream(ctx, input.logGroupName, input.logStreamName);
      });
    },

    DescribeLogStreams(input: Logs.DescribeLogStreamsRequest, ctx: RequestContext): Logs.DescribeLogStreamsResponse {
      const group = requireGroup(logs, ctx, groupNameFrom(input));
      if (input.orderBy === 'LastEventTime' && input.logStreamNamePrefix) {
        throw new AwsError('InvalidParameterException', 'Cannot order by LastEventTime with a logStreamNamePrefix.');
      }
      const streams = logs.streams
        .withPrefix(`${groupKey(ctx, group.name)}\n${input.logStreamNamePrefix ?? ''}`)
        .map((s) => ({ s, stats: logs.streamStats(ctx, group.name, s.name) }));
      const byTime = input.orderBy === 'LastEventTime';
      const key = (x: (typeof streams)[number]) => (byTime ? `${String(x.stats.last ?? 0).padStart(16, '0')}\0${x.s.name}` : x.s.name);
      // Descending order is served by paging over an inverted key.
      const ordered = input.descending ? streams.map((x) => ({ ...x, k: invert(key(x)) })) : streams.map((x) => ({ ...x, k: key(x) }));
      const p = page(ordered, (x) => x.k, input.limit ?? 50, input.nextToken);
      return {
        logStreams: p.items.map(({ s, stats }) => ({
          logStreamName: s.name,
          creationTime: s.createdAt,
          firstEventTimestamp: stats.first,
          lastEventTimestamp: stats.last,
          lastIngestionTime: stats.lastIngestion,
          arn: `${groupArn(group)}:log-stream:${s.name}`,
          storedBytes: stats.bytes,
        })),
        nextToken: p.nextToken,
      };
    },
  } satisfies Partial<Logs.LogsOperations>;
}

function invert(s: string): string {
  let out = '';
  for (let i = 0; i < s.length; i++) out += String.fromCharCode(0xffff - s.charCodeAt(i));
  return out;
}
