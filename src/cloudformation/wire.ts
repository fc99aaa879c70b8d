// Stack, resource, event and change-set records as the CloudFormation API shapes them.
import type * as Cfn from '../protocol/generated/cloudformation.js';
import type { ChangeSetRecord, ResourceState, StackEventRecord, StackRecord } from './store.js';
import type { StackParameter } from './parameters.js';

const NO_ECHO = '****';

export const parametersWire = (ps: StackParameter[]): Cfn.Parameter[] => ps.map((p) => ({ ParameterKey: p.key, ParameterValue: p.noEcho ? NO_ECHO : p.value }));

export function stackWire(s: StackRecord): Cfn.Stack {
  return {
    StackId: s.stackId,
    StackName: s.name,
    ChangeSetId: s.changeSetId,
    Description: s.description,
    Parameters: parametersWire(s.parameters),
    CreationTime: new Date(s.createdAt),
    LastUpdatedTime: s.updatedAt ? new Date(s.updatedAt) : undefined,
    DeletionTime: s.deletedAt ? new Date(s.deletedAt) : undefined,
    StackStatus: s.status as Cfn.StackStatus,
    StackStatusReason: s.reason,
    DisableRollback: s.disableRollback,
    NotificationARNs: s.notificationARNs,
    TimeoutInMinutes: s.timeoutInMinutes,
    Capabilities: s.capabilities as Cfn.Capability[],
    Outputs: s.outputs.length ? s.outputs.map((o) => ({ OutputKey: o.key, OutputValue: o.value, Description: o.description, ExportName: o.exportName })) : undefined,
    RoleARN: s.roleARN,
    Tags: s.tags,
    EnableTerminationProtection: s.terminationProtection,
    ParentId: s.parentId,
    RootId: s.rootId,
    DriftInformation: stackDrift(s),
  };
}

/** The stack's drift as its last detection found it (NOT_CHECKED before any). */
function stackDrift(s: StackRecord): Cfn.StackDriftInformation {
  const last = s.driftDetections?.at(-1);
  return last ? { StackDriftStatus: last.stackDriftStatus, LastCheckTimestamp: new Date(last.timestamp) } : { StackDriftStatus: 'NOT_CHECKED' };
}

export function summaryWire(s: StackRecord): Cfn.StackSummary {
  return {
    StackId: s.stackId,
    StackName: s.name,
    TemplateDescription: s.description,
    CreationTime: new Date(s.createdAt),
    LastUpdatedTime: s.updatedAt ? new Date(s.updatedAt) : undefined,
    DeletionTime: s.deletedAt ? new Date(s.deletedAt) : undefined,
    StackStatus: s.status as Cfn.StackStatus,
    StackStatusReason: s.reason,
    ParentId: s.parentId,
    RootId: s.rootId,
    DriftInformation: stackDrift(s),
  };
}

export function eventWire(e: StackEventRecord): Cfn.StackEvent {
  return {
    StackId: e.stackId,
    EventId: e.eventId,
    StackName: e.stackName,
    LogicalResourceId: e.logicalId,
    PhysicalResourceId: e.physicalId ?? '',
    ResourceType: e.type,
    Timestamp: new Date(e.timestamp),
    ResourceStatus: e.status as Cfn.ResourceStatus,
    ResourceStatusReason: e.reason,
    ResourceProperties: e.properties,
  };
}

export function resourceWire(s: StackRecord, r: ResourceState): Cfn.StackResourceDetail {
  return {
    StackName: s.name,
    StackId: s.stackId,
    LogicalResourceId: r.logicalId,
    PhysicalResourceId: r.physicalId,
    ResourceType: r.type,
    LastUpdatedTimestamp: new Date(r.updatedAt),
    ResourceStatus: r.status as Cfn.ResourceStatus,
    ResourceStatusReason: r.reason,
    Metadata: r.metadata === undefined ? undefined : JSON.stringify(r.metadata),
    DriftInformation: r.drift ? { StackResourceDriftStatus: r.drift.status, LastCheckTimestamp: new Date(r.drift.timestamp) } : { StackResourceDriftStatus: 'NOT_CHECKED' },
  };
}

export function changeSetSummaryWire(c: ChangeSetRecord): Cfn.ChangeSetSummary {
  return {
    StackId: c.stackId,
    StackName: c.stackName,
    ChangeSetId: c.changeSetId,
    ChangeSetName: c.name,
    ExecutionStatus: c.executionStatus as Cfn.ExecutionStatus,
    Status: c.status as Cfn.ChangeSetStatus,
    StatusReason: c.reason,
    CreationTime: new Date(c.createdAt),
    Description: c.description,
    IncludeNestedStacks: false,
  };
}

export function changeSetWire(c: ChangeSetRecord): Cfn.DescribeChangeSetOutput {
  return {
    ...changeSetSummaryWire(c),
    Parameters: parametersWire(c.parameters),
    Capabilities: c.capabilities as Cfn.Capability[],
    Tags: c.tags,
    NotificationARNs: c.notificationARNs,
    RollbackConfiguration: {},
    Changes: c.changes.map((ch) => ({
      Type: 'Resource',
      ResourceChange: {
        Action: ch.action as Cfn.ChangeAction,
        LogicalResourceId: ch.logicalId,
        PhysicalResourceId: ch.physicalId,
        ResourceType: ch.type,
        Replacement: ch.replacement as Cfn.Replacement | undefined,
        Scope: ch.scope as Cfn.ResourceAttribute[],
        Details: ch.details.map((d) => ({
          Target: { Attribute: 'Properties', Name: d.name, RequiresRecreation: d.requiresRecreation as Cfn.RequiresRecreation },
          Evaluation: 'Static',
          ChangeSource: 'DirectModification',
        })),
      },
    })),
  };
}
