// The service controller: a level-based reconcile per service key (docs/architecture.md §12 habits 6–7). Each pass
// reads the service and its tasks, asks the pure planner what to do, and applies the answer in one
// transaction — new task records (the task engine starts them), stop requests, deployment states,
// events. Nothing here touches a runtime: the change feed wakes the task engine.
//
// Replacement backoff: tasks that fail (exit, fail to start, fail health checks) are replaced at once
// the first time; further consecutive failures wait 1 s, 2 s, 4 s … up to a minute before the next
// launch, and ECS's "unable to consistently start tasks" event is written. A task that becomes
// healthy resets the streak.
import type { Ec2Api } from '../../ec2/api.js';
import { deepCopy } from '../../kernel/plain-data.js';
import type { Logger } from '../../kernel/log.js';
import { WorkQueue, type ReconcileResult } from '../../loop/work-queue.js';
import { parseTaskDefinitionRef } from '../arns.js';
import { serviceKey, taskDefinitionKey, taskKey, type DeploymentRecord, type EcsStore, type ServiceRecord, type TaskRecord } from '../store.js';
import type { TaskIndex } from '../task-index.js';
import { launchTags, newTask, placeTask } from '../tasks/launch.js';
import { requestStop } from '../tasks/lifecycle.js';
import { addEvent, newDeployment, promote } from './deployments.js';
import { rolloutReasons, serviceEvents, stopReasons } from './events.js';
import { plan, type PlanTask } from './plan.js';

const BACKOFF_BASE_MS = 1000;
const BACKOFF_MAX_MS = 60_000;
const THROTTLE_EVENT_STREAK = 3;
const SETTLE_MARGIN_MS = 50;

interface Backoff {
  primed: boolean;
  seen: Set<string>;
  streak: number;
  lastFailureAt: number;
  nextLaunchAt: number;
}

export interface ControllerDeps {
  ecs: EcsStore;
  ec2: Ec2Api;
  index: TaskIndex;
  logger: Logger;
  /** How long a custom-health change takes to show in Cloud Map (Cloud Map's health delay). */
  settleMs: number;
  /**
   * A task without container health checks counts as healthy once it has been RUNNING this long
   * (AWS waits ~40 s); a command that crashes right after starting never does.
   */
  stableMs: number;
  now?: () => number;
}

/** What the scheduler keeps of a STOPPED task (final), instead of reading its record at every reconcile. */
interface StoppedTask {
  taskId: string;
  startedBy?: string;
  failure: boolean;
}

/** Whether a plan asks nothing of the service it was made for: no task to start or stop, no state to change, no event. */
function nothingPlanned(p: ReturnType<typeof plan>, s: ServiceRecord): boolean {
  return p.launch === 0 && !p.stop.length && !p.retire.length && !p.tripped && !p.completed && !p.blocked && p.steady === s.steady;
}

/** A task that failed, for the circuit breaker and the backoff (stopped by its own doing, not ours). */
export function isFailure(t: TaskRecord): boolean {
  return t.stopCode === 'TaskFailedToStart' || t.stopCode === 'EssentialContainerExited' || t.stoppedReason === stopReasons.failedHealth;
}

export class ServiceController {
  private queue: WorkQueue;
  private readonly backoff = new Map<string, Backoff>();
  /**
   * Service key → keys of its tasks already read as STOPPED, which a reconcile does not read again.
   * STOPPED is final (the engine never moves a task out of it; its stop code and reason are set
   * before), so nothing here goes stale; a service keeps its stopped tasks until housekeeping (hundreds
   * at 50 tasks a service after a few restarts), and each of its task changes reconciles it once more.
   */
  private readonly stoppedRead = new Map<string, Map<string, StoppedTask>>();
  /**
   * Service key → the stored text of a service a pass left with nothing more to do: the service has no task,
   * the pass wanted no timed re-check, and the planner, asked again on what the pass wrote, plans nothing.
   * The pass that write wakes reads the same text and stops there; any other write of the service changes
   * the text, and a task change (taskChanged) drops the mark, so the pass after either is a full one.
   */
  private readonly settled = new Map<string, string>();
  /**
   * Service key → the transaction (Store.transaction) whose first pass settled the new service. That
   * transaction's own change of the service then wakes no pass: the pass would read back the text the first
   * pass wrote and stop (its creator writes nothing more of the service after firstPassTx). Any other
   * transaction's change, a rolled back one's number included, runs the pass as before.
   */
  private readonly settledIn = new Map<string, number>();
  private readonly now: () => number;
  private halted = false;

