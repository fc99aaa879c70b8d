// CloudFormation's state in the store: stacks (with their resources' state, so a restart knows what
// exists), their events, and change sets. Keys start with the account and region's partition
// (store.ts scopedKey); a deleted stack stays (DescribeStacks by id and ListStacks show it, as AWS does
// for 90 days).
import { docTableSql, scopedKey, scopePrefix, type DocTable, type Migration, type Scope, type Store } from '../store/store.js';
import type { StackParameter } from './parameters.js';
import type { Tag } from './providers/provider.js';

export const CFN_TABLES = ['cfn_stacks', 'cfn_events', 'cfn_change_sets'] as const;

export const cloudFormationMigrations: Migration[] = [{ id: 'cloudformation/001-tables', up: CFN_TABLES.map(docTableSql).join('\n') }];

export interface ResourceState {
  logicalId: string;
  type: string;
  physicalId?: string;
  status: string;
  reason?: string;
  /** Resolved properties the resource was made (or last updated) with. */
  props: Record<string, unknown>;
  attributes: Record<string, unknown>;
  updatedAt: number;
  deletionPolicy?: string;
  updateReplacePolicy?: string;
  metadata?: unknown;
  dependsOn: string[];
  /** The last drift check of this resource (drift/detect.ts). */
  drift?: ResourceDrift;
}

export interface ResourceDrift {
  status: 'IN_SYNC' | 'MODIFIED' | 'DELETED' | 'NOT_CHECKED';
  timestamp: number;
  /** The physical resource checked (a later replacement is not checked yet). */
  physicalId?: string;
  expected?: string;
  actual?: string;
  differences?: Array<{ PropertyPath: string; ExpectedValue: string; ActualValue: string; DifferenceType: 'ADD' | 'REMOVE' | 'NOT_EQUAL' }>;
  reason?: string;
}

export interface DriftDetection {
  id: string;
  status: 'DETECTION_COMPLETE' | 'DETECTION_FAILED';
  stackDriftStatus: 'DRIFTED' | 'IN_SYNC';
  reason?: string;
  drifted: number;
  timestamp: number;
}

/** What an update rolls back to, and what its cleanup must remove. */
export interface UpdateInFlight {
  oldTemplateBody: string;
  oldParameters: StackParameter[];
  oldResources: Record<string, ResourceState>;
  oldOutputs: StackOutput[];
  /** Physical resources to delete once the update completes (replaced or removed ones). */
  cleanup: ResourceState[];
  /**
   * A nested stack's update started by its parent's: it waits in UPDATE_COMPLETE_CLEANUP_IN_PROGRESS
   * until the parent's update ends, which finishes it or rolls it back (as AWS does).
   */
  deferCleanup?: boolean;
}

export interface StackOutput {
  key: string;
  value: string;
  description?: string;
  exportName?: string;
}

export interface StackRecord {
  stackId: string;
  name: string;
  region: string;
  accountId: string;
  status: string;
  reason?: string;
  createdAt: number;
  updatedAt?: number;
  deletedAt?: number;
  description?: string;
  templateBody: string;
  parameters: StackParameter[];
  capabilities: string[];
  tags: Tag[];
  notificationARNs: string[];
  disableRollback: boolean;
  terminationProtection: boolean;
  stackPolicy?: string;
  roleARN?: string;
  timeoutInMinutes?: number;
  resources: Record<string, ResourceState>;
  outputs: StackOutput[];
  /** Export names this stack imports (Fn::ImportValue), for ListImports and delete protection. */
  imports: string[];
  update?: UpdateInFlight;
  changeSetId?: string;
  eventSeq: number;
  /** A nested stack's parent and root stack ids (AWS's ParentId / RootId). */
  parentId?: string;
  rootId?: string;
  /** A nested stack's template and parameters before its last update, for its parent's update rollback. */
  nestedPrevious?: { body: string; parameters: StackParameter[] };
  /** Drift detections, newest last (a few kept for DescribeStackDriftDetectionStatus). */
  driftDetections?: DriftDetection[];
}

