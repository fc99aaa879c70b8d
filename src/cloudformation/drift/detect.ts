// Drift detection: each live resource of a stack read through its type's reader (readers.ts) and
// compared with the properties the stack made it with (compare.ts). A nested stack resource is
// DELETED when its stack is gone, else MODIFIED when its own stack has drifted. The results are
// stored on the stack (they survive restarts). A detection runs to its end within the request: the
// readers are in-process calls, so DescribeStackDriftDetectionStatus finds it complete.
import { randomUUID } from 'node:crypto';
import type { OperationCaller } from '../../protocol/invoke.js';
import { providerContext } from '../context.js';
import { NESTED_STACK_TYPE } from '../nested.js';
import type { CfnStore, DriftDetection, ResourceDrift, ResourceState, StackRecord } from '../store.js';
import { actualShown, compareProperties } from './compare.js';
import { DRIFT_READERS } from './readers.js';
import { own } from '../own.js';

/** Resources that exist as far as the stack knows (a failed or deleted one is not checked). */
export const LIVE_RESOURCE = (r: ResourceState) => !!r.physicalId && /_COMPLETE$/.test(r.status) && !r.status.startsWith('DELETE');

/** Stack statuses drift detection runs in (AWS: a stable stack, including a failed update rollback). */
export const DRIFT_STATUSES = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'UPDATE_ROLLBACK_FAILED', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'];

const KEEP_DETECTIONS = 20;

export interface DriftDeps {
  cfn: CfnStore;
  call: OperationCaller;
}

export async function checkResource(stack: StackRecord, r: ResourceState, deps: DriftDeps, depth = 0): Promise<ResourceDrift> {
  const base = { timestamp: Date.now(), physicalId: r.physicalId, expected: JSON.stringify(r.props) };
  if (r.type === NESTED_STACK_TYPE && r.physicalId) {
    const child = deps.cfn.find(stack, r.physicalId);
    if (!child || child.status === 'DELETE_COMPLETE') return { ...base, status: 'DELETED' };
    if (depth > 10) return { ...base, status: 'NOT_CHECKED' };
    const d = await detectStack(child, deps, undefined, depth + 1);
    return { ...base, actual: base.expected, status: d.stackDriftStatus === 'DRIFTED' ? 'MODIFIED' : 'IN_SYNC' };
  }
  const reader = DRIFT_READERS.get(r.type);
  if (!reader || !r.physicalId) return { timestamp: base.timestamp, physicalId: r.physicalId, status: 'NOT_CHECKED' };
  const live = await reader(r.physicalId, r.props, providerContext(stack, r.logicalId, deps.call));
  if (!live) return { ...base, status: 'DELETED' };
  const differences = compareProperties(r.props, live.props, live.readable);
  return { ...base, actual: JSON.stringify(actualShown(r.props, live.props)), differences, status: differences.length ? 'MODIFIED' : 'IN_SYNC' };
}

/** Checks the stack's resources (or the named ones) and stores the results with a new detection. */
export async function detectStack(stack: StackRecord, deps: DriftDeps, logicalIds?: string[], depth = 0): Promise<DriftDetection> {
  const targets = Object.values(stack.resources).filter((r) => LIVE_RESOURCE(r) && (!logicalIds?.length || logicalIds.includes(r.logicalId)));
  const results = new Map<string, ResourceDrift>();
  const failed: string[] = [];
  for (const r of targets) {
    try {
      results.set(r.logicalId, await checkResource(stack, r, deps, depth));
    } catch (e) {
      failed.push(r.logicalId);
      results.set(r.logicalId, { timestamp: Date.now(), physicalId: r.physicalId, status: 'NOT_CHECKED', reason: e instanceof Error ? e.message : String(e) });
    }
  }
  const drifted = [...results.values()].filter((d) => d.status === 'MODIFIED' || d.status === 'DELETED').length;
  const detection: DriftDetection = {
    id: randomUUID(),
    status: failed.length ? 'DETECTION_FAILED' : 'DETECTION_COMPLETE',
    reason: failed.length ? `Failed to detect drift on resources [${failed.join(', ')}]` : undefined,
    stackDriftStatus: drifted ? 'DRIFTED' : 'IN_SYNC',
    drifted,
    timestamp: Date.now(),
  };
  storeResults(stack, results, detection, deps.cfn);
  return detection;
}

/**
 * Writes results onto the stack as stored now (the reads awaited; an operation may have moved the
 * stack meanwhile): a resource replaced since it was read keeps no stale result.
 */
export function storeResults(stack: StackRecord, results: Map<string, ResourceDrift>, detection: DriftDetection | undefined, cfn: CfnStore): void {
  const fresh = cfn.find(stack, stack.stackId);
  if (!fresh) return;
  for (const [id, d] of results) {
    const r = own(fresh.resources, id);
    if (r && r.physicalId === d.physicalId) r.drift = d;
  }
  if (detection) fresh.driftDetections = [...(fresh.driftDetections ?? []), detection].slice(-KEEP_DETECTIONS);
  cfn.put(fresh);
}
