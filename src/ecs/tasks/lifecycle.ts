// The ECS task lifecycle as data. Every task walks the whole chain (AWS shows PROVISIONING /
// DEPROVISIONING for ENI work and ACTIVATING / DEACTIVATING for service-discovery work; walking all
// of them always keeps the engine to one path):
//
//   PROVISIONING ──▶ PENDING ──▶ ACTIVATING ──▶ RUNNING
//    (ENI)      │    (start)  │  (register)  │      │ desiredStatus STOPPED, or an essential
//               │             │              ▼      ▼ container exited
//               │             │            DEACTIVATING  (deregister from Cloud Map)
//               │             ▼                   │
//               │          STOPPING ◀─────────────┘      (SIGTERM, SIGKILL after stopTimeout)
//               ▼             │
//        DEPROVISIONING ◀─────┘                          (release the ENI, remove containers)
//               │
//               ▼
//            STOPPED
//
// `forward` is the normal next state; `stop` is where a task goes from that state once it must stop
// (desiredStatus STOPPED). desiredStatus is only ever RUNNING or STOPPED (never PENDING).
import type { TaskRecord } from '../store.js';

export type LastStatus = 'PROVISIONING' | 'PENDING' | 'ACTIVATING' | 'RUNNING' | 'DEACTIVATING' | 'STOPPING' | 'DEPROVISIONING' | 'STOPPED';

export interface StateRow {
  /** What the engine does while the task is in this state. */
  work: 'provision' | 'start' | 'register' | 'watch' | 'deregister' | 'stop' | 'deprovision' | 'none';
  /** Next state once the work is done (RUNNING only moves on when the task must stop). */
  forward?: LastStatus;
  /** Next state when the task must stop before the work is done. */
  stop?: LastStatus;
}

export const LIFECYCLE: Readonly<Record<LastStatus, StateRow>> = {
  PROVISIONING: { work: 'provision', forward: 'PENDING', stop: 'DEPROVISIONING' },
  PENDING: { work: 'start', forward: 'ACTIVATING', stop: 'STOPPING' },
  ACTIVATING: { work: 'register', forward: 'RUNNING', stop: 'DEACTIVATING' },
  RUNNING: { work: 'watch', stop: 'DEACTIVATING' },
  DEACTIVATING: { work: 'deregister', forward: 'STOPPING', stop: 'STOPPING' },
  STOPPING: { work: 'stop', forward: 'DEPROVISIONING', stop: 'DEPROVISIONING' },
  DEPROVISIONING: { work: 'deprovision', forward: 'STOPPED', stop: 'STOPPED' },
  STOPPED: { work: 'none' },
};

export const ORDER: readonly LastStatus[] = ['PROVISIONING', 'PENDING', 'ACTIVATING', 'RUNNING', 'DEACTIVATING', 'STOPPING', 'DEPROVISIONING', 'STOPPED'];

/** States in which a task has not reached RUNNING yet (ECS's pendingCount). */
export function isPending(s: LastStatus): boolean {
  return s === 'PROVISIONING' || s === 'PENDING' || s === 'ACTIVATING';
}

export function canMove(from: LastStatus, to: LastStatus): boolean {
  const row = LIFECYCLE[from];
  return row.forward === to || row.stop === to;
}

export class IllegalTransition extends Error {}

/**
 * Moves a task record to `to`, stamping the times AWS reports and bumping `version` (AWS increments
 * it on every state change). Throws IllegalTransition for a move the table does not allow.
 */
export function moveTo(task: TaskRecord, to: LastStatus, now: number): TaskRecord {
  if (task.lastStatus === to) return task;
  if (!canMove(task.lastStatus, to)) throw new IllegalTransition(`task ${task.taskId}: ${task.lastStatus} → ${to} is not a lifecycle transition`);
  task.lastStatus = to;
  task.version += 1;
  if (to === 'PENDING') task.connectivityAt ??= now;
  if (to === 'RUNNING') task.startedAt ??= now;
  if ((to === 'DEACTIVATING' || to === 'STOPPING') && task.desiredStatus === 'STOPPED') task.stoppingAt ??= now;
  if (to === 'DEPROVISIONING') task.executionStoppedAt ??= now;
  if (to === 'STOPPED') {
    task.executionStoppedAt ??= now;
    task.stoppedAt = now;
    task.desiredStatus = 'STOPPED';
    for (const c of task.containers) if (c.lastStatus !== 'STOPPED') c.lastStatus = 'STOPPED';
  }
  return task;
}

/** Marks a task as having to stop (first reason wins), bumping `version`. */
export function requestStop(task: TaskRecord, stopCode: NonNullable<TaskRecord['stopCode']>, reason: string, now: number): TaskRecord {
  if (task.desiredStatus === 'STOPPED') return task;
  task.desiredStatus = 'STOPPED';
  task.stopCode ??= stopCode;
  task.stoppedReason ??= reason.slice(0, 255);
  task.stoppingAt ??= now;
  task.version += 1;
  return task;
}
