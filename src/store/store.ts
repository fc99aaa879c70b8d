// The SQLite store: one file in --data-dir, WAL, forward-only migrations, withTx(), and a change feed
// {revision, table, key, op} published to subscribers after each commit (never before: a view or an
// engine never sees a change that could still roll back). Rows are JSON documents by key; products
// declare their tables in migrations (docTableSql) and read/write them through DocTable.
import Database from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from '../kernel/log.js';
import { deepFreeze } from '../kernel/plain-data.js';
import { AWS_REGIONS } from '../kernel/regions.js';
import { WalBarrier } from './wal-barrier.js';

export type ChangeOp = 'put' | 'delete';

/** A committed change; `T` narrows `table` to the names a listener follows (changeIn). */
export interface Change<T extends string = string> {
  revision: number;
  table: T;
  key: string;
  op: ChangeOp;
}

/**
 * Whether a change is to one of `tables`, narrowing its `table` to them. Listeners pass their owner's
 * exported constants (ECS_TABLES, GATEWAY_TABLES, Cloud Map's TABLES), never table names as strings.
 */
export function changeIn<const T extends string>(change: Change, tables: readonly T[]): change is Change<T> {
  return (tables as readonly string[]).includes(change.table);
}

export interface Migration {
  /** Stable, unique, ordered id, e.g. `ec2/001-tables`. Never edit an applied migration; add one. */
  id: string;
  up: string | ((db: Database.Database) => void);
}

export type ChangeListener = (changes: readonly Change[]) => void;

/** How far each `_meta` revision write looks ahead (Store.ceiling). */
const REVISION_BLOCK = 10_000;
const INTERNAL_TABLES = new Set(['_migrations', '_meta']);

/**
 * Whose and where a record lives: an account and a region. Every RequestContext is one, and so is every
 * product record (its `region` and `accountId`). Accounts and regions are fully apart, as on AWS.
 */
export interface Scope {
  readonly region: string;
  readonly accountId: string;
}

/** The account every key belonged to before accounts existed: its keys stay bare-region, so no data moves. */
export const LEGACY_ACCOUNT = '000000000000';

/**
 * The partition of the store a scope owns, the first segment of every product key: the region for the legacy
 * account (rows stored before accounts existed have no `accountId`, hence the fallback), `<account>:<region>`
 * for every other. Never contains '/', so `<partition>/…` prefixes keep scopes apart and regionsInUse works.
 * Every product key is built from it: `scopedKey`, `scopePrefix`, or `partitionOf(scope)` in a key helper.
 */
export function partitionOf(scope: Scope): string {
  return !scope.accountId || scope.accountId === LEGACY_ACCOUNT ? scope.region : `${scope.accountId}:${scope.region}`;
}

/** The scope a partition names (inverse of partitionOf). */
export function scopeOfPartition(partition: string): Scope {
  const colon = partition.indexOf(':');
  return colon < 0 ? { region: partition, accountId: LEGACY_ACCOUNT } : { accountId: partition.slice(0, colon), region: partition.slice(colon + 1) };
}

/** A product document's key: the scope's partition first, so accounts and regions stay apart. */
export const scopedKey = (scope: Scope, id: string): string => `${partitionOf(scope)}/${id}`;

/** The prefix of every key of a scope, for withPrefix / countPrefix scans of "everything in this account and region". */
export const scopePrefix = (scope: Scope): string => `${partitionOf(scope)}/`;

/**
 * The exclusive upper bound of the keys that start with prefix, for `key >= prefix AND key < CAST(end AS TEXT)`:
 * SQLite compares TEXT by its UTF-8 bytes, so `prefix + '\uffff'` is no bound (U+1F600's 4-byte UTF-8 sorts after
 * U+FFFF's 3 bytes, and so does `prefix + '\uffff' + 'y'`). No UTF-8 byte is 0xFF, so the prefix's bytes followed by
 * 0xFF sort after every key that starts with them and before every greater key that does not. It is bound as a BLOB and
 * CAST to TEXT (the same bytes, compared as text) because a BLOB sorts after every TEXT; the range still uses the index.
 */
