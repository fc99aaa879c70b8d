// Shared pieces of the servicediscovery handlers: lookups that answer AWS's NotFound codes, paging,
// filters, idempotency tokens and the record → wire shapes (PascalCase stays in operations/).
import { AwsError } from '../../kernel/errors.js';
import { pageFrom, paginate, type Page } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import type { Ec2Api } from '../../ec2/api.js';
import type { CloudMapDeps } from '../ecs-registrations.js';
import { idFrom } from '../ids.js';
import type { CloudMapStore, NamespaceRecord, OperationRecord, ServiceRecord } from '../store.js';
import { scopedKey, type Scope } from '../../store/store.js';
import { isReservedTag } from '../../kernel/system-tags.js';

export interface CloudMapOpsContext extends CloudMapDeps {
  ec2: Pick<Ec2Api, 'vpc'>;
}

export function requireNamespace(cm: CloudMapStore, ctx: RequestContext, idOrArn: string): NamespaceRecord {
  const id = idFrom(idOrArn, 'namespace', ctx);
  const ns = id === undefined ? undefined : cm.namespace(ctx, id);
  if (!ns) throw new AwsError('NamespaceNotFound', `Namespace not found: ${idOrArn}`);
  return ns;
}

export function requireService(cm: CloudMapStore, ctx: RequestContext, idOrArn: string): ServiceRecord {
  const id = idFrom(idOrArn, 'service', ctx);
  const svc = id === undefined ? undefined : cm.service(ctx, id);
  if (!svc) throw new AwsError('ServiceNotFound', `Service not found: ${idOrArn}`);
  return svc;
}

export function page<T>(items: T[], keyOf: (t: T) => string, limit: number | undefined, token: string | undefined): Page<T> {
  return paginate(items, keyOf, limit ?? 100, token, () => new AwsError('InvalidInput', 'The specified NextToken is not valid.'));
}

/** A page read straight from a key range of the store (pageFrom): limit + 1 rows, whatever the table holds. */
export function keyedPage<T>(fetch: (after: string | undefined, n: number) => T[], keyOf: (t: T) => string, limit: number | undefined, token: string | undefined): Page<T> {
  return pageFrom(fetch, keyOf, limit ?? 100, token, () => new AwsError('InvalidInput', 'The specified NextToken is not valid.'));
}

export type Condition = 'EQ' | 'IN' | 'BETWEEN' | 'BEGINS_WITH';

/** Checks a List* filter's condition and value count; returns the condition used (EQ by default). */
export function checkFilter(name: string, condition: Condition | undefined, values: string[], allowed: Condition[]): Condition {
  const c = condition ?? 'EQ';
  if (!allowed.includes(c)) throw new AwsError('InvalidInput', `Condition ${c} is not supported for filter ${name}; use ${allowed.join(' or ')}.`);
  if ((c === 'EQ' || c === 'BEGINS_WITH') && values.length !== 1) throw new AwsError('InvalidInput', `Filter ${name} with condition ${c} takes exactly one value.`);
  if (c === 'IN' && values.length < 1) throw new AwsError('InvalidInput', `Filter ${name} with condition IN takes at least one value.`);
  if (c === 'BETWEEN' && values.length !== 2) throw new AwsError('InvalidInput', `Filter ${name} with condition BETWEEN takes exactly two values.`);
  return c;
}

export function matchFilter(value: string, condition: Condition, values: string[]): boolean {
  if (condition === 'BEGINS_WITH') return value.startsWith(values[0]!);
  return values.includes(value);
}

/** RESOURCE_OWNER filters: everything here belongs to the caller's account. */
export function ownerMatches(accountId: string, ctx: RequestContext, values: string[]): boolean {
  const self = accountId === ctx.accountId;
  return values.some((v) => (v === 'SELF' ? self : v === 'OTHER_ACCOUNTS' ? !self : false));
}

