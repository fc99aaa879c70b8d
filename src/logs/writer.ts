// The way other products write logs (container output via awslogs, gateway access logs): lines are
// buffered in memory and flushed in one transaction every `flushMs`, so no caller does SQL on its
// hot path. Groups/streams are created on demand when the caller allows it (awslogs-create-group).
import type { Logger } from '../kernel/log.js';
import { groupKey, streamKey, type LogsStore } from './store.js';
import { partitionOf } from '../store/store.js';

export interface LogTarget {
  region: string;
  accountId: string;
  group: string;
  stream: string;
  /** Create the group if missing (awslogs-create-group "true"); the stream is always created. */
  createGroup: boolean;
}

interface Pending {
  target: LogTarget;
  events: Array<{ timestamp: number; message: string }>;
}

export class LogWriter {
  private pending = new Map<string, Pending>();
  private timer: NodeJS.Timeout | undefined;
  private readonly missingGroupWarned = new Set<string>();

  constructor(
    private readonly logs: LogsStore,
    private readonly logger: Logger,
    private readonly flushMs = 200,
  ) {}

  append(target: LogTarget, message: string, timestamp = Date.now()): void {
    const key = `${partitionOf(target)}\0${target.group}\0${target.stream}`;
    let p = this.pending.get(key);
    if (!p) {
      p = { target, events: [] };
      this.pending.set(key, p);
    }
    p.events.push({ timestamp, message });
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.flushMs);
      this.timer.unref();
    }
  }

  /**
   * Creates the target's group (when allowed) and stream now, before any line: what Docker's awslogs
   * driver does when a container starts (an empty `stream`: the group only). False when the group does
   * not exist and may not be created.
   */
  openStream(target: LogTarget): boolean {
    const gk = groupKey(target, target.group);
    const sk = streamKey(target, target.group, target.stream);
    const hasGroup = this.logs.groups.has(gk);
    if (!hasGroup && !target.createGroup) return false;
    if (hasGroup && (!target.stream || this.logs.streams.has(sk))) return true;
    const now = Date.now();
    this.logs.store.withTx(() => {
      if (!this.logs.groups.has(gk))
        this.logs.groups.putTx(gk, { region: target.region, accountId: target.accountId, name: target.group, createdAt: now, logGroupClass: 'STANDARD', tags: {} });
      if (target.stream && !this.logs.streams.has(sk)) this.logs.streams.putTx(sk, { region: target.region, group: target.group, name: target.stream, createdAt: now });
    });
    return true;
  }

  /** Writes everything buffered. Lines for a group that does not exist (and may not be created) are dropped with a warning. */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (!this.pending.size) return;
    const batch = [...this.pending.values()];
    this.pending = new Map();
    const now = Date.now();
    try {
      this.logs.store.withTx(() => {
        for (const { target, events } of batch) {
          const gk = groupKey(target, target.group);
          if (!this.logs.groups.has(gk)) {
            if (!target.createGroup) {
              if (!this.missingGroupWarned.has(gk)) {
                this.missingGroupWarned.add(gk);
                this.logger.warn({ group: target.group, region: target.region }, 'log group does not exist; lines dropped (set awslogs-create-group "true" or create it)');
              }
              continue;
            }
            this.logs.groups.putTx(gk, { region: target.region, accountId: target.accountId, name: target.group, createdAt: now, logGroupClass: 'STANDARD', tags: {} });
          }
          const sk = streamKey(target, target.group, target.stream);
          if (!this.logs.streams.has(sk)) this.logs.streams.putTx(sk, { region: target.region, group: target.group, name: target.stream, createdAt: now });
          this.logs.appendEvents(target, target.group, target.stream, events, now);
        }
      });
    } catch (e) {
      this.logger.error({ err: e }, 'log flush failed');
    }
  }

  clear(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending.clear();
    this.missingGroupWarned.clear();
  }
}
