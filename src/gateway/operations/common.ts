// Shared by the apigatewayv2 operations: the context they run with, lookups that answer AWS's
// NotFoundException texts (docs/aws-behavior.md §2.10), paging with string MaxResults, tags, and flat
// camelCase ↔ PascalCase structure conversion for nested wire structures.
import { arn } from '../../kernel/arn.js';
import { AwsError } from '../../kernel/errors.js';
import { alnum } from '../../kernel/ids.js';
import { pageFrom, paginate } from '../../kernel/paginate.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { Ec2Api } from '../../ec2/api.js';
import {
  apiKey,
  childKey,
  type ApiRecord,
  type GatewayStore,
  type IntegrationRecord,
  type RouteRecord,
  type StageRecord,
  type AuthorizerRecord,
  type DeploymentRecord,
  type VpcLinkRecord,
} from '../store.js';
import { scopedKey } from '../../store/store.js';
import { countedTags, isReservedTag } from '../../kernel/system-tags.js';

export interface GatewayOpsContext {
  gw: GatewayStore;
  ec2: Ec2Api;
  /** The bound edge port (apiEndpoint). */
  port(): number;
  vpcLinkDelayMs: number;
  /** Account-level throttling limits (route settings may not exceed them). */
  limits: { rate: number; burst: number };
  now(): number;
  /** Names a custom domain may not take (the control plane's own names). */
  reservedHost(name: string): boolean;
}

export const badRequest = (message: string) => new AwsError('BadRequestException', message);
export const conflict = (message: string) => new AwsError('ConflictException', message);
export const notFound = (resourceType: string, message: string) => new AwsError('NotFoundException', message, { fields: { ResourceType: resourceType } });

/**
 * A new API id (10 lower-case letters and digits, as AWS's) not used by any account or region: the data
 * plane finds an API by its id alone (`{apiId}.execute-api.localhost`), so ids are unique across accounts.
 */
export function freshApiId(c: GatewayOpsContext): string {
  const taken = new Set(c.gw.apis.all().map((a) => a.apiId));
  let apiId = alnum(10);
  while (taken.has(apiId)) apiId = alnum(10);
  return apiId;
}

export function requireApi(c: GatewayOpsContext, ctx: RequestContext, apiId: string): ApiRecord {
  const api = c.gw.apis.get(apiKey(ctx, apiId));
  if (!api) throw notFound('Api', `Invalid API identifier specified ${ctx.accountId}:${apiId}`);
  return api;
}

export function requireHttpApi(c: GatewayOpsContext, ctx: RequestContext, apiId: string, what: string): ApiRecord {
  const api = requireApi(c, ctx, apiId);
  if (api.protocolType !== 'HTTP') throw badRequest(`${what} is supported only for HTTP APIs.`);
  return api;
}

export function requireRoute(c: GatewayOpsContext, ctx: RequestContext, apiId: string, routeId: string): RouteRecord {
  const r = c.gw.routes.get(childKey(ctx, apiId, routeId));
  if (!r) throw notFound('Route', `Invalid Route identifier specified ${routeId}`);
  return r;
}

export function requireIntegration(c: GatewayOpsContext, ctx: RequestContext, apiId: string, integrationId: string): IntegrationRecord {
  const i = c.gw.integrations.get(childKey(ctx, apiId, integrationId));
  if (!i) throw notFound('Integration', `Invalid Integration identifier specified ${integrationId}`);
  return i;
}

export function requireStage(c: GatewayOpsContext, ctx: RequestContext, apiId: string, stageName: string): StageRecord {
  const s = c.gw.stages.get(childKey(ctx, apiId, stageName));
  if (!s) throw notFound('Stage', `Invalid stage identifier specified`);
  return s;
}

export function requireAuthorizer(c: GatewayOpsContext, ctx: RequestContext, apiId: string, authorizerId: string): AuthorizerRecord {
  const a = c.gw.authorizers.get(childKey(ctx, apiId, authorizerId));
  if (!a) throw notFound('Authorizer', `Invalid Authorizer identifier specified ${authorizerId}`);
  return a;
}

export function requireDeployment(c: GatewayOpsContext, ctx: RequestContext, apiId: string, deploymentId: string): DeploymentRecord {
  const d = c.gw.deployments.get(childKey(ctx, apiId, deploymentId));
  if (!d) throw notFound('Deployment', `Invalid Deployment identifier specified ${deploymentId}`);
  return d;
}