export function prefixEnd(prefix: string): Buffer {
  return Buffer.concat([Buffer.from(prefix, 'utf8'), Buffer.of(0xff)]);
}

/** SQL for "column starts with the first parameter": bind (prefix, prefixEnd(prefix)). */
export const startsWithSql = (column: string): string => `${column} >= ? AND ${column} < CAST(? AS TEXT)`;

/**
 * SQL for a document table: key → JSON document. A rowid table with the key's index, not WITHOUT ROWID: a
 * document is larger than the quarter page an index cell keeps in place (ECS services are ~1.6 KB), and in a
 * WITHOUT ROWID table every step of a key search through such cells read the whole record from its overflow
 * pages (eight reads and copies per lookup, ~10 % of a CreateService). Here the search walks small (key,
 * rowid) cells and reads one document. Tables created before keep their layout; both answer the same.
 */
export function docTableSql(table: string): string {
  return `CREATE TABLE ${table} (key TEXT PRIMARY KEY NOT NULL, doc TEXT NOT NULL);`;
}

export class Store {
  readonly db: Database.Database;
  private depth = 0;
  private pending: Array<Omit<Change, 'revision'>> = [];
  /** Outermost transactions begun so far (withTx); see `transaction`. */
  private txCount = 0;
  private publishing = 0;
  private rev: number;
  /**
   * What `_meta` holds: no revision above it was handed out. Raised by REVISION_BLOCK in the commit that would
   * pass it (one `_meta` write per block of changes, not per commit: a frame of WAL less per write), and set to
   * the exact revision at close. So revisions only grow across restarts; after a crash they skip a gap.
   */
  private ceiling: number;
  private readonly listeners = new Set<ChangeListener>();
  private readonly tables = new Map<string, DocTable<unknown>>();
  private regionScans?: Database.Statement[];
  /** How many deferSync calls are on the stack: their acknowledged commits wait for the barrier, not at COMMIT. */
  private deferring = 0;
  // Prepared once: a commit is three statements, and preparing them again each time was a tenth of CreateService.
  private readonly beginStmt: Database.Statement;
  private readonly commitStmt: Database.Statement;
  private readonly revisionStmt: Database.Statement;
  private readonly savepointStmt: Database.Statement;
  private readonly releaseStmt: Database.Statement;
  private readonly rollbackToStmt: Database.Statement;

  private constructor(
    db: Database.Database,
    private readonly logger: Logger,
    /** The durability barrier (group commit, wal-barrier.ts); none for an in-memory store. */
    readonly barrier: WalBarrier | undefined,
  ) {
    this.db = db;
    this.rev = Number((db.prepare(`SELECT value FROM _meta WHERE key = 'revision'`).get() as { value: string } | undefined)?.value ?? 0);
    this.ceiling = this.rev;
    this.beginStmt = db.prepare('BEGIN IMMEDIATE');
    this.commitStmt = db.prepare('COMMIT');
    this.revisionStmt = db.prepare(`INSERT INTO _meta (key, value) VALUES ('revision', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`);
    this.savepointStmt = db.prepare('SAVEPOINT part');
    this.releaseStmt = db.prepare('RELEASE part');
    this.rollbackToStmt = db.prepare('ROLLBACK TO part');
  }

  /** Opens (creating if needed) `<dir>/wayfinder.db`, or an in-memory store for ':memory:'. */
  static open(dir: string, migrations: Migration[], logger: Logger): Store {
    let file = ':memory:';
    if (dir !== ':memory:') {
      mkdirSync(dir, { recursive: true });
      file = join(dir, 'wayfinder.db');
    }
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    // No fsync at COMMIT: an acknowledged write is made durable by the barrier (withTx, deferSync), which
    // syncs the WAL once for every write before it. A write survives kill -9 and power loss once acknowledged.
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    db.pragma('busy_timeout = 5000');
    db.exec(`CREATE TABLE IF NOT EXISTS _migrations (id TEXT PRIMARY KEY, applied_at INTEGER NOT NULL);
             CREATE TABLE IF NOT EXISTS _meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);`);
    const applied = new Set((db.prepare('SELECT id FROM _migrations').all() as Array<{ id: string }>).map((r) => r.id));
    const seen = new Set<string>();
    for (const m of migrations) {
      if (seen.has(m.id)) throw new Error(`duplicate migration id ${m.id}`);
      seen.add(m.id);
      if (applied.has(m.id)) continue;
      db.transaction(() => {
        if (typeof m.up === 'string') db.exec(m.up);
        else m.up(db);
        db.prepare('INSERT INTO _migrations (id, applied_at) VALUES (?, ?)').run(m.id, Date.now());
      })();
      logger.debug({ migration: m.id }, 'migration applied');
    }
    return new Store(db, logger, file === ':memory:' ? undefined : new WalBarrier(file));
  }

