// Property tests of the planner: random services (desired counts, min/max percent, old deployments,
// tasks in every state) are driven by a simulated world that starts, stops, fails and heals tasks;
// after every plan the rules of plan.ts must hold, and a rollout the configuration allows must finish.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Random } from '../../../test/support/random.js';
import { bounds, circuitBreakerThreshold, plan, type Plan, type PlanDeployment, type PlanInput, type PlanTask } from './plan.js';

interface World {
  now: number;
  desired: number;
  minPct: number;
  maxPct: number;
  breaker: { enable: boolean; rollback: boolean };
  deployments: PlanDeployment[];
  tasks: Array<PlanTask & { stopped: boolean; doomed: boolean }>;
  nextId: number;
  /** Probability that a new task fails (exits or fails health checks). */
  failRate: number;
}

function input(w: World, launchHeld = false): PlanInput {
  return {
    status: 'ACTIVE',
    desiredCount: w.desired,
    minimumHealthyPercent: w.minPct,
    maximumPercent: w.maxPct,
    circuitBreaker: w.breaker,
    deployments: w.deployments.map((d) => ({ ...d })),
    tasks: w.tasks.filter((t) => !t.stopped).map(({ stopped: _s, doomed: _d, ...t }) => ({ ...t })),
    launchHeld,
  };
}

