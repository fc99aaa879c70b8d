// The stack engine: create, update and delete as graph walks over the resources, independent ones at
// once; rollback on failure; every state change written to the store before the next step, so a
// restart finds the stack where it was and finishes or rolls back (resume). It knows no resource
// type: each one is a ResourceProvider (providers/provider.ts).
import { AwsError } from '../kernel/errors.js';
import type { Logger } from '../kernel/log.js';
import type { OperationCaller } from '../protocol/invoke.js';
import { LIVE_FOR_EXPORTS, providerContext, stackContext, type StackContext } from './context.js';
import { creationOrder, dependencies, runGraph } from './graph.js';
import { evaluate } from './intrinsics.js';
import type { ResourceProvider } from './providers/provider.js';
import type { CfnStore, ResourceState, StackOutput, StackRecord } from './store.js';
import { parseTemplate, type Template } from './template.js';
import { own } from './own.js';
import { parseLargeYaml } from './off-loop.js';

const STACK_TYPE = 'AWS::CloudFormation::Stack';

export interface EngineDeps {
  cfn: CfnStore;
  call: OperationCaller;
  providers: Map<string, ResourceProvider>;
  logger: Logger;
}

/** The reason text of a provider's failure, in CloudFormation's "Resource handler returned message" form. */
function failureReason(e: unknown): string {
  if (e instanceof AwsError && e.message.startsWith('Template ')) return e.message; // the template's, not a handler's
  if (e instanceof AwsError) return `Resource handler returned message: "${e.message}" (HandlerErrorCode: ${handlerCode(e.code)})`;
  return e instanceof Error ? e.message : String(e);
}

// The resource handlers' error codes (the CloudFormation CLI's HandlerErrorCode): a resource that
// exists is AlreadyExists; one in use or in a conflicting state is ResourceConflict.
function handlerCode(code: string): string {
  if (/NotFound|NoSuchEntity/.test(code)) return 'NotFound';
  if (/AlreadyExists|Duplicate/.test(code)) return 'AlreadyExists';
  if (/Conflict|InUse/.test(code)) return 'ResourceConflict';
  if (/LimitExceeded|QuotaExceeded/.test(code)) return 'ServiceLimitExceeded';
  if (/NotImplemented/.test(code)) return 'NotStabilized';
  return 'InvalidRequest';
}

const deepEqual = (a: unknown, b: unknown) => JSON.stringify(a) === JSON.stringify(b);

/** Thrown into a running operation when the server stops: the stack stays as stored, resumed at the next start. */
export class Halted extends Error {
  constructor() {
    super('Wayfinder is stopping');
  }
}

export class StackEngine {
  private readonly running = new Map<string, Promise<void>>();
  private halted = false;
  private readonly cancelled = new Set<string>();
  private readonly wakers = new Set<() => void>();

  constructor(private readonly deps: EngineDeps) {}

  /** Starts an operation on a stack in the background (one at a time per stack). */
  private start(stack: StackRecord, op: () => Promise<void>): void {
    const run = op()
      .catch((e) => {
        if (!(e instanceof Halted)) this.deps.logger.error({ err: e, stack: stack.stackId }, 'stack operation failed unexpectedly');
      })
      .finally(() => {
        this.running.delete(stack.stackId);
        // A CancelUpdateStack is for the operation running when it came: one that failed before
        // looking at it (or was halted) must not leave it to cancel the stack's next update.
        this.cancelled.delete(stack.stackId);
      });
    this.running.set(stack.stackId, run);
  }

  /**
   * Stops every running operation at its next wait or step, leaving each stack as stored (_IN_PROGRESS):
   * the next start resumes or rolls it back (resume). Nothing is rolled back because of a shutdown.
   */
  async halt(): Promise<void> {
    this.halted = true;
    for (const wake of this.wakers) wake();
    await this.idle();
    this.halted = false;
  }

  private checkHalted(): void {
    if (this.halted) throw new Halted();
  }