  get revision(): number {
    return this.rev;
  }

  get inTransaction(): boolean {
    return this.depth > 0;
  }

  /** The number of the outermost transaction running now (each one gets the next), 0 outside one. */
  get transaction(): number {
    return this.depth > 0 ? this.txCount : 0;
  }

  /** The number of the transaction whose changes listeners are being told of now, 0 when none is. */
  get publishingTransaction(): number {
    return this.publishing;
  }

  /**
   * Runs fn in a transaction (nested calls join the outer one). Changes recorded by DocTable writes are
   * published after the outermost COMMIT, each with its own monotonic revision.
   *
   * Durability: every transaction commits into the WAL without an fsync (synchronous = NORMAL: safe from a
   * crash of the process at once). An 'acknowledged' write (the default: what an API call answers for) is
   * then made durable by the barrier, one fdatasync of the WAL (wal-barrier.ts): at once, before withTx
   * returns and before the change is published, unless it runs inside deferSync, where the caller (the
   * protocol dispatcher) awaits durable() before it answers, sharing one barrier with every call answered
   * in the same turn (group commit). A 'background' write is one no caller waits to be told is safe, an
   * engine's own step (a task moving PENDING → RUNNING, its Cloud Map registration): no barrier of its own,
   * it is made durable by the next barrier or checkpoint (a power cut may lose the last ones, as it loses
   * the tasks they describe). At start-up 500 tasks take some 4,000 such steps.
   */
  withTx<T>(fn: () => T, durability: 'acknowledged' | 'background' = 'acknowledged'): T {
    if (this.depth > 0) {
      this.depth++;
      try {
        return fn();
      } finally {
        this.depth--;
      }
    }
    let result: T;
    const tx = ++this.txCount;
    try {
      this.beginStmt.run();
      this.depth = 1;
      result = fn();
      if (result instanceof Promise) throw new Error('withTx callbacks must be synchronous');
      const upTo = this.rev + this.pending.length;
      const raised = upTo > this.ceiling ? upTo + REVISION_BLOCK : undefined;
      if (raised !== undefined) this.revisionStmt.run(String(raised));
      this.commitStmt.run();
      if (raised !== undefined) this.ceiling = raised;
    } catch (e) {
      this.depth = 0;
      this.pending = [];
      if (this.db.inTransaction) this.db.exec('ROLLBACK');
      throw e;
    }
    this.depth = 0;
    const changes = this.pending.map((c) => ({ ...c, revision: ++this.rev }));
    this.pending = [];
    // Even without recorded changes: a product may write rows by its own statements (no DocTable).
    let unsynced: unknown;
    if (durability === 'acknowledged' && this.barrier) {
      if (this.deferring > 0) this.barrier.deferred();
      else {
        try {
          this.barrier.syncNow();
        } catch (e) {
          unsynced = e; // committed all the same: published below, so no view misses it; the caller is told
        }
      }
    }
    if (changes.length) {
      // A listener may commit (and publish) a transaction of its own: the outer one is restored after it.
      const outer = this.publishing;
      this.publishing = tx;
      try {
        this.publish(changes);
      } finally {
        this.publishing = outer;
      }
    }
    if (unsynced !== undefined) throw unsynced;
    return result;
  }

