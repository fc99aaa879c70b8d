// ECS identifiers (docs/aws-behavior.md §5.1): ARNs, and the short-name-or-ARN references most inputs accept.
import { arn, parseArn } from '../kernel/arn.js';
import { digits, hex } from '../kernel/ids.js';
import type { Scope } from '../store/store.js';

export const clusterArn = (region: string, account: string, name: string) => arn('ecs', region, account, `cluster/${name}`);
export const serviceArn = (region: string, account: string, cluster: string, name: string) => arn('ecs', region, account, `service/${cluster}/${name}`);
export const taskArn = (region: string, account: string, cluster: string, taskId: string) => arn('ecs', region, account, `task/${cluster}/${taskId}`);
export const containerArn = (region: string, account: string, cluster: string, taskId: string, uuid: string) =>
  arn('ecs', region, account, `container/${cluster}/${taskId}/${uuid}`);
export const taskDefinitionArn = (region: string, account: string, family: string, revision: number) => arn('ecs', region, account, `task-definition/${family}:${revision}`);
export const capacityProviderArn = (region: string, account: string, name: string) => arn('ecs', region, account, `capacity-provider/${name}`);

/** Task ids are 32 lowercase hex characters. */
export const newTaskId = () => hex(32);
/** Deployment ids: `ecs-svc/` + 19 digits. */
export const newDeploymentId = () => `ecs-svc/${digits(19)}`;

function ecsResource(ref: string, kind: string): string | undefined {
  if (!ref.startsWith('arn:')) return undefined;
  const p = parseArn(ref);
  if (p?.service !== 'ecs' || !p.resource.startsWith(`${kind}/`)) return undefined;
  return p.resource.slice(kind.length + 1);
}

/** Whether a reference is an ARN of another account or region than the caller's: it names nothing here. */
export function isForeignArn(ref: string | undefined, scope: Scope): boolean {
  if (!ref?.startsWith('arn:')) return false;
  const p = parseArn(ref);
  return !p || p.region !== scope.region || p.account !== scope.accountId;
}

/** `cluster` inputs: omitted ⇒ `default`; a name or a cluster ARN (callers check isForeignArn). */
export function clusterNameOf(ref: string | undefined): string {
  if (ref === undefined || ref === '') return 'default';
  return ecsResource(ref, 'cluster') ?? ref;
}

/**
 * `service` inputs, read within one cluster and region: a name, or an ARN in the long
 * (`service/<cluster>/<name>`) or short (`service/<name>`) form. An ARN of another cluster, region or
 * account names no service here: undefined (the caller answers not found, never another cluster's service).
 */
export function serviceNameOf(ref: string, cluster: string, scope: Scope): string | undefined {
  const r = ecsResource(ref, 'service');
  if (r === undefined) return ref;
  if (isForeignArn(ref, scope)) return undefined;
  const slash = r.lastIndexOf('/');
  if (slash >= 0 && r.slice(0, slash) !== cluster) return undefined;
  return r.slice(slash + 1);
}

/** `task` inputs: an id or an ARN (`task/<cluster>/<id>` or the old `task/<id>`). */
export function taskIdOf(ref: string): string {
  const r = ecsResource(ref, 'task');
  if (r === undefined) return ref;
  return r.slice(r.lastIndexOf('/') + 1);
}

export interface TaskDefinitionRef {
  family: string;
  revision?: number;
}

/** `family`, `family:revision` or a task-definition ARN; undefined when malformed. */
export function parseTaskDefinitionRef(ref: string): TaskDefinitionRef | undefined {
  let body = ref;
  if (ref.startsWith('arn:')) {
    const r = ecsResource(ref, 'task-definition');
    if (r === undefined) return undefined;
    body = r;
  }
  const m = /^([A-Za-z0-9_-]{1,255})(?::(\d+))?$/.exec(body);
  if (!m) return undefined;
  if (ref.startsWith('arn:') && m[2] === undefined) return undefined;
  return { family: m[1]!, revision: m[2] === undefined ? undefined : Number(m[2]) };
}