export function tagsFromList(list: SD.TagList | undefined): Record<string, string> {
  const tags: Record<string, string> = {};
  for (const t of list ?? []) {
    if (isReservedTag(t.Key, t.Value)) throw new AwsError('InvalidInput', `Tag keys starting with 'aws:' are reserved: ${t.Key}`);
    tags[t.Key] = t.Value;
  }
  return tags;
}

export const tagsToList = (tags: Record<string, string>): SD.TagList => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

/**
 * CreatorRequestId / UpdaterRequestId idempotency: the same token with the same request answers the
 * first operation again; with another request it is a DuplicateRequest naming the first operation.
 */
export function replayedOperation(cm: CloudMapStore, scope: Scope, kind: string, token: string | undefined, fingerprint: string): string | undefined {
  if (!token) return undefined;
  const seen = cm.tokens.get(scopedKey(scope, `${kind}/${token}`));
  if (!seen) return undefined;
  if (seen.fingerprint === fingerprint) return seen.operationId;
  throw new AwsError('DuplicateRequest', `The request token ${token} was already used for another request (operation ${seen.operationId}).`, {
    fields: { DuplicateOperationId: seen.operationId },
  });
}

export function rememberTokenTx(cm: CloudMapStore, scope: Scope, kind: string, token: string | undefined, fingerprint: string, operationId: string): void {
  if (token) cm.tokens.putTx(scopedKey(scope, `${kind}/${token}`), { operationId, fingerprint });
}

/** An operation in flight on the same target is a DuplicateRequest (AWS: "operation already in progress"). */
export function refuseInFlight(ops: OperationRecord[], match: (op: OperationRecord) => boolean): void {
  const busy = ops.find(match);
  if (busy) {
    throw new AwsError('DuplicateRequest', `Operation ${busy.id} (${busy.type}) on the same resource is still in progress.`, { fields: { DuplicateOperationId: busy.id } });
  }
}

export function namespaceProperties(ns: NamespaceRecord): SD.NamespaceProperties {
  return {
    DnsProperties: ns.type === 'HTTP' ? {} : { HostedZoneId: ns.hostedZoneId, SOA: { TTL: ns.soaTtl ?? 15 } },
    HttpProperties: { HttpName: ns.httpName },
  };
}

export function namespaceWire(cm: CloudMapStore, ns: NamespaceRecord): SD.Namespace {
  return {
    Id: ns.id,
    Arn: ns.arn,
    ResourceOwner: ns.accountId,
    Name: ns.name,
    Type: ns.type,
    Description: ns.description,
    ServiceCount: cm.serviceCount(ns, ns.id),
    Properties: namespaceProperties(ns),
    CreateDate: new Date(ns.createdAt),
    CreatorRequestId: ns.creatorRequestId,
  };
}

export function serviceWire(cm: CloudMapStore, svc: ServiceRecord): SD.Service {
  return {
    Id: svc.id,
    Arn: svc.arn,
    ResourceOwner: svc.accountId,
    Name: svc.name,
    NamespaceId: svc.namespaceId,
    Description: svc.description,
    InstanceCount: cm.instanceCount(svc, svc.id),
    DnsConfig: svc.dnsRecords
      ? { NamespaceId: svc.namespaceId, RoutingPolicy: svc.routingPolicy, DnsRecords: svc.dnsRecords.map((r) => ({ Type: r.type, TTL: r.ttl })) }
      : undefined,
    Type: svc.type,
    HealthCheckConfig: svc.healthCheck ? { Type: svc.healthCheck.type, ResourcePath: svc.healthCheck.resourcePath, FailureThreshold: svc.healthCheck.failureThreshold } : undefined,
    HealthCheckCustomConfig: svc.customHealth ? { FailureThreshold: svc.customHealth.failureThreshold } : undefined,
    CreateDate: new Date(svc.createdAt),
    CreatorRequestId: svc.creatorRequestId,
    CreatedByAccount: svc.accountId,
  };
}

export const serviceKey = (svc: ServiceRecord) => scopedKey(svc, svc.id);