export interface StackEventRecord {
  stackId: string;
  stackName: string;
  eventId: string;
  seq: number;
  logicalId: string;
  physicalId?: string;
  type: string;
  status: string;
  reason?: string;
  properties?: string;
  timestamp: number;
}

export interface ChangeSetRecord {
  changeSetId: string;
  name: string;
  stackId: string;
  stackName: string;
  region: string;
  accountId: string;
  type: 'CREATE' | 'UPDATE';
  status: string;
  executionStatus: string;
  reason?: string;
  createdAt: number;
  description?: string;
  templateBody: string;
  parameters: StackParameter[];
  capabilities: string[];
  tags: Tag[];
  notificationARNs: string[];
  changes: Array<{
    action: string;
    logicalId: string;
    physicalId?: string;
    type: string;
    replacement?: string;
    scope: string[];
    details: Array<{ name: string; requiresRecreation: string }>;
  }>;
}

export class CfnStore {
  readonly stacks: DocTable<StackRecord>;
  readonly events: DocTable<StackEventRecord>;
  readonly changeSets: DocTable<ChangeSetRecord>;

  constructor(readonly store: Store) {
    this.stacks = store.table('cfn_stacks');
    this.events = store.table('cfn_events');
    this.changeSets = store.table('cfn_change_sets');
  }

  stackKey = (s: { region: string; accountId: string; stackId: string }) => scopedKey(s, s.stackId);

  /** Every stack of an account in a region, deleted ones included, oldest first. */
  stacksIn(scope: Scope): StackRecord[] {
    return this.stacks.withPrefix(scopePrefix(scope)).sort((a, b) => a.createdAt - b.createdAt);
  }

  /** The stack a name or id names: by id any stack, by name only a live one. */
  find(scope: Scope, nameOrId: string): StackRecord | undefined {
    if (nameOrId.startsWith('arn:')) return this.stacks.get(scopedKey(scope, nameOrId));
    return this.stacksIn(scope).find((s) => s.name === nameOrId && s.status !== 'DELETE_COMPLETE');
  }

  put(stack: StackRecord): void {
    this.store.withTx(() => this.stacks.putTx(this.stackKey(stack), stack));
  }

  /** Appends an event (ids ascend with seq; DescribeStackEvents lists newest first). */
  addEvent(stack: StackRecord, e: Omit<StackEventRecord, 'stackId' | 'stackName' | 'seq' | 'eventId' | 'timestamp'>): void {
    this.store.withTx(() => {
      stack.eventSeq += 1;
      const seq = stack.eventSeq;
      const eventId = e.logicalId === stack.name && e.type === 'AWS::CloudFormation::Stack' ? `${crypto.randomUUID()}` : `${e.logicalId}-${e.status}-${new Date().toISOString()}`;
      this.events.putTx(`${this.stackKey(stack)}/${String(seq).padStart(8, '0')}`, { ...e, stackId: stack.stackId, stackName: stack.name, seq, eventId, timestamp: Date.now() });
      this.stacks.putTx(this.stackKey(stack), stack);
    });
  }

  eventsOf(stack: StackRecord): StackEventRecord[] {
    return this.events.withPrefix(`${this.stackKey(stack)}/`).reverse();
  }

  changeSetKey = (c: { region: string; accountId: string; changeSetId: string }) => scopedKey(c, c.changeSetId);

  changeSetsOf(stack: StackRecord): ChangeSetRecord[] {
    return this.changeSets.withPrefix(scopePrefix(stack)).filter((c) => c.stackId === stack.stackId);
  }

  putChangeSet(c: ChangeSetRecord): void {
    this.store.withTx(() => this.changeSets.putTx(this.changeSetKey(c), c));
  }

  deleteChangeSet(c: ChangeSetRecord): void {
    this.store.withTx(() => this.changeSets.deleteTx(this.changeSetKey(c)));
  }
}
