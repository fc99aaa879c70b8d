// The service scheduler's planner: a pure function from what a service wants and what its tasks are
// doing to what to do next (docs/architecture.md §12 habit 7, after Nomad's reconciler). controller.ts gathers the
// input and applies the plan; plan.test.ts checks the rules below on thousands of random services.
//
// Rules (ECS rolling deployments, docs/aws-behavior.md §5.4):
//   D = desiredCount (0 while DRAINING); maxTotal = ⌊D × maximumPercent / 100⌋;
//   minHealthy = ⌈D × minimumHealthyPercent / 100⌉.
//   1. Tasks that failed their container health checks are stopped (they are not healthy anyway).
//   2. Tasks of no known deployment, and every task of a DRAINING service, are stopped.
//   3. The primary deployment never keeps more than D tasks (scale-in stops the least useful first).
//   4. Tasks of older deployments still starting are stopped; running ones that are not healthy (yet)
//      once the primary's tasks are all healthy; healthy ones only while the healthy count stays
//      ≥ minHealthy — so new tasks are healthy (and registered) before old ones stop.
//   5. New primary tasks are launched up to D, never past maxTotal tasks not yet STOPPED (tasks being
//      stopped still count: they hold their resources until they are gone).
//   6. The circuit breaker trips once the primary deployment has ⌈D/2⌉ failed tasks, clamped to
//      [3, 200]; a FAILED primary launches nothing more.
import type { LastStatus } from '../tasks/lifecycle.js';
import type { RolloutState } from '../store.js';

export interface PlanTask {
  id: string;
  deploymentId: string | undefined;
  lastStatus: LastStatus;
  desiredStatus: 'RUNNING' | 'STOPPED';
  /** RUNNING, HEALTHY when it has health checks, and settled in Cloud Map: counts toward minimumHealthyPercent. */
  healthy: boolean;
  /** Failed its container health checks and is past the grace period: replace it. */
  failedHealth: boolean;
  createdAt: number;
}

export interface PlanDeployment {
  id: string;
  status: 'PRIMARY' | 'ACTIVE';
  rolloutState: RolloutState;
  failedTasks: number;
}

export interface PlanInput {
  status: 'ACTIVE' | 'DRAINING';
  desiredCount: number;
  minimumHealthyPercent: number;
  maximumPercent: number;
  circuitBreaker: { enable: boolean; rollback: boolean };
  /** PRIMARY first. */
  deployments: PlanDeployment[];
  /** The service's tasks that are not STOPPED yet. */
  tasks: PlanTask[];
  /** Replacement backoff: launches are held back for now. */
  launchHeld: boolean;
}

export type StopKind = 'failed-health' | 'orphan' | 'draining' | 'scale-in' | 'replaced';

export interface Plan {
  launch: number;
  stop: Array<{ taskId: string; kind: StopKind }>;
  /** ACTIVE deployments without tasks: they leave the deployments list. */
  retire: string[];
  /** The primary deployment just finished rolling out. */
  completed: boolean;
  /** The circuit breaker tripped on the primary deployment. */
  tripped: boolean;
  /** Nothing can move although the rollout is not done (the deployment configuration forbids it). */
  blocked: boolean;
  /** Desired tasks all healthy, nothing else running, nothing to do. */
  steady: boolean;
}

export function circuitBreakerThreshold(desiredCount: number): number {
  return Math.min(200, Math.max(3, Math.ceil(desiredCount * 0.5)));
}

export function bounds(desiredCount: number, minimumHealthyPercent: number, maximumPercent: number): { maxTotal: number; minHealthy: number } {
  return {
    maxTotal: Math.floor((desiredCount * maximumPercent) / 100),
    minHealthy: Math.ceil((desiredCount * minimumHealthyPercent) / 100),
  };
}

/** Least useful first: not yet running before running, unhealthy before healthy, newest before oldest. */
function byUsefulness(a: PlanTask, b: PlanTask): number {
  const rank = (t: PlanTask) => (t.healthy ? 2 : t.lastStatus === 'RUNNING' ? 1 : 0);
  return rank(a) - rank(b) || b.createdAt - a.createdAt || (a.id < b.id ? -1 : 1);
}