  /**
   * Runs fn inside the current transaction (it must be in one) as a part that can fail alone: when fn throws,
   * its writes and the changes they recorded are undone, the error is thrown on, and the enclosing
   * transaction goes on with what it wrote before. Nested parts nest.
   */
  partTx<T>(fn: () => T): T {
    if (this.depth === 0) throw new Error('partTx outside withTx');
    const mark = this.pending.length;
    this.savepointStmt.run();
    this.depth++;
    try {
      const result = fn();
      this.releaseStmt.run();
      return result;
    } catch (e) {
      this.pending.length = mark;
      this.rollbackToStmt.run();
      this.releaseStmt.run();
      throw e;
    } finally {
      this.depth--;
    }
  }

  /**
   * Runs fn (an API handler's synchronous part) with its acknowledged commits, and those of the listeners
   * they wake, left to the next shared barrier: the caller must await durable() before it answers.
   * A commit made after fn returned (an async handler's later step) is synced at once, as everywhere.
   */
  deferSync<T>(fn: () => T): T {
    this.deferring++;
    try {
      return fn();
    } finally {
      this.deferring--;
    }
  }

  /** undefined when every acknowledged commit is on disk; else a promise settled when it is (group commit). */
  durable(): Promise<void> | undefined {
    return this.barrier?.durable();
  }