function randomWorld(r: Random): World {
  const w: World = {
    now: 1_000,
    desired: r.int(0, 12),
    minPct: r.pick([0, 25, 50, 67, 100, r.int(0, 100)]),
    maxPct: r.pick([100, 125, 150, 200, r.int(100, 300)]),
    breaker: { enable: r.chance(0.5), rollback: r.chance(0.5) },
    deployments: [{ id: 'd-new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 0 }],
    tasks: [],
    nextId: 0,
    failRate: 0,
  };
  const olds = r.int(0, 2);
  for (let i = 0; i < olds; i++) w.deployments.push({ id: `d-old${i}`, status: 'ACTIVE', rolloutState: 'COMPLETED', failedTasks: 0 });
  const existing = r.int(0, 14);
  for (let i = 0; i < existing; i++) {
    const dep = r.pick(w.deployments).id;
    const running = r.chance(0.7);
    w.tasks.push({
      id: `t${w.nextId++}`,
      deploymentId: dep,
      lastStatus: running ? 'RUNNING' : r.pick(['PROVISIONING', 'PENDING', 'ACTIVATING'] as const),
      desiredStatus: r.chance(0.1) ? 'STOPPED' : 'RUNNING',
      healthy: false,
      failedHealth: false,
      createdAt: r.int(0, 999),
      stopped: false,
      doomed: false,
    });
    const t = w.tasks[w.tasks.length - 1]!;
    t.healthy = running && t.desiredStatus === 'RUNNING' && r.chance(0.8);
  }
  return w;
}

function checkRules(seed: number, inp: PlanInput, p: Plan): void {
  const ctx = `seed ${seed}: ${JSON.stringify({ d: inp.desiredCount, min: inp.minimumHealthyPercent, max: inp.maximumPercent, tasks: inp.tasks.length, p })}`;
  const D = inp.desiredCount;
  const { maxTotal, minHealthy } = bounds(D, inp.minimumHealthyPercent, inp.maximumPercent);
  const byId = new Map(inp.tasks.map((t) => [t.id, t]));
  // Only tasks that should run are stopped, each once.
  assert.equal(new Set(p.stop.map((s) => s.taskId)).size, p.stop.length, `stops a task twice: ${ctx}`);
  for (const s of p.stop) assert.equal(byId.get(s.taskId)?.desiredStatus, 'RUNNING', `stops a task that is not running: ${ctx}`);
  // Never more than maxTotal tasks not yet STOPPED because of a launch.
  if (p.launch > 0) assert.ok(inp.tasks.length + p.launch <= maxTotal, `launch passes maximumPercent: ${ctx}`);
  // The healthy count never drops below minimumHealthyPercent because of a stop (failed tasks aside).
  const stopped = new Set(p.stop.map((s) => s.taskId));
  const healthyBefore = inp.tasks.filter((t) => t.healthy && t.desiredStatus === 'RUNNING').length;
  const healthyAfter = inp.tasks.filter((t) => t.healthy && t.desiredStatus === 'RUNNING' && !stopped.has(t.id)).length;
  assert.ok(healthyAfter >= Math.min(healthyBefore, minHealthy), `healthy ${healthyBefore} → ${healthyAfter} < min ${minHealthy}: ${ctx}`);
  // The primary deployment never holds more than D tasks that should run.
  const primary = inp.deployments.find((d) => d.status === 'PRIMARY')!;
  const primaryAfter = inp.tasks.filter((t) => t.deploymentId === primary.id && t.desiredStatus === 'RUNNING' && !stopped.has(t.id)).length + p.launch;
  assert.ok(primaryAfter <= Math.max(D, 0), `primary holds ${primaryAfter} > ${D}: ${ctx}`);
  // Held back or failed: nothing launches.
  if (inp.launchHeld || primary.rolloutState === 'FAILED' || p.tripped) assert.equal(p.launch, 0, `launches while held/failed: ${ctx}`);
}

/** Applies a plan and lets the world move one step. */
function step(r: Random, w: World, p: Plan): void {
  w.now += 1000;
  const primary = w.deployments.find((d) => d.status === 'PRIMARY')!;
  for (const s of p.stop) w.tasks.find((t) => t.id === s.taskId)!.desiredStatus = 'STOPPED';
  for (let i = 0; i < p.launch; i++) {
    w.tasks.push({
      id: `t${w.nextId++}`,
      deploymentId: primary.id,
      lastStatus: 'PROVISIONING',
      desiredStatus: 'RUNNING',
      healthy: false,
      failedHealth: false,
      createdAt: w.now,
      stopped: false,
      doomed: r.chance(w.failRate),
    });
  }
  w.deployments = w.deployments.filter((d) => !p.retire.includes(d.id));
  if (p.completed) primary.rolloutState = 'COMPLETED';
  if (p.tripped) primary.rolloutState = 'FAILED';
  for (const t of w.tasks) {
    if (t.stopped || !r.chance(0.6)) continue;
    if (t.desiredStatus === 'STOPPED') {
      t.stopped = true;
      t.healthy = false;
    } else if (t.lastStatus !== 'RUNNING') {
      t.lastStatus = 'RUNNING';
    } else if (t.doomed) {
      // It exits: the engine stops it and the deployment counts a failure.
      t.desiredStatus = 'STOPPED';
      const d = w.deployments.find((x) => x.id === t.deploymentId);
      if (d) d.failedTasks++;
    } else {
      t.healthy = true;
    }
  }
}

test('planner rules hold for random services, and rollouts the configuration allows finish', () => {
  let converged = 0;
  let deadlocked = 0;
  for (let seed = 1; seed <= 3000; seed++) {
    const r = new Random(seed);
    const w = randomWorld(r);
    const { maxTotal, minHealthy } = bounds(w.desired, w.minPct, w.maxPct);
    const canMove = maxTotal > w.desired || minHealthy < w.desired;
    let done = false;
    for (let i = 0; i < 300 && !done; i++) {
      const inp = input(w);
      const p = plan(inp);
      checkRules(seed, inp, p);
      if (p.blocked) {
        assert.ok(!canMove, `seed ${seed}: blocked although the configuration allows progress (D ${w.desired}, min ${w.minPct}, max ${w.maxPct})`);
        deadlocked++;
        done = true;
      } else if (p.steady) {
        const live = w.tasks.filter((t) => !t.stopped);
        assert.equal(live.length, w.desired, `seed ${seed}: steady with ${live.length} tasks`);
        assert.ok(
          live.every((t) => t.deploymentId === 'd-new' && t.healthy),
          `seed ${seed}: steady with old or unhealthy tasks`,
        );
        assert.equal(w.deployments.length - p.retire.length, 1, `seed ${seed}: steady with old deployments listed`);
        converged++;
        done = true;
      }
      step(r, w, p);
    }
    assert.ok(done, `seed ${seed}: neither steady nor blocked after 300 steps (D ${w.desired}, min ${w.minPct}, max ${w.maxPct})`);
  }
  assert.ok(converged > 2000 && deadlocked > 10, `exercised both outcomes (${converged} converged, ${deadlocked} deadlocked)`);
});

test('planner rules hold while tasks keep failing, and the circuit breaker stops launches at its threshold', () => {
  for (let seed = 1; seed <= 1500; seed++) {
    const r = new Random(seed * 7919);
    const w = randomWorld(r);
    w.desired = r.int(1, 12);
    w.failRate = r.pick([0.3, 1]);
    w.breaker = { enable: true, rollback: false };
    // The new deployment starts from nothing: every task it gets is one it launched.
    w.tasks = w.tasks.filter((t) => t.deploymentId !== 'd-new');
    const threshold = circuitBreakerThreshold(w.desired);
    const { maxTotal, minHealthy } = bounds(w.desired, w.minPct, w.maxPct);
    const canMove = maxTotal > w.desired || minHealthy < w.desired;
    let tripped = false;
    for (let i = 0; i < 400; i++) {
      const inp = input(w, r.chance(0.2));
      const p = plan(inp);
      checkRules(seed, inp, p);
      const primary = w.deployments.find((d) => d.status === 'PRIMARY')!;
      if (p.tripped) {
        assert.ok(primary.failedTasks >= threshold, `seed ${seed}: tripped early`);
        tripped = true;
      }
      if (tripped) assert.equal(p.launch, 0, `seed ${seed}: launched after the breaker tripped`);
      step(r, w, p);
      if (tripped) break;
    }
    if (w.failRate === 1 && canMove) assert.ok(tripped, `seed ${seed}: every task fails but the breaker never tripped`);
  }
});

test('examples: a rolling update with minimumHealthyPercent 100 starts new tasks before stopping old ones', () => {
  const t = (id: string, dep: string, healthy: boolean, lastStatus: PlanTask['lastStatus'] = 'RUNNING'): PlanTask => ({
    id,
    deploymentId: dep,
    lastStatus,
    desiredStatus: 'RUNNING',
    healthy,
    failedHealth: false,
    createdAt: 0,
  });
  const base: PlanInput = {
    status: 'ACTIVE',
    desiredCount: 2,
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: { enable: false, rollback: false },
    deployments: [
      { id: 'new', status: 'PRIMARY', rolloutState: 'IN_PROGRESS', failedTasks: 0 },
      { id: 'old', status: 'ACTIVE', rolloutState: 'COMPLETED', failedTasks: 0 },
    ],
    tasks: [t('a', 'old', true), t('b', 'old', true)],
    launchHeld: false,
  };
  const first = plan(base);
  assert.equal(first.launch, 2);
  assert.deepEqual(first.stop, []);
  const waiting = plan({ ...base, tasks: [...base.tasks, t('c', 'new', false, 'ACTIVATING'), t('d', 'new', false, 'PENDING')] });
  assert.equal(waiting.launch, 0);
  assert.deepEqual(waiting.stop, [], 'old tasks keep running until the new ones are healthy');
  const ready = plan({ ...base, tasks: [...base.tasks, t('c', 'new', true), t('d', 'new', true)] });
  assert.deepEqual(ready.stop.map((s) => s.taskId).sort(), ['a', 'b']);
  const blocked = plan({ ...base, maximumPercent: 100, tasks: base.tasks });
  assert.ok(blocked.blocked, 'min 100 % / max 100 % cannot move');
  const done = plan({ ...base, deployments: [base.deployments[0]!, { ...base.deployments[1]! }], tasks: [t('c', 'new', true), t('d', 'new', true)] });
  assert.deepEqual(done.retire, ['old']);
  assert.ok(done.completed && done.steady);
});

test('examples: draining stops everything; failed health checks are replaced', () => {
  const t = (id: string, healthy: boolean, failedHealth = false): PlanTask => ({
    id,
    deploymentId: 'd',
    lastStatus: 'RUNNING',
    desiredStatus: 'RUNNING',
    healthy,
    failedHealth,
    createdAt: 0,
  });
  const base: PlanInput = {
    status: 'ACTIVE',
    desiredCount: 2,
    minimumHealthyPercent: 100,
    maximumPercent: 200,
    circuitBreaker: { enable: false, rollback: false },
    deployments: [{ id: 'd', status: 'PRIMARY', rolloutState: 'COMPLETED', failedTasks: 0 }],
    tasks: [t('a', true), t('b', false, true)],
    launchHeld: false,
  };
  const replace = plan(base);
  assert.deepEqual(replace.stop, [{ taskId: 'b', kind: 'failed-health' }]);
  assert.equal(replace.launch, 1);
  const drain = plan({ ...base, status: 'DRAINING' });
  assert.deepEqual(
    drain.stop.map((s) => s.kind),
    ['draining', 'draining'],
  );
  assert.equal(drain.launch, 0);
  assert.equal(circuitBreakerThreshold(1), 3);
  assert.equal(circuitBreakerThreshold(10), 5);
  assert.equal(circuitBreakerThreshold(1000), 200);
});
