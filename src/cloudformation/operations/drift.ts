// Drift operations: DetectStackDrift, DescribeStackDriftDetectionStatus, DescribeStackResourceDrifts,
// DetectStackResourceDrift (the checks themselves are drift/detect.ts).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Cfn from '../../protocol/generated/cloudformation.js';
import { checkResource, DRIFT_STATUSES, detectStack, LIVE_RESOURCE, storeResults } from '../drift/detect.js';
import type { ResourceDrift, ResourceState, StackRecord } from '../store.js';
import { noSuchStack, type StackOpsDeps } from './stacks.js';
import { pageOf } from './paging.js';
import { own } from '../own.js';

export function resourceDriftWire(s: StackRecord, r: ResourceState, d: ResourceDrift): Cfn.StackResourceDrift {
  return {
    StackId: s.stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: d.physicalId ?? r.physicalId,
    ResourceType: r.type,
    ExpectedProperties: d.expected,
    ActualProperties: d.actual,
    PropertyDifferences: d.differences,
    StackResourceDriftStatus: d.status,
    Timestamp: new Date(d.timestamp),
    DriftStatusReason: d.reason,
  };
}

export function driftOperations(deps: StackOpsDeps) {
  const { cfn, engine } = deps;

  /** A live stack drift detection may run on (AWS refuses one mid-operation). */
  const checkable = (ctx: RequestContext, name: string): StackRecord => {
    const s = cfn.find(ctx, name);
    if (!s || s.status === 'DELETE_COMPLETE') throw noSuchStack(name);
    if (!DRIFT_STATUSES.includes(s.status) || engine.busy(s.stackId)) {
      throw new AwsError('ValidationError', `Drift detection cannot be performed on stack [${s.stackId}] in ${s.status} state`);
    }
    return s;
  };

  return {
    async DetectStackDrift(input: Cfn.DetectStackDriftInput, ctx: RequestContext): Promise<Cfn.DetectStackDriftOutput> {
      const s = checkable(ctx, input.StackName);
      const unknown = (input.LogicalResourceIds ?? []).filter((id) => !own(s.resources, id));
      if (unknown.length) throw new AwsError('ValidationError', `Resource ${unknown[0]} does not exist for stack ${input.StackName}`);
      const detection = await detectStack(s, deps, input.LogicalResourceIds);
      return { StackDriftDetectionId: detection.id };
    },

    DescribeStackDriftDetectionStatus(input: Cfn.DescribeStackDriftDetectionStatusInput, ctx: RequestContext): Cfn.DescribeStackDriftDetectionStatusOutput {
      for (const s of cfn.stacksIn(ctx)) {
        const d = s.driftDetections?.find((x) => x.id === input.StackDriftDetectionId);
        if (!d) continue;
        return {
          StackId: s.stackId,
          StackDriftDetectionId: d.id,
          StackDriftStatus: d.stackDriftStatus,
          DetectionStatus: d.status,
          DetectionStatusReason: d.reason,
          DriftedStackResourceCount: d.drifted,
          Timestamp: new Date(d.timestamp),
        };
      }
      throw new AwsError('ValidationError', `Drift detection with id ${input.StackDriftDetectionId} does not exist`);
    },

    DescribeStackResourceDrifts(input: Cfn.DescribeStackResourceDriftsInput, ctx: RequestContext): Cfn.DescribeStackResourceDriftsOutput {
      const s = cfn.find(ctx, input.StackName);
      if (!s) throw noSuchStack(input.StackName);
      const filter = input.StackResourceDriftStatusFilters;
      // Resources never checked, or of a type drift detection does not check, are left out (as AWS does).
      const drifts = Object.values(s.resources)
        .filter((r) => r.drift && r.drift.status !== 'NOT_CHECKED' && (!filter?.length || filter.includes(r.drift.status)))
        .map((r) => resourceDriftWire(s, r, r.drift!));
      const page = pageOf(drifts, (d) => d.LogicalResourceId, input.NextToken, input.MaxResults ?? undefined);
      return { StackResourceDrifts: page.items, NextToken: page.NextToken };
    },

    async DetectStackResourceDrift(input: Cfn.DetectStackResourceDriftInput, ctx: RequestContext): Promise<Cfn.DetectStackResourceDriftOutput> {
      const s = checkable(ctx, input.StackName);
      const r = own(s.resources, input.LogicalResourceId);
      if (!r || !LIVE_RESOURCE(r)) throw new AwsError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
      const d = await checkResource(s, r, deps);
      storeResults(s, new Map([[r.logicalId, d]]), undefined, cfn);
      return { StackResourceDrift: resourceDriftWire(s, r, d) };
    },
  };
}