  /** Subscribes to committed changes. Listeners run synchronously after commit and must be cheap. */
  subscribe(listener: ChangeListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  table<T>(name: string): DocTable<T> {
    let t = this.tables.get(name);
    if (!t) {
      t = new DocTable<unknown>(this, name);
      this.tables.set(name, t);
    }
    return t as DocTable<T>;
  }

  /** Whether the current transaction wrote (or deleted) this row: its text there is not committed yet. */
  wroteInTx(table: string, key: string): boolean {
    for (let i = this.pending.length - 1; i >= 0; i--) {
      const c = this.pending[i]!;
      if (c.key === key && c.table === table) return true;
    }
    return false;
  }

  /** Records a change of the current transaction (DocTable calls this). */
  recordTx(table: string, key: string, op: ChangeOp): void {
    if (this.depth === 0) throw new Error(`write to ${table} outside withTx`);
    // A written row's kept view goes now: before the commit and its publication, whatever happens after.
    this.tables.get(table)?.forgetView(key);
    this.pending.push({ table, key, op });
  }

  /** Deletes every row of every product table, publishing the deletes (reset endpoint). */
  wipe(): void {
    const tables = this.userTables();
    this.withTx(() => {
      for (const name of tables) {
        if (this.hasKeyColumn(name)) {
          for (const row of this.db.prepare(`SELECT key FROM ${name}`).all() as Array<{ key: string }>) this.recordTx(name, row.key, 'delete');
        }
        this.db.exec(`DELETE FROM ${name}`);
      }
    });
  }

  /**
   * The regions that hold any document of an account (every account when none is given), for the CLI's
   * overview: product keys are `<partition>/…` (partitionOf). It skip-scans each table's primary key, so it
   * costs a few lookups per partition and table, whatever the row count.
   */
  regionsInUse(accountId?: string): string[] {
    const regions = new Set<string>();
    for (const partition of this.partitionsInUse()) {
      const scope = scopeOfPartition(partition);
      // Global products (IAM) key by account alone: only real regions are regions in use.
      if (AWS_REGIONS.has(scope.region) && (accountId === undefined || scope.accountId === accountId)) regions.add(scope.region);
    }
    return [...regions].sort();
  }

  private partitionsInUse(): string[] {
    // The tables are fixed once migrations ran (at open), so the statements are prepared once.
    this.regionScans ??= this.userTables()
      .filter((name) => this.hasKeyColumn(name))
      .map((name) => this.db.prepare(`SELECT key FROM ${name} WHERE key >= ? ORDER BY key LIMIT 1`).pluck());
    const found = new Set<string>();
    for (const next of this.regionScans) {
      // '0' sorts right after '/', so `<prefix>0` is the first key past every `<prefix>/…` key.
      for (let key = next.get('') as string | undefined; key !== undefined; ) {
        const slash = key.indexOf('/');
        if (slash < 0) {
          key = next.get(key + '\0') as string | undefined;
          continue;
        }
        const prefix = key.slice(0, slash);
        found.add(prefix);
        key = next.get(prefix + '0') as string | undefined;
      }
    }
    return [...found].sort();
  }

  close(): void {
    // The exact revision, so a clean restart goes on from it (a crash leaves the ceiling: a gap, never a repeat).
    // Only a store that raised the ceiling writes: a gateway worker's reader connection never does.
    if (this.db.open && this.ceiling > this.rev && !this.db.inTransaction) {
      try {
        this.revisionStmt.run(String(this.rev));
        this.ceiling = this.rev;
      } catch (e) {
        this.logger.warn({ err: e }, 'could not record the store revision at close; the next start skips ahead');
      }
    }
    this.barrier?.close();
    if (this.db.open) this.db.close();
  }

  private hasKeyColumn(table: string): boolean {
    return (this.db.prepare(`PRAGMA table_info(${table})`).all() as Array<{ name: string }>).some((c) => c.name === 'key');
  }

  private userTables(): string[] {
    return (this.db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'`).all() as Array<{ name: string }>)
      .map((r) => r.name)
      .filter((n) => !INTERNAL_TABLES.has(n));
  }

  /**
   * Publishes changes another connection committed to the same file: a gateway worker thread's store
   * follows the main thread's writes this way (src/gateway/workers/), its views re-reading what changed.
   */
  replay(changes: readonly Change[]): void {
    for (const c of changes) this.tables.get(c.table)?.forgetView(c.key);
    this.publish(changes);
  }

  private publish(changes: readonly Change[]): void {
    for (const l of this.listeners) {
      try {
        l(changes);
      } catch (e) {
        this.logger.error({ err: e }, 'change listener failed');
      }
    }
  }
}

/** Frozen documents a DocTable keeps for view(); past it, the table's views start again empty. */
const VIEWS_MAX = 1024;

/** A key → JSON document table. Writes must happen inside Store.withTx; identical rewrites are skipped. */
export class DocTable<T> {
  private readonly getStmt: Database.Statement;
  private readonly putStmt: Database.Statement;
  private readonly delStmt: Database.Statement;
  private readonly allStmt: Database.Statement;
  private readonly rangeStmt: Database.Statement;
  private readonly countStmt: Database.Statement;
  private readonly firstPageStmt: Database.Statement;
  private readonly nextPageStmt: Database.Statement;
  private readonly entriesStmt: Database.Statement;
  private readonly fieldStmts = new Map<string, Database.Statement>();
  /** Documents view() read from committed rows, deep-frozen; a key is dropped when this table writes it. */
  private views = new Map<string, T>();

  constructor(
    private readonly store: Store,
    readonly name: string,
  ) {
    const db = store.db;
    this.getStmt = db.prepare(`SELECT doc FROM ${name} WHERE key = ?`).pluck();
    this.putStmt = db.prepare(`INSERT INTO ${name} (key, doc) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET doc = excluded.doc`);
    this.delStmt = db.prepare(`DELETE FROM ${name} WHERE key = ?`);
    this.allStmt = db.prepare(`SELECT doc FROM ${name} ORDER BY key`).pluck();
    this.rangeStmt = db.prepare(`SELECT doc FROM ${name} WHERE ${startsWithSql('key')} ORDER BY key`).pluck();
    this.countStmt = db.prepare(`SELECT count(*) FROM ${name} WHERE ${startsWithSql('key')}`).pluck();
    this.firstPageStmt = db.prepare(`SELECT doc FROM ${name} WHERE ${startsWithSql('key')} ORDER BY key LIMIT ?`).pluck();
    this.entriesStmt = db.prepare(`SELECT key, doc FROM ${name} ORDER BY key`);
    this.nextPageStmt = db.prepare(`SELECT doc FROM ${name} WHERE key > ? AND key < CAST(? AS TEXT) ORDER BY key LIMIT ?`).pluck();
  }

  get(key: string): T | undefined {
    const doc = this.getStmt.get(key) as string | undefined;
    return doc === undefined ? undefined : (JSON.parse(doc) as T);
  }

  /**
   * A document for reading only: deep-frozen and shared by every caller until this table writes that key
   * (putTx, deleteTx, a wipe, a replayed change). For documents read on a hot path and rarely written (the
   * cluster and task definition every CreateService reads): no query and no JSON.parse after the first read.
   * Only committed rows are kept: a row the current transaction wrote is read from SQLite and not kept (and its
   * write dropped the key, so a rollback leaves nothing stale). At most VIEWS_MAX per table.
   */
  view(key: string): T | undefined {
    const kept = this.views.get(key);
    if (kept !== undefined) return kept;
    const doc = this.getStmt.get(key) as string | undefined;
    if (doc === undefined) return undefined;
    const value = deepFreeze(JSON.parse(doc) as T);
    if (!this.store.wroteInTx(this.name, key)) {
      if (this.views.size >= VIEWS_MAX) this.views.clear();
      this.views.set(key, value);
    }
    return value;
  }

  forgetView(key: string): void {
    this.views.delete(key);
  }

  /**
   * The stored JSON text of a document: a reconciler that reads it, changes the parsed copy and serializes it
   * again can tell, by comparing the two texts, that it changed nothing and skip its transaction.
   */
  getDoc(key: string): string | undefined {
    return this.getStmt.get(key) as string | undefined;
  }

  has(key: string): boolean {
    return this.getStmt.get(key) !== undefined;
  }

  /** All documents, ordered by key. */
  all(): T[] {
    return (this.allStmt.all() as string[]).map((d) => JSON.parse(d) as T);
  }

  /**
   * One field of every document, with its key, ordered by key: SQLite reads it out of the JSON, so a start-up
   * pass over thousands of rows parses none of them in JavaScript. `path` is a JSON path such as '$.service'.
   */
  field(path: string): Array<{ key: string; value: unknown }> {
    let stmt = this.fieldStmts.get(path);
    if (!stmt) this.fieldStmts.set(path, (stmt = this.store.db.prepare(`SELECT key, json_extract(doc, ?) AS value FROM ${this.name} ORDER BY key`).bind(path)));
    return stmt.all() as Array<{ key: string; value: unknown }>;
  }

  /** Every document with its key, ordered by key (for documents that do not carry their own key). */
  entries(): Array<[string, T]> {
    return (this.entriesStmt.all() as Array<{ key: string; doc: string }>).map((r) => [r.key, JSON.parse(r.doc) as T]);
  }

  /** Documents whose key starts with prefix, ordered by key (child resources: `${parent}/${id}`). */
  withPrefix(prefix: string): T[] {
    return (this.rangeStmt.all(prefix, prefixEnd(prefix)) as string[]).map((d) => JSON.parse(d) as T);
  }

  /**
   * Up to `limit` documents under prefix (every one when limit < 0) whose key sorts after `prefix + after`
   * (from the first when after is undefined), ordered by key: one walk of the primary key, for List*
   * pages that cost the same whatever the table holds (kernel/paginate.ts pageFrom).
   */
  pageWithPrefix(prefix: string, after: string | undefined, limit: number): T[] {
    const end = prefixEnd(prefix);
    const docs = (after === undefined ? this.firstPageStmt.all(prefix, end, limit) : this.nextPageStmt.all(prefix + after, end, limit)) as string[];
    return docs.map((d) => JSON.parse(d) as T);
  }

  countPrefix(prefix: string): number {
    return this.countStmt.get(prefix, prefixEnd(prefix)) as number;
  }

  /**
   * Inserts or replaces; returns false (and records nothing) when the stored document is identical. `doc` is
   * `JSON.stringify(value)` when the caller has it already (serializing a service is ~8 µs).
   */
  putTx(key: string, value: T, doc: string = JSON.stringify(value)): boolean {
    if (this.getStmt.get(key) === doc) return false;
    this.store.recordTx(this.name, key, 'put');
    this.putStmt.run(key, doc);
    return true;
  }

  /** Deletes; returns false (and records nothing) when there was no such row. */
  deleteTx(key: string): boolean {
    if (this.getStmt.get(key) === undefined) return false;
    this.store.recordTx(this.name, key, 'delete');
    this.delStmt.run(key);
    return true;
  }
}