  constructor(private readonly deps: ControllerDeps) {
    this.now = deps.now ?? Date.now;
    this.queue = this.newQueue();
  }

  private newQueue(): WorkQueue {
    return new WorkQueue('ecs-services', (key) => this.reconcile(key), { logger: this.deps.logger, concurrency: 4 });
  }

  add(key: string): void {
    const tx = this.settledIn.get(key);
    if (tx !== undefined) {
      this.settledIn.delete(key);
      if (tx === this.deps.ecs.store.publishingTransaction && this.settled.delete(key)) return;
    }
    this.queue.add(key);
  }

  /** A task of the service changed: its next pass is a full one. */
  taskChanged(key: string): void {
    this.settled.delete(key);
    this.settledIn.delete(key);
    this.queue.add(key);
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  async stop(): Promise<void> {
    this.halted = true;
    await this.queue.stop();
  }

  async reset(): Promise<void> {
    this.halted = true;
    await this.queue.stop();
    this.backoff.clear();
    this.stoppedRead.clear();
    this.settled.clear();
    this.settledIn.clear();
    this.queue = this.newQueue();
    this.halted = false;
  }

  /**
   * The first pass of a new service (`created`: its record, not written yet), inside the creator's transaction:
   * the pass writes the service once, with its answer (the new service's tasks, its deployment completed, its
   * steady state), in one commit. A failing pass is undone alone (Store.partTx), logged, and false is returned:
   * the creator then writes the service as created, and the pass its commit wakes (the change feed) runs it
   * again with the queue's retries. That pass also sets any timed re-check (requeueAfter), which is why this
   * one's is not kept. The creator writes nothing more of the service in its transaction (see settledIn).
   */
  firstPassTx(key: string, created: ServiceRecord): boolean {
    if (this.halted) return false; // stopping or resetting: the queue takes no work either
    try {
      this.deps.ecs.store.partTx(() => this.reconcile(key, created));
      if (this.settled.has(key)) this.settledIn.set(key, this.deps.ecs.store.transaction);
      return true;
    } catch (e) {
      this.deps.logger.warn({ key, err: e instanceof Error ? e.message : String(e) }, 'first scheduler pass failed; the next one retries');
      return false;
    }
  }

  /**
   * One pass over a service. `created`: the record of a service its creator has not written yet (firstPassTx),
   * taken as the stored one and always written, with what the pass changed (in a copy).
   */
  reconcile(key: string, created?: ServiceRecord): ReconcileResult | void {
    const { ecs } = this.deps;
    // The stored text is kept: a pass that leaves the service as it was is told by comparing texts (below). A first
    // pass has none (its service is not written yet), so it never stops here.
    const stored = created === undefined ? ecs.services.getDoc(key) : undefined;
    const settled = this.settled.get(key);
    if (settled !== undefined) {
      this.settled.delete(key);
      if (stored === settled) return; // the service as the last pass left it, with nothing to do
    }
    // A first pass works on a copy of the creator's record, which stays as created (the creator answers with it, and
    // writes it if the pass fails).
    const svc = created !== undefined ? deepCopy(created) : stored === undefined ? undefined : (JSON.parse(stored) as ServiceRecord);
    if (!svc || svc.status === 'INACTIVE') {
      this.backoff.delete(key);
      this.stoppedRead.delete(key);
      if (svc && created !== undefined) ecs.services.putTx(key, svc);
      return;
    }
    const now = this.now();
    const keys = this.deps.index.tasksOf(key);
    let stopped = this.stoppedRead.get(key);
    if (!stopped) this.stoppedRead.set(key, (stopped = new Map()));
    const present = new Set(keys);
    for (const k of stopped.keys()) if (!present.has(k)) stopped.delete(k);
    // Every task not known to be STOPPED is read; the known ones count by what was kept of them.
    const tasks: TaskRecord[] = [];
    for (const k of keys) {
      const t = stopped.has(k) ? undefined : ecs.tasks.get(k);
      if (!t) continue;
      tasks.push(t);
      if (t.lastStatus === 'STOPPED') stopped.set(k, { taskId: t.taskId, startedBy: t.startedBy, failure: isFailure(t) });
    }
    const live = tasks.filter((t) => t.lastStatus !== 'STOPPED');
    const wake: number[] = [];

    // Replacement backoff from newly seen failures.
    const bo = this.backoff.get(key) ?? { primed: false, seen: new Set<string>(), streak: 0, lastFailureAt: 0, nextLaunchAt: 0 };
    this.backoff.set(key, bo);
    const failed: Array<Pick<StoppedTask, 'taskId' | 'startedBy'>> = [...stopped.values()].filter((t) => t.failure);
    for (const t of tasks) if (t.lastStatus !== 'STOPPED' && isFailure(t)) failed.push(t);
    const fresh = failed.filter((t) => !bo.seen.has(t.taskId));
    for (const t of fresh) bo.seen.add(t.taskId);
    if (bo.primed && fresh.length) {
      bo.streak += fresh.length;
      bo.lastFailureAt = now;
      bo.nextLaunchAt = bo.streak <= 1 ? now : now + Math.min(BACKOFF_MAX_MS, BACKOFF_BASE_MS * 2 ** (bo.streak - 2));
    }
    bo.primed = true;
    if (
      bo.streak &&
      live.some((t) => t.healthStatus !== 'UNHEALTHY' && t.lastStatus === 'RUNNING' && (t.healthySince ?? t.startedAt ?? 0) > bo.lastFailureAt && this.isHealthy(t, now))
    ) {
      bo.streak = 0;
      bo.nextLaunchAt = 0;
    }
    // Task keys end with the task id (taskKey): forget failures whose task housekeeping removed.
    const ids = new Set(keys.map((k) => k.slice(k.lastIndexOf('/') + 1)));
    for (const id of bo.seen) if (!ids.has(id)) bo.seen.delete(id);
    const launchHeld = now < bo.nextLaunchAt;
    if (launchHeld) wake.push(bo.nextLaunchAt);

    const grace = (svc.healthCheckGracePeriodSeconds ?? 0) * 1000;
    const planTasks: PlanTask[] = live.map((t) => {
      const unhealthy = t.healthStatus === 'UNHEALTHY' && t.desiredStatus === 'RUNNING';
      const graceEnds = (t.startedAt ?? t.createdAt) + grace;
      if (unhealthy && now < graceEnds) wake.push(graceEnds);
      const settleAt = t.healthStatus === 'HEALTHY' ? this.settlesAt(t) : undefined;
      if (settleAt !== undefined && settleAt > now) wake.push(settleAt);
      const stableAt = (t.startedAt ?? 0) + this.deps.stableMs;
      if (t.lastStatus === 'RUNNING' && stableAt > now) wake.push(stableAt);
      return {
        id: t.taskId,
        deploymentId: t.startedBy,
        lastStatus: t.lastStatus,
        desiredStatus: t.desiredStatus,
        healthy: this.isHealthy(t, now),
        failedHealth: unhealthy && now >= graceEnds,
        createdAt: t.createdAt,
      };
    });
    const failedByDeployment = new Map<string, number>();
    for (const t of failed) if (t.startedBy) failedByDeployment.set(t.startedBy, (failedByDeployment.get(t.startedBy) ?? 0) + 1);

    const planFor = (s: ServiceRecord) =>
      plan({
        status: s.status === 'DRAINING' ? 'DRAINING' : 'ACTIVE',
        desiredCount: s.schedulingStrategy === 'DAEMON' ? 1 : s.desiredCount,
        minimumHealthyPercent: s.deploymentConfiguration.minimumHealthyPercent,
        maximumPercent: s.deploymentConfiguration.maximumPercent,
        circuitBreaker: s.deploymentConfiguration.deploymentCircuitBreaker,
        deployments: s.deployments.map((d) => ({ ...d, failedTasks: Math.max(d.failedTasks, failedByDeployment.get(d.id) ?? 0) })),
        tasks: planTasks,
        launchHeld,
      });
    const p = planFor(svc);

    // Applies the plan to the service read above, not read again: nothing ran in between (this pass is
    // synchronous to here), and the plan's copy of its deployments left it as stored. Task writes need the
    // transaction; the service's own changes are written by the caller.
    const apply = (): void => {
      const s = svc;
      for (const d of s.deployments) d.failedTasks = Math.max(d.failedTasks, failedByDeployment.get(d.id) ?? 0);
      const primary = s.deployments.find((d) => d.status === 'PRIMARY') ?? s.deployments[0];

      // Stops first (their events come before the starts, as the scheduler did them first).
      const stoppedIds: string[] = [];
      for (const st of p.stop) {
        const k = taskKey(s, s.cluster, st.taskId);
        const reason = st.kind === 'failed-health' ? stopReasons.failedHealth : stopReasons.scaling(primary?.id ?? 'unknown');
        const t = ecs.tasks.get(k);
        if (t?.desiredStatus !== 'RUNNING') continue;
        ecs.tasks.putTx(k, requestStop(t, 'ServiceSchedulerInitiated', reason, now));
        if (st.kind === 'failed-health') addEvent(s, serviceEvents.failedHealth(s.name, st.taskId), now);
        stoppedIds.push(st.taskId);
      }
      if (stoppedIds.length) addEvent(s, serviceEvents.stopped(s.name, stoppedIds), now);

      if (p.launch > 0 && primary) {
        const started = this.launch(s, primary, p.launch, now);
        if (started.length) addEvent(s, serviceEvents.started(s.name, started), now);
      }

      if (bo.streak >= THROTTLE_EVENT_STREAK && launchHeld) addEvent(s, serviceEvents.throttled(s.name), now, true);

      if (p.retire.length) s.deployments = s.deployments.filter((d) => !p.retire.includes(d.id));

      if (p.tripped && primary) {
        primary.rolloutState = 'FAILED';
        primary.rolloutStateReason = rolloutReasons.circuitBreakerFailed;
        primary.updatedAt = now;
        addEvent(s, serviceEvents.deploymentFailed(s.name, primary.id), now);
        const back = s.lastCompleted;
        if (s.deploymentConfiguration.deploymentCircuitBreaker.rollback && back && back.taskDefinition !== primary.taskDefinition) {
          const d = newDeployment(
            {
              taskDefinition: back.taskDefinition,
              networkConfiguration: back.networkConfiguration,
              serviceRegistries: back.serviceRegistries,
              launchType: s.launchType,
              capacityProviderStrategy: s.capacityProviderStrategy,
              platformVersion: s.platformVersion,
            },
            now,
            () => rolloutReasons.rollingBack(back.id),
          );
          promote(s, d, now);
          addEvent(s, serviceEvents.rollingBack(s.name, primary.id, back.id), now);
          if (back.networkConfiguration) s.networkConfiguration = back.networkConfiguration;
          s.serviceRegistries = back.serviceRegistries;
        }
      }

      if (p.completed && primary) {
        primary.rolloutState = 'COMPLETED';
        primary.rolloutStateReason = rolloutReasons.completed(primary.id);
        primary.updatedAt = now;
        s.lastCompleted = {
          id: primary.id,
          taskDefinition: primary.taskDefinition,
          ...(primary.networkConfiguration ? { networkConfiguration: primary.networkConfiguration } : {}),
          serviceRegistries: primary.serviceRegistries,
        };
        addEvent(s, serviceEvents.deploymentCompleted(s.name, primary.id), now);
      }

      if (p.blocked) addEvent(s, serviceEvents.blocked(s.name), now, true);

      if (p.steady && !s.steady) {
        s.steady = true;
        addEvent(s, serviceEvents.steady(s.name), now);
      } else if (!p.steady && s.steady) {
        s.steady = false;
      }

      if (s.status === 'DRAINING' && live.length === 0 && p.launch === 0) {
        s.status = 'INACTIVE';
        s.inactiveAt = now;
      }
    };
    // The scheduler's own steps are 'background' writes (Store.withTx): no caller waits on them.
    if (p.stop.length || p.launch > 0) {
      ecs.store.withTx(() => {
        apply();
        ecs.services.putTx(key, svc);
      }, 'background');
    } else {
      // Writes no task: a pass whose service comes out as stored (the pass its own last write wakes, most
      // often) needs no transaction at all, and one that changed it writes the text serialized here.
      apply();
      const doc = JSON.stringify(svc);
      if (doc !== stored || created !== undefined) ecs.store.withTx(() => ecs.services.putTx(key, svc, doc), 'background');
      // A service without tasks (a new one with desiredCount 0, one scaled to 0 and emptied) that the planner
      // leaves as it is: the pass this write wakes would only confirm it.
      if (keys.length === 0 && wake.length === 0 && svc.status === 'ACTIVE' && nothingPlanned(planFor(svc), svc)) this.settled.set(key, doc);
    }

    const next = wake.length ? Math.min(...wake) - now : undefined;
    return next !== undefined ? { requeueAfter: Math.max(10, next) } : undefined;
  }

  /** RUNNING, healthy (when it has health checks), and settled in Cloud Map when ECS pushes its health there. */
  private isHealthy(t: TaskRecord, now: number): boolean {
    if (t.lastStatus !== 'RUNNING' || t.desiredStatus !== 'RUNNING') return false;
    const checked = t.containers.some((c) => c.essential && c.hasHealthCheck);
    if (!checked) return now >= (t.startedAt ?? now) + this.deps.stableMs;
    if (t.healthStatus !== 'HEALTHY') return false;
    const settle = this.settlesAt(t);
    return settle !== undefined && now >= settle;
  }

  /**
   * When Cloud Map shows the task HEALTHY: a pushed status takes Cloud Map's health delay to apply,
   * counted from the push (plus a small margin, so an old task is never deregistered before Cloud
   * Map shows its replacement healthy). undefined while the push has not happened.
   */
  private settlesAt(t: TaskRecord): number | undefined {
    let at = t.healthySince ?? 0;
    for (const r of t.registrations) {
      if (!r.custom) continue;
      if (r.pushed !== 'HEALTHY') return undefined;
      if (r.pushedAt) at = Math.max(at, r.pushedAt + this.deps.settleMs + SETTLE_MARGIN_MS);
    }
    return at;
  }

  private launch(s: ServiceRecord, d: DeploymentRecord, count: number, now: number): string[] {
    const { ecs } = this.deps;
    const ref = parseTaskDefinitionRef(d.taskDefinition);
    const td = ref?.revision !== undefined ? ecs.taskDefinitions.get(taskDefinitionKey(s, ref.family, ref.revision)) : undefined;
    if (!td) {
      this.deps.logger.warn({ service: s.name, taskDefinition: d.taskDefinition }, 'task definition of the deployment is gone; nothing launched');
      return [];
    }
    const ids: string[] = [];
    for (let i = 0; i < count; i++) {
      const launchType = d.launchType ?? (d.capacityProviderStrategy?.length ? 'FARGATE' : 'EC2');
      const task = newTask(
        {
          region: s.region,
          accountId: s.accountId,
          cluster: s.cluster,
          taskDefinition: td,
          launchType,
          ...(d.capacityProviderStrategy?.length ? { capacityProviderName: d.capacityProviderStrategy[0]!.capacityProvider } : {}),
          ...(d.platformVersion ? { platformVersion: d.platformVersion } : {}),
          ...(d.networkConfiguration ? { networkConfiguration: d.networkConfiguration } : {}),
          serviceRegistries: d.serviceRegistries,
          service: s.name,
          startedBy: d.id,
          tags: launchTags(
            s.propagateTags === 'SERVICE' ? s.tags : s.propagateTags === 'TASK_DEFINITION' ? td.tags : [],
            [],
            s.enableECSManagedTags ? { cluster: s.cluster, service: s.name } : undefined,
          ),
          enableExecuteCommand: s.enableExecuteCommand,
          now,
        },
        placeTask(this.deps.ec2, s.region, s.accountId, d.networkConfiguration),
      );
      const k = taskKey(s, s.cluster, task.taskId);
      ecs.tasks.putTx(k, task);
      this.deps.index.add(k, serviceKey(s, s.cluster, s.name));
      ids.push(task.taskId);
    }
    return ids;
  }
}
