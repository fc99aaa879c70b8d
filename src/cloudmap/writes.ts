// The transactional writes shared by the API handlers, the operation runner, the health engines and
// CloudMapApi (functions ending in Tx must run inside store.withTx). Keeping them in one place keeps
// the invariants in one place: an instance change bumps its service's InstancesRevision, a health
// change never does; registering (re)sets the health record only when the instance really changed.
import { AwsError } from '../kernel/errors.js';
import type { Store } from '../store/store.js';
import { initialHealth } from './instance-attributes.js';
import { instanceKey, type CloudMapStore, type CustomStatus, type HealthRecord, type InstanceRecord, type ServiceRecord } from './store.js';
import { scopedKey } from '../store/store.js';

function sameAttributes(a: Readonly<Record<string, string>>, b: Readonly<Record<string, string>>): boolean {
  const ka = Object.keys(a);
  if (ka.length !== Object.keys(b).length) return false;
  return ka.every((k) => a[k] === b[k]);
}

function bumpRevisionTx(cm: CloudMapStore, svc: ServiceRecord): void {
  const current = cm.service(svc, svc.id) ?? svc;
  cm.services.putTx(scopedKey(svc, svc.id), { ...current, instancesRevision: current.instancesRevision + 1 });
}

/** Cloud Map's quota: instances per service. */
export const MAX_INSTANCES_PER_SERVICE = 1000;

/** A new instance must fit the service's quota (re-registering an existing one always may). Both RegisterInstance and ECS pass here. */
export function checkInstanceQuota(cm: CloudMapStore, svc: ServiceRecord, instanceId: string): void {
  if (!cm.instance(svc, svc.id, instanceId) && cm.instanceCount(svc, svc.id) >= MAX_INSTANCES_PER_SERVICE) {
    throw new AwsError('ResourceLimitExceeded', `Service ${svc.id} already has ${MAX_INSTANCES_PER_SERVICE} instances.`);
  }
}

/**
 * Registers or re-registers an instance. Returns false when an identical registration exists (an
 * idempotent retry, or a reconciler re-asserting what is there): nothing is written then.
 */
export function registerInstanceTx(cm: CloudMapStore, svc: ServiceRecord, instance: InstanceRecord): boolean {
  const key = instanceKey(svc, svc.id, instance.id);
  const existing = cm.instances.get(key);
  if (existing && sameAttributes(existing.attributes, instance.attributes)) return false;
  cm.instances.putTx(key, { ...instance, createdAt: existing?.createdAt ?? instance.createdAt });
  // A new registration starts a new health history: AWS_INIT_HEALTH_STATUS for custom health, and a
  // fresh Route 53 check (healthy until FailureThreshold probes fail) for HealthCheckConfig.
  if (svc.customHealth) cm.health.putTx(key, { status: initialHealth(instance.attributes) });
  else if (svc.healthCheck) cm.health.putTx(key, { status: 'HEALTHY' });
  bumpRevisionTx(cm, svc);
  return true;
}

/** Returns false when there was no such instance. */
export function deregisterInstanceTx(cm: CloudMapStore, svc: ServiceRecord, instanceId: string): boolean {
  const key = instanceKey(svc, svc.id, instanceId);
  if (!cm.instances.deleteTx(key)) return false;
  cm.health.deleteTx(key);
  bumpRevisionTx(cm, svc);
  return true;
}

/**
 * A custom health report. The change takes effect `delayMs` after the first report of a new value
 * (AWS: ~30 s); repeating the same value inside that window does not move the deadline; reporting
 * the current value again cancels a pending change. Returns the record written (or left).
 */
/** UpdateInstanceCustomHealthStatus's checks and write, in its own transaction (the handler and CloudMapApi). */
export function reportCustomHealth(store: Store, cm: CloudMapStore, svc: ServiceRecord, instanceId: string, status: CustomStatus, delayMs: number): void {
  store.withTx(() => {
    if (!cm.instance(svc, svc.id, instanceId)) throw new AwsError('InstanceNotFound', `Instance not found: ${instanceId}`);
    if (!svc.customHealth) {
      throw new AwsError('CustomHealthNotFound', `Service ${svc.id} has no HealthCheckCustomConfig; custom health status cannot be set.`);
    }
    reportCustomHealthTx(cm, svc, instanceId, status, Date.now(), delayMs);
  });
}

export function reportCustomHealthTx(cm: CloudMapStore, svc: ServiceRecord, instanceId: string, status: CustomStatus, now: number, delayMs: number): HealthRecord {
  const key = instanceKey(svc, svc.id, instanceId);
  const current: HealthRecord = cm.health.get(key) ?? { status: 'HEALTHY' };
  let next: HealthRecord;
  if (delayMs <= 0) next = { status };
  else if (current.pending?.status === status) next = current;
  else if (status === current.status) next = { status };
  else next = { status: current.status, pending: { status, at: now + delayMs } };
  cm.health.putTx(key, next);
  return next;
}

/** Applies a pending custom health change whose time has come. Returns true when it did. */
export function applyDueHealthTx(cm: CloudMapStore, key: string, now: number): boolean {
  const rec = cm.health.get(key);
  if (!rec?.pending || rec.pending.at > now) return false;
  cm.health.putTx(key, { status: rec.pending.status });
  return true;
}

/** A Route 53 health check result that crossed FailureThreshold. */
export function setCheckedHealthTx(cm: CloudMapStore, key: string, status: CustomStatus): void {
  if (!cm.instances.has(key)) return; // deregistered while the probe was in flight
  cm.health.putTx(key, { status });
}

export function deleteServiceTx(cm: CloudMapStore, svc: ServiceRecord): void {
  for (const inst of cm.instancesOf(svc, svc.id)) {
    const key = instanceKey(svc, svc.id, inst.id);
    cm.instances.deleteTx(key);
    cm.health.deleteTx(key);
  }
  cm.services.deleteTx(scopedKey(svc, svc.id));
}