export function plan(input: PlanInput): Plan {
  const D = input.status === 'DRAINING' ? 0 : Math.max(0, input.desiredCount);
  const { maxTotal, minHealthy } = bounds(D, input.minimumHealthyPercent, input.maximumPercent);
  const primary = input.deployments.find((d) => d.status === 'PRIMARY') ?? input.deployments[0];
  const known = new Set(input.deployments.map((d) => d.id));
  const stop: Plan['stop'] = [];
  const stopping = new Set<string>();
  const stopTask = (t: PlanTask, kind: StopKind) => {
    if (stopping.has(t.id)) return;
    stopping.add(t.id);
    stop.push({ taskId: t.id, kind });
  };

  const active = input.tasks.filter((t) => t.desiredStatus === 'RUNNING');
  for (const t of active) {
    if (input.status === 'DRAINING') stopTask(t, 'draining');
    else if (t.failedHealth) stopTask(t, 'failed-health');
    else if (!t.deploymentId || !known.has(t.deploymentId)) stopTask(t, 'orphan');
  }

  const tripped =
    !!primary && input.status === 'ACTIVE' && input.circuitBreaker.enable && primary.rolloutState === 'IN_PROGRESS' && primary.failedTasks >= circuitBreakerThreshold(D);
  const primaryFailed = !primary || primary.rolloutState === 'FAILED' || tripped;

  let remaining = active.filter((t) => !stopping.has(t.id));
  let primaryTasks = remaining.filter((t) => t.deploymentId === primary?.id);
  if (primaryTasks.length > D) {
    for (const t of [...primaryTasks].sort(byUsefulness).slice(0, primaryTasks.length - D)) stopTask(t, 'scale-in');
    remaining = remaining.filter((t) => !stopping.has(t.id));
    primaryTasks = remaining.filter((t) => t.deploymentId === primary?.id);
  }

  const oldTasks = remaining.filter((t) => t.deploymentId !== primary?.id);
  let budget = remaining.filter((t) => t.healthy).length - minHealthy;
  const primaryReady = primaryTasks.length >= D && primaryTasks.every((t) => t.healthy);
  for (const t of [...oldTasks].sort(byUsefulness)) {
    // Old tasks still starting go at once; running ones not (yet) healthy only once the primary
    // deployment has its tasks healthy — they may well be serving.
    if (!t.healthy && (t.lastStatus !== 'RUNNING' || primaryReady)) stopTask(t, 'replaced');
    // A failed rollout leaves the healthy old tasks serving (until a rollback deployment replaces them).
    else if (budget > 0 && !primaryFailed) {
      stopTask(t, 'replaced');
      budget--;
    }
  }

  const room = maxTotal - input.tasks.length;
  const need = D - primaryTasks.length;
  const launch = primaryFailed || input.launchHeld ? 0 : Math.max(0, Math.min(need, room));

  const nothingToDo = launch === 0 && stop.length === 0;
  const inFlight = input.tasks.some((t) => t.desiredStatus === 'STOPPED' || t.lastStatus !== 'RUNNING');
  const oldLeft = input.tasks.some((t) => t.deploymentId !== primary?.id);
  const primarySettled = primaryTasks.length === D && primaryTasks.every((t) => t.healthy);

  const completed = !!primary && primary.rolloutState === 'IN_PROGRESS' && !tripped && nothingToDo && !oldLeft && primarySettled;
  const steady = !primaryFailed && nothingToDo && !oldLeft && primarySettled && !inFlight;
  const blocked = !primaryFailed && !input.launchHeld && nothingToDo && !inFlight && remaining.every((t) => t.healthy) && (need > 0 || oldTasks.length > 0);
  const retire = input.deployments.filter((d) => d.status === 'ACTIVE' && !input.tasks.some((t) => t.deploymentId === d.id)).map((d) => d.id);

  return { launch, stop, retire, completed, tripped, blocked, steady };
}