export function requireVpcLink(c: GatewayOpsContext, ctx: RequestContext, vpcLinkId: string): VpcLinkRecord {
  const l = c.gw.vpcLinks.get(scopedKey(ctx, vpcLinkId));
  if (!l) throw notFound('VpcLink', `Invalid VpcLink identifier specified ${vpcLinkId}`);
  return l;
}

/** apigatewayv2 sends maxResults as a string. */
function pageLimit(maxResults: string | undefined): number | undefined {
  if (maxResults === undefined) return undefined;
  if (!/^\d+$/.test(maxResults) || Number(maxResults) < 1) throw badRequest(`Invalid maxResults: '${maxResults.slice(0, 32)}'. Must be a positive integer.`);
  return Math.min(Number(maxResults), 500);
}

export function page<T>(items: T[], keyOf: (t: T) => string, maxResults: string | undefined, nextToken: string | undefined): { Items: T[]; NextToken?: string } {
  const p = paginate(items, keyOf, pageLimit(maxResults), nextToken, () => badRequest('Invalid pagination token specified.'));
  return { Items: p.items, NextToken: p.nextToken };
}

/** page() read straight from a key range of the store (kernel/paginate.ts pageFrom): one page of rows, not the API's every child. */
export function keyedPage<T>(
  fetch: (after: string | undefined, n: number) => T[],
  keyOf: (t: T) => string,
  maxResults: string | undefined,
  nextToken: string | undefined,
): { Items: T[]; NextToken?: string } {
  const p = pageFrom(fetch, keyOf, pageLimit(maxResults), nextToken, () => badRequest('Invalid pagination token specified.'));
  return { Items: p.items, NextToken: p.nextToken };
}

const MAX_TAGS = 50;

export function checkTags(tags: Record<string, string> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(tags ?? {})) {
    if (k.length < 1 || k.length > 128) throw badRequest(`Invalid tag key '${k.slice(0, 140)}': must be 1 to 128 characters.`);
    if (isReservedTag(k, v)) throw badRequest(`Invalid tag key '${k}': keys starting with 'aws:' are reserved.`);
    if (v.length > 256) throw badRequest(`Invalid tag value for key '${k}': must be at most 256 characters.`);
    out[k] = v;
  }
  return checkTagCount(out);
}

/** The tag quota: 50, beside AWS's own `aws:` tags. */
export function checkTagCount(tags: Record<string, string>): Record<string, string> {
  if (countedTags(Object.keys(tags)) > MAX_TAGS) throw badRequest(`Too many tags: at most ${MAX_TAGS} tags per resource.`);
  return tags;
}

/** Flat structure, record → wire (camelCase keys → PascalCase member names). Values are kept. */
export function toPascal<T>(o: Record<string, unknown> | undefined): T | undefined {
  if (!o) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k[0]!.toUpperCase() + k.slice(1)] = v;
  return out as T;
}

/** Flat structure, wire → record. */
export function toCamel<T>(o: object | undefined): T | undefined {
  if (!o) return undefined;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) out[k[0]!.toLowerCase() + k.slice(1)] = v;
  return out as T;
}

/** Copies only the members present in `patch` (PATCH semantics: absent members do not change). */
export function defined<T extends object>(patch: T): Partial<T> {
  const out: Partial<T> = {};
  for (const [k, v] of Object.entries(patch)) if (v !== undefined) (out as Record<string, unknown>)[k] = v;
  return out;
}

export function apiEndpoint(api: Pick<ApiRecord, 'apiId' | 'protocolType'>, port: number): string {
  return `${api.protocolType === 'WEBSOCKET' ? 'ws' : 'http'}://${api.apiId}.execute-api.localhost:${port}`;
}

/** `arn:aws:apigateway:{region}::/…` (docs/aws-behavior.md §2.1). */
export function resourceArn(region: string, path: string): string {
  return arn('apigateway', region, '', path);
}

/** API Gateway timestamps have second precision (`2020-04-06T23:23:46Z`). */
export function wireDate(ms: number): Date {
  return new Date(Math.floor(ms / 1000) * 1000);
}
