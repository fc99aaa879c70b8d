// CloudWatch Logs storage. Groups and streams are documents (keys `<region>/<group>` and
// `<region>/<group>\n<stream>`); events live in their own table, indexed for time-ordered reads, and
// never go through the change feed (they are data, not configuration).
import type Database from 'better-sqlite3';
import { docTableSql, prefixEnd, startsWithSql, type DocTable, type Migration, type Store, partitionOf, type Scope } from '../store/store.js';

export interface LogGroupRecord {
  region: string;
  accountId: string;
  name: string;
  createdAt: number;
  retentionInDays?: number;
  kmsKeyId?: string;
  logGroupClass: string;
  tags: Record<string, string>;
}

export interface LogStreamRecord {
  region: string;
  group: string;
  name: string;
  createdAt: number;
}

export interface StoredEvent {
  id: number;
  stream: string;
  ts: number;
  ingestion: number;
  message: string;
}

export interface StreamStats {
  first?: number;
  last?: number;
  lastIngestion?: number;
  bytes: number;
}

export const logsMigrations: Migration[] = [
  {
    id: 'logs/001-tables',
    up: [
      docTableSql('logs_groups'),
      docTableSql('logs_streams'),
      `CREATE TABLE logs_events (
         id INTEGER PRIMARY KEY AUTOINCREMENT,
         grp TEXT NOT NULL,
         stream TEXT NOT NULL,
         ts INTEGER NOT NULL,
         ingestion INTEGER NOT NULL,
         message TEXT NOT NULL
       );
       CREATE INDEX logs_events_stream ON logs_events (grp, stream, ts, id);
       CREATE INDEX logs_events_group ON logs_events (grp, ts, id);`,
    ].join('\n'),
  },
];

export const groupKey = (scope: Scope, name: string) => `${partitionOf(scope)}/${name}`;
export const streamKey = (scope: Scope, group: string, stream: string) => `${partitionOf(scope)}/${group}\n${stream}`;

export class LogsStore {
  readonly groups: DocTable<LogGroupRecord>;
  readonly streams: DocTable<LogStreamRecord>;
  private readonly db: Database.Database;
  private readonly insert: Database.Statement;
  private readonly statsStmt: Database.Statement;
  private readonly groupBytesStmt: Database.Statement;

  constructor(readonly store: Store) {
    this.db = store.db;
    this.groups = store.table('logs_groups');
    this.streams = store.table('logs_streams');
    this.insert = this.db.prepare('INSERT INTO logs_events (grp, stream, ts, ingestion, message) VALUES (?, ?, ?, ?, ?)');
    this.statsStmt = this.db.prepare(
      'SELECT min(ts) AS first, max(ts) AS last, max(ingestion) AS lastIngestion, coalesce(sum(length(message)), 0) AS bytes FROM logs_events WHERE grp = ? AND stream = ?',
    );
    this.groupBytesStmt = this.db.prepare('SELECT coalesce(sum(length(message)), 0) FROM logs_events WHERE grp = ?').pluck();
  }

  /** Appends events (already validated). Runs inside the caller's transaction if there is one. */
  appendEvents(scope: Scope, group: string, stream: string, events: Array<{ timestamp: number; message: string }>, ingestion: number): void {
    const grp = groupKey(scope, group);
    const run = () => {
      for (const e of events) this.insert.run(grp, stream, e.timestamp, ingestion, e.message);
    };
    if (this.db.inTransaction) run();
    else this.db.transaction(run)();
  }

  streamStats(scope: Scope, group: string, stream: string): StreamStats {
    const row = this.statsStmt.get(groupKey(scope, group), stream) as { first: number | null; last: number | null; lastIngestion: number | null; bytes: number };
    return { first: row.first ?? undefined, last: row.last ?? undefined, lastIngestion: row.lastIngestion ?? undefined, bytes: row.bytes };
  }

  groupBytes(scope: Scope, group: string): number {
    return this.groupBytesStmt.get(groupKey(scope, group)) as number;
  }