  /** The providers' sleep: cut short (with Halted) when the server stops. */
  private sleep(ms: number): Promise<void> {
    this.checkHalted();
    return new Promise((resolve, reject) => {
      const wake = () => {
        clearTimeout(timer);
        this.wakers.delete(wake);
        reject(new Halted());
      };
      const timer = setTimeout(() => {
        this.wakers.delete(wake);
        resolve();
      }, ms);
      this.wakers.add(wake);
    });
  }

  private pctx(stack: StackRecord, logicalId: string) {
    return { ...providerContext(stack, logicalId, this.deps.call), sleep: (ms: number) => this.sleep(ms) };
  }

  /** Waits for every running operation (shutdown and tests). */
  async idle(): Promise<void> {
    while (this.running.size) await Promise.allSettled([...this.running.values()]);
  }

  /**
   * Waits, at most `ms`, for a stack's running operation to end. CreateStack & co. answer after it: a
   * stack of a few resources is done in well under a second here, and the aws CLI's waiters, which
   * poll every 30 s after a first look, then see it finished at that first look. The lifecycle
   * (events, statuses) is the same either way.
   */
  async settle(stackId: string, ms: number): Promise<void> {
    const run = this.running.get(stackId);
    if (!run) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([run, new Promise<void>((resolve) => (timer = setTimeout(resolve, ms)))]);
    clearTimeout(timer);
  }

  /** CancelUpdateStack: the update starts no further resource and rolls back ("User Initiated"). */
  cancelUpdate(stack: StackRecord): void {
    if (stack.status !== 'UPDATE_IN_PROGRESS' || !this.running.has(stack.stackId)) {
      throw new AwsError('ValidationError', 'CancelUpdateStack cannot be called from current stack status');
    }
    this.cancelled.add(stack.stackId);
  }

  /** ContinueUpdateRollback: retries the rollback of an UPDATE_ROLLBACK_FAILED stack, skipping the named resources. */
  continueRollback(stack: StackRecord, skip: string[]): void {
    if (stack.status !== 'UPDATE_ROLLBACK_FAILED' || !stack.update || this.running.has(stack.stackId)) {
      throw new AwsError('ValidationError', 'ContinueUpdateRollback cannot be called from current stack status');
    }
    for (const id of skip) {
      const now = own(stack.resources, id);
      if (now) stack.update.oldResources[id] = { ...now, status: 'UPDATE_COMPLETE' };
    }
    this.start(stack, () => this.rollbackUpdate(stack, 'User Initiated'));
  }

  /** Waits until no operation runs on a stack (a nested stack's provider waits for its child). */
  async waitFor(stackId: string): Promise<void> {
    for (let run = this.running.get(stackId); run; run = this.running.get(stackId)) await run;
  }

  busy(stackId: string): boolean {
    return this.running.has(stackId);
  }

  create(stack: StackRecord): void {
    this.start(stack, () => this.runCreate(stack));
  }

  update(stack: StackRecord): void {
    this.start(stack, () => this.runUpdate(stack));
  }

  delete(stack: StackRecord): void {
    this.start(stack, () => this.runDelete(stack));
  }

