// Custom health (HealthCheckCustomConfig): UpdateInstanceCustomHealthStatus and CloudMapApi's
// setCustomHealth record the change as pending; it takes effect `healthDelayMs` later (AWS: ~30 s,
// Wayfinder's default 1 s). This engine applies pending changes when due. It is woken by the change
// feed and reads due times from the records, so changes pending across a restart still apply.
import type { Logger } from '../kernel/log.js';
import type { Change, Store } from '../store/store.js';
import { instanceKey, TABLES, type CloudMapStore } from './store.js';
import { applyDueHealthTx } from './writes.js';

export class CustomHealthEngine {
  private readonly timers = new Map<string, { at: number; timer: NodeJS.Timeout }>();
  private unsubscribe?: () => void;

  constructor(
    private readonly cm: CloudMapStore,
    private readonly store: Store,
    private readonly logger: Logger,
  ) {}

  start(): void {
    this.unsubscribe = this.store.subscribe((changes) => this.onChanges(changes));
    for (const inst of this.cm.instances.all()) this.check(instanceKey(inst, inst.serviceId, inst.id));
  }

  stop(): void {
    this.unsubscribe?.();
    this.clear();
  }

  /** Drops every timer (reset wipes the records they were for). */
  clear(): void {
    for (const t of this.timers.values()) clearTimeout(t.timer);
    this.timers.clear();
  }

  get pendingCount(): number {
    return this.timers.size;
  }

  private onChanges(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.table !== TABLES.health) continue;
      if (c.op === 'delete') this.cancel(c.key);
      else this.check(c.key);
    }
  }

  private cancel(key: string): void {
    const t = this.timers.get(key);
    if (t) clearTimeout(t.timer);
    this.timers.delete(key);
  }

  private check(key: string): void {
    const at = this.cm.health.get(key)?.pending?.at;
    if (at === undefined) return this.cancel(key);
    if (this.timers.get(key)?.at === at) return;
    this.cancel(key);
    const timer = setTimeout(() => this.fire(key), Math.max(0, at - Date.now()));
    timer.unref();
    this.timers.set(key, { at, timer });
  }

  private fire(key: string): void {
    this.timers.delete(key);
    try {
      this.store.withTx(() => applyDueHealthTx(this.cm, key, Date.now()), 'background'); // the pending change is stored; applying it is ours
    } catch (e) {
      this.logger.error({ err: e, key }, 'applying a custom health change failed');
    }
    this.check(key); // still pending (clock skew): re-arm
  }
}
