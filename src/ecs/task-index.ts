// Which tasks belong to which service, in memory, so the scheduler and DescribeServices never scan
// the task table. Built once at start; kept current by the scheduler (it creates service tasks) and
// by the change feed (deletes, and any task it has not seen).
import { serviceKey, type EcsStore } from './store.js';

export class TaskIndex {
  private readonly byService = new Map<string, Set<string>>();
  private readonly serviceOf = new Map<string, string | null>();

  constructor(private readonly ecs: EcsStore) {}

  rebuild(): void {
    this.byService.clear();
    this.serviceOf.clear();
    // Keys are `<partition>/<cluster>/<taskId>` (taskKey), so the service name is the one field read.
    for (const { key, value } of this.ecs.tasks.field('$.service')) {
      const cluster = key.slice(0, key.lastIndexOf('/'));
      this.add(key, typeof value === 'string' ? `${cluster}/${value}` : null);
    }
  }

  add(taskKey: string, svcKey: string | null): void {
    this.serviceOf.set(taskKey, svcKey);
    if (!svcKey) return;
    let set = this.byService.get(svcKey);
    if (!set) this.byService.set(svcKey, (set = new Set()));
    set.add(taskKey);
  }

  remove(taskKey: string): void {
    const svc = this.serviceOf.get(taskKey);
    this.serviceOf.delete(taskKey);
    if (svc) this.byService.get(svc)?.delete(taskKey);
  }

  /** The service a task belongs to (null for standalone tasks); reads the record the first time. */
  serviceOfTask(taskKey: string): string | null {
    const known = this.serviceOf.get(taskKey);
    if (known !== undefined) return known;
    const t = this.ecs.tasks.get(taskKey);
    if (!t) return null;
    const svc = t.service ? serviceKey(t, t.cluster, t.service) : null;
    this.add(taskKey, svc);
    return svc;
  }

  tasksOf(svcKey: string): string[] {
    return [...(this.byService.get(svcKey) ?? [])];
  }

  clear(): void {
    this.byService.clear();
    this.serviceOf.clear();
  }
}