  /** After a restart: every stack found mid-operation is finished or rolled back, never left _IN_PROGRESS. */
  resume(stacks: StackRecord[]): void {
    // Nested stacks first: a parent's resumed operation waits for its children's (engine.waitFor).
    const byId = new Map(stacks.map((s) => [s.stackId, s]));
    const depth = (s: StackRecord | undefined, seen = 0): number => (s?.parentId && seen < 64 ? 1 + depth(byId.get(s.parentId), seen + 1) : 0);
    for (const stack of [...stacks].sort((a, b) => depth(b) - depth(a))) {
      const cancelled = 'Wayfinder restarted during the operation';
      switch (stack.status) {
        case 'CREATE_IN_PROGRESS':
          this.start(stack, async () => {
            for (const r of Object.values(stack.resources)) if (r.status === 'CREATE_IN_PROGRESS') this.setResource(stack, r, 'CREATE_FAILED', 'Resource creation cancelled');
            await this.failCreate(stack, cancelled);
          });
          break;
        case 'ROLLBACK_IN_PROGRESS':
          this.start(stack, () => this.rollbackCreate(stack));
          break;
        case 'DELETE_IN_PROGRESS':
          this.start(stack, () => this.runDelete(stack, true));
          break;
        case 'UPDATE_IN_PROGRESS':
        case 'UPDATE_ROLLBACK_IN_PROGRESS':
        case 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS':
          this.start(stack, () => this.rollbackUpdate(stack, stack.status === 'UPDATE_IN_PROGRESS' ? cancelled : undefined));
          break;
        case 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS':
          // A nested stack waiting for its parent's update: the parent's resumed operation ends it.
          if (stack.update?.deferCleanup && stack.parentId && byId.has(stack.parentId)) break;
          this.start(stack, () => this.cleanupUpdate(stack));
          break;
      }
    }
  }

  // ---- shared steps ----