  private readonly groupsBytesStmts = new Map<number, Database.Statement>();

  /**
   * groupBytes of several groups of one scope in one query (a DescribeLogGroups page: one statement,
   * not one per group). A group without events is 0.
   */
  groupsBytes(scope: Scope, groups: readonly string[]): Map<string, number> {
    const bytes = new Map<string, number>();
    if (groups.length === 0) return bytes;
    let stmt = this.groupsBytesStmts.get(groups.length);
    if (!stmt) {
      const marks = groups.map(() => '?').join(',');
      stmt = this.db.prepare(`SELECT grp, coalesce(sum(length(message)), 0) AS bytes FROM logs_events WHERE grp IN (${marks}) GROUP BY grp`);
      this.groupsBytesStmts.set(groups.length, stmt);
    }
    const keys = groups.map((g) => groupKey(scope, g));
    const byKey = new Map<string, number>();
    for (const row of stmt.all(...keys) as Array<{ grp: string; bytes: number }>) byKey.set(row.grp, row.bytes);
    for (let i = 0; i < groups.length; i++) bytes.set(groups[i]!, byKey.get(keys[i]!) ?? 0);
    return bytes;
  }

  /**
   * Events of a group ordered by (ts, id), after/before a position, filtered in SQL by time range and
   * streams. `direction` 'asc' reads forward from `after`; 'desc' reads backward from `before`.
   */
  readEvents(q: {
    region: string;
    accountId: string;
    group: string;
    streams?: string[];
    streamPrefix?: string;
    startTime?: number;
    endTime?: number;
    after?: [number, number];
    before?: [number, number];
    direction: 'asc' | 'desc';
    limit: number;
  }): StoredEvent[] {
    const where = ['grp = ?'];
    const args: unknown[] = [groupKey(q, q.group)];
    if (q.streams?.length) {
      where.push(`stream IN (${q.streams.map(() => '?').join(',')})`);
      args.push(...q.streams);
    }
    if (q.streamPrefix) {
      where.push(startsWithSql('stream'));
      args.push(q.streamPrefix, prefixEnd(q.streamPrefix));
    }
    if (q.startTime !== undefined) {
      where.push('ts >= ?');
      args.push(q.startTime);
    }
    if (q.endTime !== undefined) {
      where.push('ts <= ?');
      args.push(q.endTime);
    }
    if (q.after) {
      where.push('(ts > ? OR (ts = ? AND id > ?))');
      args.push(q.after[0], q.after[0], q.after[1]);
    }
    if (q.before) {
      where.push('(ts < ? OR (ts = ? AND id < ?))');
      args.push(q.before[0], q.before[0], q.before[1]);
    }
    const order = q.direction === 'asc' ? 'ts ASC, id ASC' : 'ts DESC, id DESC';
    args.push(q.limit);
    return this.db.prepare(`SELECT id, stream, ts, ingestion, message FROM logs_events WHERE ${where.join(' AND ')} ORDER BY ${order} LIMIT ?`).all(...args) as StoredEvent[];
  }

  deleteEventsOfGroup(scope: Scope, group: string): void {
    this.db.prepare('DELETE FROM logs_events WHERE grp = ?').run(groupKey(scope, group));
  }

  deleteEventsOfStream(scope: Scope, group: string, stream: string): void {
    this.db.prepare('DELETE FROM logs_events WHERE grp = ? AND stream = ?').run(groupKey(scope, group), stream);
  }

  /** Retention: drops events older than each group's retention. */
  expire(now: number): number {
    let removed = 0;
    for (const g of this.groups.all()) {
      if (!g.retentionInDays) continue;
      const cutoff = now - g.retentionInDays * 86_400_000;
      removed += this.db.prepare('DELETE FROM logs_events WHERE grp = ? AND ts < ?').run(groupKey(g, g.name), cutoff).changes;
    }
    return removed;
  }

  wipeEvents(): void {
    this.db.exec('DELETE FROM logs_events');
  }
}
