// Shared lookups and checks for the ECS operations: clusters, task definitions, tags, paging.
import type { Ec2Api } from '../../ec2/api.js';
import type { IamApi } from '../../iam/api.js';
import { AwsError } from '../../kernel/errors.js';
import { paginate, type Page } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { clusterNameOf, isForeignArn, parseTaskDefinitionRef } from '../arns.js';
import type { Registration } from '../registration.js';
import { clusterKey, familyKey, taskDefinitionKey, type ClusterRecord, type EcsStore, type ServiceRecord, type Tag, type TaskDefinitionRecord } from '../store.js';
import type { TaskIndex } from '../task-index.js';
import type { Scope } from '../../store/store.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

export interface EcsOpsContext {
  ecs: EcsStore;
  ec2: Ec2Api;
  /** Role checks (taskRoleArn, executionRoleArn). */
  iam: Pick<IamApi, 'role' | 'assumeRole'>;
  registration: Registration;
  index: TaskIndex;
  now(): number;
  /**
   * The scheduler's first pass of a new service, run inside the creator's transaction on `created` (the record, not
   * written yet, which the pass leaves as it is), writing the service with the pass's answer
   * (ServiceController.firstPassTx). false: no pass ran or it failed, and the creator writes the service itself;
   * absent, the change feed alone wakes the scheduler after the commit.
   */
  firstPassTx?(serviceKey: string, created: ServiceRecord): boolean;
  /** Why this server's runtime can never run a container as `user` (RegisterTaskDefinition refuses it). */
  containerUserProblem?(container: string, user: string): string | undefined;
}

export const invalid = (message: string) => new AwsError('InvalidParameterException', message);
export const client = (message: string) => new AwsError('ClientException', message);

/** `view`: the caller only reads the record, which is then a frozen shared copy (DocTable.view). */
export function requireCluster(c: EcsOpsContext, ctx: RequestContext, ref: string | undefined, view = false): ClusterRecord {
  const name = clusterNameOf(ref);
  const key = clusterKey(ctx, name);
  const cluster = isForeignArn(ref, ctx) ? undefined : view ? c.ecs.clusters.view(key) : c.ecs.clusters.get(key);
  if (!cluster) throw new AwsError('ClusterNotFoundException', 'Cluster not found.');
  if (cluster.status !== 'ACTIVE') throw new AwsError('ClusterNotFoundException', 'The referenced cluster was inactive.');
  return cluster;
}

/** `family` (latest ACTIVE revision), `family:revision` or an ARN (any status). `view`: as requireCluster's. */
export function findTaskDefinition(c: EcsOpsContext, scope: Scope, ref: string, view = false): TaskDefinitionRecord | undefined {
  const parsed = parseTaskDefinitionRef(ref);
  if (!parsed) return undefined;
  // An ARN names its region and account: a task definition of another one is not found here.
  if (ref.startsWith('arn:') && (ref.split(':')[3] !== scope.region || ref.split(':')[4] !== scope.accountId)) return undefined;
  const read = (key: string) => (view ? c.ecs.taskDefinitions.view(key) : c.ecs.taskDefinitions.get(key));
  if (parsed.revision !== undefined) return read(taskDefinitionKey(scope, parsed.family, parsed.revision));
  const familyOf = familyKey(scope, parsed.family);
  const family = view ? c.ecs.families.view(familyOf) : c.ecs.families.get(familyOf);
  if (!family) return undefined;
  for (let rev = family.lastRevision; rev >= 1; rev--) {
    const td = read(taskDefinitionKey(scope, parsed.family, rev));
    if (td?.status === 'ACTIVE') return td;
  }
  return undefined;
}

/** A task definition new tasks and services may use (ACTIVE). */
export function usableTaskDefinition(c: EcsOpsContext, scope: Scope, ref: string, view = false): TaskDefinitionRecord {
  const td = findTaskDefinition(c, scope, ref, view);
  if (!td) throw client('Unable to describe task definition.');
  if (td.status !== 'ACTIVE') throw client('TaskDefinition is inactive');
  return td;
}

const TAG_KEY = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,128}$/u;
const TAG_VALUE = /^[\p{L}\p{Z}\p{N}_.:/=+\-@]{0,256}$/u;

/** Validates tags (≤50 beside AWS's own, AWS's key/value patterns, no `aws:` prefix) and returns them normalised. */
export function checkTags(tags: Ecs.Tags | undefined): Tag[] {
  const out: Tag[] = [];
  for (const t of tags ?? []) {
    const key = t.key ?? '';
    const value = t.value ?? '';
    if (!TAG_KEY.test(key)) throw invalid(`Invalid tag key '${key.slice(0, 128)}'. Tag keys must be 1–128 characters of letters, numbers, spaces and _ . : / = + - @.`);
    if (!TAG_VALUE.test(value)) throw invalid(`Invalid tag value for key '${key}'. Tag values can have up to 256 characters of letters, numbers, spaces and _ . : / = + - @.`);
    if (isReservedTag(key, value)) throw invalid('Tag keys beginning with aws: are reserved for AWS use.');
    const i = out.findIndex((x) => x.key === key);
    if (i >= 0) out[i] = { key, value };
    else out.push({ key, value });
  }
  if (countedTags(out.map((t) => t.key)) > 50) throw invalid('The number of tags exceeds the limit of 50 tags per resource.');
  return out;
}

export function mergeTags(current: Tag[], add: Tag[]): Tag[] {
  const merged = [...current];
  for (const t of add) {
    const i = merged.findIndex((x) => x.key === t.key);
    if (i >= 0) merged[i] = t;
    else merged.push(t);
  }
  if (countedTags(merged.map((t) => t.key)) > 50) throw invalid('The number of tags exceeds the limit of 50 tags per resource.');
  return merged;
}

export function page<T>(items: T[], keyOf: (t: T) => string, maxResults: number | undefined, nextToken: string | undefined, limit = 100): Page<T> {
  if (maxResults !== undefined && (maxResults < 1 || maxResults > limit)) throw invalid(`maxResults must be between 1 and ${limit}.`);
  return paginate(items, keyOf, maxResults ?? limit, nextToken, () => invalid('Invalid nextToken.'));
}

/** At most n items in a list input (AWS's "x can have at most n items."). */
export function atMost(name: string, list: unknown[] | undefined, n: number): void {
  if (list && list.length > n) throw invalid(`${name} can have at most ${n} items.`);
}