  private stackEvent(stack: StackRecord, status: string, reason?: string): void {
    this.checkHalted();
    stack.status = status;
    stack.reason = reason;
    this.deps.cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: STACK_TYPE, status, reason });
  }

  /** Records a resource's new status and its event; a `detached` one (an old copy in an update's cleanup) is not the stack's current resource. */
  private setResource(stack: StackRecord, r: ResourceState, status: string, reason?: string, properties?: Record<string, unknown>, detached = false): void {
    r.status = status;
    r.reason = reason;
    r.updatedAt = Date.now();
    if (!detached) stack.resources[r.logicalId] = r;
    this.deps.cfn.addEvent(stack, {
      logicalId: r.logicalId,
      physicalId: r.physicalId,
      type: r.type,
      status,
      reason,
      properties: properties ? JSON.stringify(properties) : undefined,
    });
  }

  private provider(type: string): ResourceProvider {
    const p = this.deps.providers.get(type);
    if (!p) throw new AwsError('ValidationError', `Template format error: Unrecognized resource types: [${type}]`);
    return p;
  }

  private async azs(stack: StackRecord): Promise<string[]> {
    try {
      const out = await this.deps.call('ec2', 'DescribeAvailabilityZones', {}, stack);
      return ((out.AvailabilityZones as Array<{ ZoneName: string }> | undefined) ?? []).map((z) => z.ZoneName);
    } catch {
      return [];
    }
  }

  private async context(stack: StackRecord, t: Template): Promise<StackContext> {
    return stackContext(stack, t, { cfn: this.deps.cfn, providers: this.deps.providers, azs: await this.azs(stack) });
  }

  private async createResource(stack: StackRecord, t: Template, ctx: StackContext, id: string, dependsOn: string[], replacing?: ResourceState): Promise<void> {
    const decl = t.Resources[id]!;
    const provider = this.provider(decl.Type);
    const r: ResourceState = {
      logicalId: id,
      type: decl.Type,
      status: '',
      props: {},
      attributes: {},
      updatedAt: Date.now(),
      deletionPolicy: decl.DeletionPolicy,
      updateReplacePolicy: decl.UpdateReplacePolicy,
      metadata: decl.Metadata,
      // Known before the create starts: a rollback deletes a half-made resource before what it stands on.
      dependsOn,
      // A replacement's first event names the physical resource being replaced, as AWS's does.
      physicalId: replacing?.physicalId,
    };
    const inProgress = replacing ? 'UPDATE_IN_PROGRESS' : 'CREATE_IN_PROGRESS';
    try {
      r.props = evaluate(decl.Properties ?? {}, ctx.eval) as Record<string, unknown>;
      this.setResource(stack, r, inProgress, replacing ? 'Requested update requires the creation of a new physical resource; hence creating one.' : undefined, r.props);
      const pctx = this.pctx(stack, id);
      const created = await provider.create(r.props, pctx);
      r.physicalId = created.physicalId;
      r.attributes = created.attributes ?? {};
      this.setResource(stack, r, inProgress, 'Resource creation Initiated');
      if (provider.stabilize) r.attributes = { ...r.attributes, ...((await provider.stabilize(r.physicalId, r.props, pctx)) ?? {}) };
      this.checkHalted();
      this.setResource(stack, r, replacing ? 'UPDATE_COMPLETE' : 'CREATE_COMPLETE');
    } catch (e) {
      if (e instanceof Halted || this.halted) throw new Halted();
      if (replacing && r.physicalId === replacing.physicalId) r.physicalId = undefined; // no new copy was made
      this.setResource(stack, r, replacing ? 'UPDATE_FAILED' : 'CREATE_FAILED', failureReason(e));
      throw e;
    }
  }

  private async deleteResource(stack: StackRecord, r: ResourceState, policy: string | undefined, detached: boolean): Promise<void> {
    if (r.status === 'DELETE_COMPLETE' || r.status === 'DELETE_SKIPPED') return;
    if (policy === 'Retain' || (policy === 'RetainExceptOnCreate' && !stack.status.startsWith('ROLLBACK'))) {
      this.setResource(stack, r, 'DELETE_SKIPPED', undefined, undefined, detached);
      return;
    }
    if (!r.physicalId) {
      this.setResource(stack, r, 'DELETE_COMPLETE', undefined, undefined, detached);
      return;
    }
    this.setResource(stack, r, 'DELETE_IN_PROGRESS', undefined, undefined, detached);
    try {
      await this.provider(r.type).delete(r.physicalId, r.props, this.pctx(stack, r.logicalId));
    } catch (e) {
      if (e instanceof Halted || this.halted) throw new Halted();
      this.setResource(stack, r, 'DELETE_FAILED', failureReason(e), undefined, detached);
      throw e;
    }
    this.setResource(stack, r, 'DELETE_COMPLETE', undefined, undefined, detached);
  }

  /** Deletes resources, each after everything that depends on it. */
  private async deleteAll(
    stack: StackRecord,
    resources: ResourceState[],
    policyOf: (r: ResourceState) => string | undefined = (r) => r.deletionPolicy,
    detached = false,
  ): Promise<string[]> {
    const byId = new Map(resources.map((r) => [r.logicalId, r]));
    const ids = [...byId.keys()];
    const dependents = (id: string) => ids.filter((other) => byId.get(other)!.dependsOn.includes(id));
    const failed: string[] = [];
    // Unlike create, one failed delete does not stop the others (runGraph stops; so retry the rest).
    let pending = ids;
    while (pending.length) {
      const result = await runGraph(pending, dependents, (id) => this.deleteResource(stack, byId.get(id)!, policyOf(byId.get(id)!), detached));
      failed.push(...result.failed.map((f) => f.id));
      const next = result.skipped.filter((id) => !dependents(id).some((d) => failed.includes(d)));
      if (next.length === pending.length) break;
      pending = next;
    }
    return failed;
  }

  private outputs(t: Template, ctx: StackContext): StackOutput[] {
    const out: StackOutput[] = [];
    for (const [key, o] of Object.entries(t.Outputs)) {
      if (o.Condition && own(ctx.conditions, o.Condition) !== true) continue;
      const value = evaluate(o.Value, ctx.eval);
      out.push({
        key,
        value: Array.isArray(value) ? value.join(',') : String(value),
        description: o.Description,
        exportName: o.Export ? String(evaluate(o.Export.Name, ctx.eval)) : undefined,
      });
    }
    return out;
  }

  /** An export name another live stack already owns. */
  private exportClash(stack: StackRecord, outputs: StackOutput[]): string | undefined {
    for (const o of outputs) {
      if (!o.exportName) continue;
      const owner = this.deps.cfn.stacksIn(stack).find((s) => s.stackId !== stack.stackId && LIVE_FOR_EXPORTS(s.status) && s.outputs.some((x) => x.exportName === o.exportName));
      if (owner) return `Export with name ${o.exportName} is already exported by stack ${owner.name}`;
    }
    return undefined;
  }

  /** Export names of this stack other stacks import, with the importer. */
  importedExports(stack: StackRecord, names = stack.outputs.map((o) => o.exportName).filter((n): n is string => !!n)): Array<{ name: string; by: string }> {
    const found: Array<{ name: string; by: string }> = [];
    for (const other of this.deps.cfn.stacksIn(stack)) {
      if (other.stackId === stack.stackId || other.status === 'DELETE_COMPLETE') continue;
      for (const n of names) if (other.imports.includes(n)) found.push({ name: n, by: other.name });
    }
    return found;
  }

  // ---- create ----

  private async runCreate(stack: StackRecord): Promise<void> {
    await parseLargeYaml(stack.templateBody); // after a restart, not parsed yet: off the main thread
    const t = parseTemplate(stack.templateBody);
    let ctx: StackContext;
    let order: string[];
    let deps: Map<string, Set<string>>;
    try {
      ctx = await this.context(stack, t);
      deps = dependencies(t, ctx.included);
      order = creationOrder(deps);
    } catch (e) {
      return this.failCreate(stack, e instanceof Error ? e.message : String(e));
    }
    const result = await runGraph(
      order,
      (id) => deps.get(id)!,
      (id) => this.createResource(stack, t, ctx, id, [...deps.get(id)!]),
    );
    if (result.failed.length) {
      return this.failCreate(
        stack,
        `The following resource(s) failed to create: [${result.failed
          .map((f) => f.id)
          .sort()
          .join(', ')}]. ${stack.disableRollback ? '' : 'Rollback requested by user.'}`.trim(),
      );
    }
    let outputs: StackOutput[];
    try {
      outputs = this.outputs(t, ctx);
      const clash = this.exportClash(stack, outputs);
      if (clash) throw new AwsError('ValidationError', clash);
    } catch (e) {
      return this.failCreate(stack, e instanceof Error ? e.message : String(e));
    }
    stack.outputs = outputs;
    stack.imports = [...ctx.imported];
    this.stackEvent(stack, 'CREATE_COMPLETE');
  }

  private async failCreate(stack: StackRecord, reason: string): Promise<void> {
    if (stack.disableRollback) {
      this.stackEvent(stack, 'CREATE_FAILED', reason);
      return;
    }
    this.stackEvent(stack, 'ROLLBACK_IN_PROGRESS', reason);
    await this.rollbackCreate(stack);
  }

  private async rollbackCreate(stack: StackRecord): Promise<void> {
    const failed = await this.deleteAll(stack, Object.values(stack.resources));
    if (failed.length) this.stackEvent(stack, 'ROLLBACK_FAILED', `The following resource(s) failed to delete: [${failed.sort().join(', ')}]. `);
    else {
      stack.outputs = [];
      this.stackEvent(stack, 'ROLLBACK_COMPLETE');
    }
  }

  // ---- delete ----

  private async runDelete(stack: StackRecord, resumed = false): Promise<void> {
    if (!resumed) this.stackEvent(stack, 'DELETE_IN_PROGRESS', 'User Initiated');
    const failed = await this.deleteAll(stack, Object.values(stack.resources));
    if (failed.length) {
      this.stackEvent(stack, 'DELETE_FAILED', `The following resource(s) failed to delete: [${failed.sort().join(', ')}]. `);
      return;
    }
    stack.deletedAt = Date.now();
    stack.outputs = [];
    stack.imports = [];
    this.stackEvent(stack, 'DELETE_COMPLETE');
  }

  // ---- update ----

  private async runUpdate(stack: StackRecord): Promise<void> {
    await parseLargeYaml(stack.templateBody);
    const t = parseTemplate(stack.templateBody);
    const old = stack.update!;
    let ctx: StackContext;
    let deps: Map<string, Set<string>>;
    let order: string[];
    try {
      ctx = await this.context(stack, t);
      deps = dependencies(t, ctx.included);
      order = creationOrder(deps);
    } catch (e) {
      return this.rollbackUpdate(stack, e instanceof Error ? e.message : String(e));
    }
    const result = await runGraph(
      order,
      (id) => deps.get(id)!,
      (id) => this.updateResource(stack, t, ctx, id, [...deps.get(id)!]),
    );
    if (this.cancelled.delete(stack.stackId)) return this.rollbackUpdate(stack, 'User Initiated');
    if (result.failed.length)
      return this.rollbackUpdate(
        stack,
        `The following resource(s) failed to update: [${result.failed
          .map((f) => f.id)
          .sort()
          .join(', ')}]. `,
      );
    try {
      const outputs = this.outputs(t, ctx);
      const clash = this.exportClash(stack, outputs);
      if (clash) throw new AwsError('ValidationError', clash);
      const kept = new Set(outputs.map((o) => o.exportName));
      const lost = this.importedExports(
        stack,
        old.oldOutputs.flatMap((o) => (o.exportName && !kept.has(o.exportName) ? [o.exportName] : [])),
      );
      if (lost.length) throw new AwsError('ValidationError', `Cannot delete export ${lost[0]!.name} as it is in use by ${lost[0]!.by}.`);
      const changed = old.oldOutputs.find((o) => o.exportName && outputs.some((n) => n.exportName === o.exportName && n.value !== o.value));
      if (changed && this.importedExports(stack, [changed.exportName!]).length) {
        throw new AwsError('ValidationError', `Cannot update export ${changed.exportName} as it is in use by ${this.importedExports(stack, [changed.exportName!])[0]!.by}`);
      }
      stack.outputs = outputs;
      stack.imports = [...ctx.imported];
    } catch (e) {
      return this.rollbackUpdate(stack, e instanceof Error ? e.message : String(e));
    }
    // Resources no longer in the template (or whose Condition turned false) go in the cleanup.
    for (const [id, r] of Object.entries(stack.resources)) {
      if (!ctx.included(id) && r.status !== 'DELETE_COMPLETE') {
        old.cleanup.push(r);
        delete stack.resources[id];
      }
    }
    this.stackEvent(stack, 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS');
    if (stack.update?.deferCleanup) return; // its parent's update finishes it (afterUpdate) or rolls it back
    await this.cleanupUpdate(stack);
  }

  /** A nested stack's update held in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: its parent's update succeeded. */
  finishDeferredUpdate(stack: StackRecord): void {
    this.start(stack, () => this.cleanupUpdate(stack));
  }

  /** A nested stack's update held in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS: its parent's update is rolling back. */
  rollbackDeferredUpdate(stack: StackRecord, reason: string): void {
    this.start(stack, () => this.rollbackUpdate(stack, reason));
  }

  private async updateResource(stack: StackRecord, t: Template, ctx: StackContext, id: string, dependsOn: string[]): Promise<void> {
    if (this.cancelled.has(stack.stackId)) throw new Error('Resource update cancelled');
    const decl = t.Resources[id]!;
    const current = own(stack.resources, id);
    if (!current || current.status === 'DELETE_COMPLETE' || !current.physicalId) return this.createResource(stack, t, ctx, id, dependsOn);
    current.dependsOn = dependsOn;
    const provider = this.provider(decl.Type);
    const props = evaluate(decl.Properties ?? {}, ctx.eval) as Record<string, unknown>;
    current.deletionPolicy = decl.DeletionPolicy;
    current.updateReplacePolicy = decl.UpdateReplacePolicy;
    if (current.type === decl.Type && deepEqual(props, current.props) && !provider.updatesEveryTime) return;
    const changedKeys = [...new Set([...Object.keys(props), ...Object.keys(current.props)])].filter((k) => !deepEqual(props[k], current.props[k]));
    const replace = current.type !== decl.Type || !provider.update || changedKeys.some((k) => provider.replaceOn.includes(k) || provider.replaceOn.includes('*'));
    if (replace) {
      stack.update!.cleanup.push({ ...current });
      return this.createResource(stack, t, ctx, id, dependsOn, current);
    }
    const r = { ...current };
    this.setResource(stack, r, 'UPDATE_IN_PROGRESS', undefined, props);
    try {
      const out = await provider.update!(current.physicalId, props, current.props, this.pctx(stack, id));
      r.props = props;
      r.attributes = { ...r.attributes, ...(out.attributes ?? {}) };
      if (out.physicalId) r.physicalId = out.physicalId;
      this.setResource(stack, r, 'UPDATE_COMPLETE');
    } catch (e) {
      if (e instanceof Halted || this.halted) throw new Halted();
      this.setResource(stack, r, 'UPDATE_FAILED', failureReason(e));
      throw e;
    }
  }

  private async cleanupUpdate(stack: StackRecord): Promise<void> {
    // Resources that finish with the stack's update (nested stacks) do so before the cleanup, as on AWS.
    for (const r of Object.values(stack.resources)) {
      const p = this.deps.providers.get(r.type);
      if (!p?.afterUpdate || !r.physicalId) continue;
      try {
        await p.afterUpdate(r.physicalId, this.pctx(stack, r.logicalId));
      } catch (e) {
        if (e instanceof Halted || this.halted) throw new Halted();
        this.deps.logger.warn({ err: e, stack: stack.stackId, resource: r.logicalId }, 'finishing a resource after the update failed');
      }
    }
    const cleanup = stack.update?.cleanup ?? [];
    const replaced = new Set(cleanup.filter((r) => own(stack.resources, r.logicalId)).map((r) => r.logicalId));
    // The old copies are deleted as detached records: the live resource of the same logical id stays.
    // Replaced and removed copies of one id never meet, so the graph's ids are unique.
    await this.deleteAll(stack, cleanup, (r) => (replaced.has(r.logicalId) ? r.updateReplacePolicy : r.deletionPolicy), true);
    stack.update = undefined;
    stack.updatedAt = Date.now();
    this.stackEvent(stack, 'UPDATE_COMPLETE');
  }

  private async rollbackUpdate(stack: StackRecord, reason?: string): Promise<void> {
    const old = stack.update!;
    if (reason !== undefined) this.stackEvent(stack, 'UPDATE_ROLLBACK_IN_PROGRESS', reason);
    // 1. In place: resources updated in place get their old properties back.
    for (const [id, before] of Object.entries(old.oldResources)) {
      const now = own(stack.resources, id);
      const p = this.deps.providers.get(now?.type ?? '');
      if (!now || now.physicalId !== before.physicalId || (deepEqual(now.props, before.props) && !p?.updatesEveryTime) || !before.physicalId) continue;
      if (!p?.update) continue;
      const r = { ...now };
      this.setResource(stack, r, 'UPDATE_IN_PROGRESS');
      try {
        await this.provider(r.type).update!(before.physicalId, before.props, now.props, this.pctx(stack, id));
        this.setResource(stack, { ...before, updatedAt: Date.now() }, 'UPDATE_COMPLETE');
      } catch (e) {
        this.setResource(stack, r, 'UPDATE_FAILED', failureReason(e));
        this.stackEvent(stack, 'UPDATE_ROLLBACK_FAILED', failureReason(e));
        return;
      }
    }
    if (stack.status !== 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS') this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS');
    // 2. Cleanup: what the update created (new resources, new copies of replaced ones) is deleted.
    const made = Object.values(stack.resources).filter((r) => r.physicalId && own(old.oldResources, r.logicalId)?.physicalId !== r.physicalId);
    await this.deleteAll(stack, made, () => undefined);
    stack.resources = old.oldResources;
    stack.templateBody = old.oldTemplateBody;
    stack.parameters = old.oldParameters;
    stack.outputs = old.oldOutputs;
    stack.update = undefined;
    this.stackEvent(stack, 'UPDATE_ROLLBACK_COMPLETE');
  }
}
