// PutLogEvents / GetLogEvents / FilterLogEvents, with AWS's batch rules, its f/ b/ token walk for
// GetLogEvents and time-ordered, interleaved FilterLogEvents across streams.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Logs from '../../protocol/generated/logs.js';
import { compileFilterPattern } from '../filter-pattern.js';
import type { LogsStore } from '../store.js';
import { groupNameFrom, parsePositionToken, positionToken, requireGroup, requireStream } from './common.js';

const MAX_BATCH_BYTES = 1_048_576;
const EVENT_OVERHEAD = 26;
const MAX_EVENT_BYTES = 1_048_576 - EVENT_OVERHEAD;
const TOO_OLD_MS = 14 * 86_400_000;
const TOO_NEW_MS = 2 * 3_600_000;
const MAX_BATCH_SPAN_MS = 24 * 3_600_000;
const DEFAULT_LIMIT = 10_000;

export function eventOperations(logs: LogsStore) {
  return {
    PutLogEvents(input: Logs.PutLogEventsRequest, ctx: RequestContext): Logs.PutLogEventsResponse {
      requireGroup(logs, ctx, input.logGroupName);
      requireStream(logs, ctx, input.logGroupName, input.logStreamName);
      const events = input.logEvents;
      let bytes = 0;
      for (let i = 0; i < events.length; i++) {
        const e = events[i]!;
        const size = Buffer.byteLength(e.message, 'utf8');
        if (size > MAX_EVENT_BYTES) throw new AwsError('InvalidParameterException', `Log event at index ${i} is too large: ${size} bytes (max ${MAX_EVENT_BYTES}).`);
        bytes += size + EVENT_OVERHEAD;
        if (i > 0 && e.timestamp < events[i - 1]!.timestamp) {
          throw new AwsError('InvalidParameterException', 'Log events in a single PutLogEvents request must be in chronological order.');
        }
      }
      if (bytes > MAX_BATCH_BYTES) throw new AwsError('InvalidParameterException', `Upload too large: ${bytes} bytes exceeds limit of ${MAX_BATCH_BYTES}`);
      if (events.length && events[events.length - 1]!.timestamp - events[0]!.timestamp > MAX_BATCH_SPAN_MS) {
        throw new AwsError('InvalidParameterException', 'The batch of log events in a single PutLogEvents request cannot span more than 24 hours.');
      }
      const now = Date.now();
      const rejected: Logs.RejectedLogEventsInfo = {};
      const accepted: Array<{ timestamp: number; message: string }> = [];
      events.forEach((e, i) => {
        if (e.timestamp < now - TOO_OLD_MS) rejected.tooOldLogEventEndIndex = i + 1;
        else if (e.timestamp > now + TOO_NEW_MS) rejected.tooNewLogEventStartIndex ??= i;
        else accepted.push(e);
      });
      logs.appendEvents(ctx, input.logGroupName, input.logStreamName, accepted, now);
      return { nextSequenceToken: String(now).padStart(56, '0'), rejectedLogEventsInfo: Object.keys(rejected).length ? rejected : undefined };
    },

    GetLogEvents(input: Logs.GetLogEventsRequest, ctx: RequestContext): Logs.GetLogEventsResponse {
      const group = groupNameFrom(input);
      requireGroup(logs, ctx, group);
      requireStream(logs, ctx, group, input.logStreamName);
      const limit = input.limit ?? DEFAULT_LIMIT;
      const base = {
        region: ctx.region,
        accountId: ctx.accountId,
        group,
        streams: [input.logStreamName],
        startTime: input.startTime,
        endTime: input.endTime === undefined ? undefined : input.endTime - 1,
        limit,
      };
      let rows;
      let passed: { dir: 'f' | 'b'; pos: [number, number] } | undefined;
      if (input.nextToken) {
        passed = parsePositionToken(input.nextToken);
        rows =
          passed.dir === 'f' ? logs.readEvents({ ...base, after: passed.pos, direction: 'asc' }) : logs.readEvents({ ...base, before: passed.pos, direction: 'desc' }).reverse();
      } else if (input.startFromHead) {
        rows = logs.readEvents({ ...base, direction: 'asc' });
      } else {
        rows = logs.readEvents({ ...base, direction: 'desc' }).reverse();
      }
      // With nothing new, the forward token is the one passed in: that is how clients know to stop.
      const firstPos: [number, number] = rows.length ? [rows[0]!.ts, rows[0]!.id] : (passed?.pos ?? [0, 0]);
      const lastPos: [number, number] = rows.length ? [rows[rows.length - 1]!.ts, rows[rows.length - 1]!.id] : (passed?.pos ?? [0, 0]);
      return {
        events: rows.map((r) => ({ timestamp: r.ts, message: r.message, ingestionTime: r.ingestion })),
        nextForwardToken: positionToken('f', lastPos),
        nextBackwardToken: positionToken('b', firstPos),
      };
    },

    FilterLogEvents(input: Logs.FilterLogEventsRequest, ctx: RequestContext): Logs.FilterLogEventsResponse {
      const group = groupNameFrom(input);
      requireGroup(logs, ctx, group);
      if (input.logStreamNames?.length && input.logStreamNamePrefix) {
        throw new AwsError('InvalidParameterException', 'Cannot specify both logStreamNames and logStreamNamePrefix.');
      }
      const matches = compileFilterPattern(input.filterPattern);
      const limit = input.limit ?? DEFAULT_LIMIT;
      let after = input.nextToken ? parsePositionToken(input.nextToken).pos : undefined;
      const out: Logs.FilteredLogEvent[] = [];
      const CHUNK = 1000;
      // Scan in chunks so a selective pattern over a large group stays bounded per call.
      for (let scanned = 0; out.length < limit && scanned < 200_000; ) {
        const rows = logs.readEvents({
          region: ctx.region,
          accountId: ctx.accountId,
          group,
          streams: input.logStreamNames,
          streamPrefix: input.logStreamNamePrefix,
          startTime: input.startTime,
          endTime: input.endTime,
          after,
          direction: 'asc',
          limit: CHUNK,
        });
        if (!rows.length) {
          after = undefined;
          break;
        }
        for (const r of rows) {
          after = [r.ts, r.id];
          if (matches(r.message)) {
            out.push({ logStreamName: r.stream, timestamp: r.ts, message: r.message, ingestionTime: r.ingestion, eventId: String(r.id).padStart(56, '0') });
            if (out.length >= limit) break;
          }
        }
        scanned += rows.length;
        if (rows.length < CHUNK && out.length < limit) {
          after = undefined;
          break;
        }
      }
      return { events: out, nextToken: after ? positionToken('f', after) : undefined, searchedLogStreams: [] };
    },
  } satisfies Partial<Logs.LogsOperations>;
}
