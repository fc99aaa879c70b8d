// Cloud Map's asynchronous operations (docs/aws-behavior.md §4.2, §6.18): namespace create/update/delete,
// UpdateService, RegisterInstance and DeregisterInstance answer an OperationId at once and take
// effect later, walking SUBMITTED → PENDING → SUCCESS | FAIL. The walk takes `operationDelayMs`
// (PENDING halfway); with 0 the operation completes inside the request's own transaction. The
// records carry their due times, so operations still pending when the server stopped complete after
// a restart. The runner is a reconcile loop over operation keys, woken by the change feed.
import { AwsError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import { WorkQueue } from '../loop/work-queue.js';
import type { Change, Store } from '../store/store.js';
import { operationId } from './ids.js';
import { instanceKey, TABLES, type CloudMapStore, type OperationAction, type OperationRecord, type OperationType } from './store.js';
import { deregisterInstanceTx, registerInstanceTx } from './writes.js';
import { scopedKey, scopePrefix, type Scope } from '../store/store.js';

export interface SubmitRequest {
  /** Chosen by the caller when a record must name its operation (a namespace knows its CREATE op). */
  id?: string;
  region: string;
  accountId: string;
  type: OperationType;
  targets: Record<string, string>;
  action: OperationAction;
}

const DONE = new Set(['SUCCESS', 'FAIL']);

/** AWS's Operation.ErrorCode values; ours map onto the closest one. */
function failCode(e: AwsError): string {
  if (e.code === 'NamespaceNotFound') return 'HOSTED_ZONE_NOT_FOUND';
  if (e.code === 'NamespaceAlreadyExists') return 'CANNOT_CREATE_HOSTED_ZONE';
  return 'INTERNAL_FAILURE';
}

/** Carries out what an operation does. Throws AwsError when it can no longer be done. */
export function applyActionTx(cm: CloudMapStore, op: OperationRecord, now: number): void {
  const action = op.action;
  if (!action) return;
  switch (action.kind) {
    case 'createNamespace': {
      const ns = action.namespace;
      if (cm.namespaces.withPrefix(scopePrefix(op)).some((n) => n.name === ns.name)) {
        throw new AwsError('NamespaceAlreadyExists', `Namespace ${ns.name} already exists.`);
      }
      cm.namespaces.putTx(scopedKey(op, ns.id), { ...ns, createdAt: now });
      return;
    }
    case 'updateNamespace': {
      const ns = cm.namespace(op, action.namespaceId);
      if (!ns) throw new AwsError('NamespaceNotFound', `Namespace ${action.namespaceId} no longer exists.`);
      cm.namespaces.putTx(scopedKey(op, ns.id), {
        ...ns,
        ...(action.description !== undefined ? { description: action.description } : {}),
        ...(action.soaTtl !== undefined ? { soaTtl: action.soaTtl } : {}),
      });
      return;
    }
    case 'deleteNamespace': {
      if (!cm.namespace(op, action.namespaceId)) throw new AwsError('NamespaceNotFound', `Namespace ${action.namespaceId} no longer exists.`);
      if (cm.serviceCount(op, action.namespaceId)) throw new AwsError('ResourceInUse', `Namespace ${action.namespaceId} has services.`);
      cm.namespaces.deleteTx(scopedKey(op, action.namespaceId));
      return;
    }
    case 'updateService': {
      const svc = cm.service(op, action.serviceId);
      if (!svc) throw new AwsError('ServiceNotFound', `Service ${action.serviceId} no longer exists.`);
      const next = { ...svc };
      if (action.description !== undefined) next.description = action.description;
      if (action.dnsTtls) next.dnsRecords = action.dnsTtls;
      if (action.healthCheck) next.healthCheck = action.healthCheck;
      else if (action.dropHealthCheck) delete next.healthCheck;
      cm.services.putTx(scopedKey(op, svc.id), next);
      // A service that gains a Route 53 check starts its instances healthy; one that loses it drops their health.
      if (!!svc.healthCheck !== !!next.healthCheck) {
        for (const inst of cm.instancesOf(op, svc.id)) {
          const key = instanceKey(op, svc.id, inst.id);
          if (next.healthCheck) cm.health.putTx(key, { status: 'HEALTHY' });
          else cm.health.deleteTx(key);
        }
      }
      return;
    }
    case 'registerInstance': {
      const svc = cm.service(op, action.instance.serviceId);
      if (!svc) throw new AwsError('ServiceNotFound', `Service ${action.instance.serviceId} no longer exists.`);
      registerInstanceTx(cm, svc, { ...action.instance, updatedAt: now });
      return;
    }
    case 'deregisterInstance': {
      const svc = cm.service(op, action.serviceId);
      if (!svc) throw new AwsError('ServiceNotFound', `Service ${action.serviceId} no longer exists.`);
      if (!deregisterInstanceTx(cm, svc, action.instanceId)) throw new AwsError('InstanceNotFound', `Instance ${action.instanceId} is not registered.`);
      return;
    }
  }
}

export class OperationRunner {
  private queue: WorkQueue;
  private unsubscribe?: () => void;
  /** Keys of operations not yet SUCCESS/FAIL (a handful), so duplicate checks never scan history. */
  private readonly open = new Set<string>();

  constructor(
    private readonly cm: CloudMapStore,
    private readonly store: Store,
    private readonly delayMs: number,
    private readonly logger: Logger,
  ) {
    this.queue = this.newQueue();
  }

  private newQueue(): WorkQueue {
    return new WorkQueue('cloudmap-operations', (key) => this.reconcile(key), { logger: this.logger, concurrency: 1 });
  }

  /** Before a reset wipes the operations: drop every queued key and timer. */
  async reset(): Promise<void> {
    const old = this.queue;
    this.queue = this.newQueue();
    await old.stop();
  }

  /**
   * Records an operation inside the caller's transaction and returns its id. With no delay the
   * operation completes right here, in the same transaction.
   */
  submitTx(req: SubmitRequest): string {
    const now = Date.now();
    const op: OperationRecord = {
      region: req.region,
      accountId: req.accountId,
      id: req.id ?? operationId(),
      type: req.type,
      status: 'SUBMITTED',
      createdAt: now,
      updatedAt: now,
      targets: req.targets,
      pendingAt: now + Math.floor(this.delayMs / 2),
      dueAt: now + this.delayMs,
      action: req.action,
    };
    if (this.delayMs <= 0) this.completeTx(op, now);
    else this.cm.operations.putTx(scopedKey(op, op.id), op);
    return op.id;
  }

  /** Records an operation that already happened (CloudMapApi's direct registrations, for ListOperations). */
  recordDoneTx(req: Omit<SubmitRequest, 'action'> & { id: string }): string {
    const now = Date.now();
    const id = req.id;
    this.cm.operations.putTx(scopedKey(req, id), {
      region: req.region,
      accountId: req.accountId,
      id,
      type: req.type,
      status: 'SUCCESS',
      createdAt: now,
      updatedAt: now,
      targets: req.targets,
      pendingAt: now,
      dueAt: now,
    });
    return id;
  }

  /** Operations still in flight in an account's region (DuplicateRequest checks). */
  inFlight(scope: Scope): OperationRecord[] {
    const out: OperationRecord[] = [];
    for (const key of this.open) {
      if (!key.startsWith(scopePrefix(scope))) continue;
      const op = this.cm.operations.get(key);
      if (op && !DONE.has(op.status)) out.push(op);
    }
    return out;
  }

  start(): void {
    this.unsubscribe = this.store.subscribe((changes) => this.onChanges(changes));
    for (const op of this.cm.openOperations()) {
      if (DONE.has(op.status)) continue;
      this.open.add(scopedKey(op, op.id));
      this.queue.add(scopedKey(op, op.id));
    }
  }

  async stop(): Promise<void> {
    this.unsubscribe?.();
    await this.queue.stop();
  }

  /** Resolves once nothing is queued or running (tests, reset). */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  private onChanges(changes: readonly Change[]): void {
    for (const c of changes) {
      if (c.table !== TABLES.operations) continue;
      const op = c.op === 'put' ? this.cm.operations.get(c.key) : undefined;
      if (op && !DONE.has(op.status)) {
        this.open.add(c.key);
        this.queue.add(c.key);
      } else this.open.delete(c.key);
    }
  }

  private reconcile(key: string): { requeueAfter: number } | void {
    const op = this.cm.operations.get(key);
    if (!op || DONE.has(op.status)) return;
    const now = Date.now();
    if (now >= op.dueAt) {
      // The operation was acknowledged (durably) when submitted; its completion is the runner's own
      // step, a 'background' write (Store.withTx): a lost one is found due again at the next start.
      this.store.withTx(() => {
        const fresh = this.cm.operations.get(key);
        if (fresh && !DONE.has(fresh.status)) this.completeTx(fresh, now);
      }, 'background');
      return;
    }
    if (op.status === 'SUBMITTED' && now >= op.pendingAt) {
      this.store.withTx(() => this.cm.operations.putTx(key, { ...op, status: 'PENDING', updatedAt: now }), 'background');
    }
    return { requeueAfter: (now >= op.pendingAt ? op.dueAt : op.pendingAt) - now };
  }

  private completeTx(op: OperationRecord, now: number): void {
    const { action: _done, ...rest } = op;
    let result: OperationRecord;
    try {
      applyActionTx(this.cm, op, now); // every failure is thrown before anything is written
      result = { ...rest, status: 'SUCCESS', updatedAt: now };
    } catch (e) {
      if (!(e instanceof AwsError)) throw e;
      result = { ...rest, status: 'FAIL', errorCode: failCode(e), errorMessage: e.message, updatedAt: now };
    }
    this.cm.operations.putTx(scopedKey(op, op.id), result);
  }
}
