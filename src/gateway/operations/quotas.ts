// Per-API quotas, AWS's defaults from "Quotas for configuring and running an HTTP API in API Gateway":
// 300 routes, 300 integrations, 10 stages and 10 authorizers per API. (Scopes per route, audiences
// per authorizer, stage variables, tags per stage and the access log format size are checked where
// those members are validated.) They bound what one API can hold, so no single request (an import
// of 5,000 paths, say) can make the server compile, store or serve an unbounded configuration.
// WebSocket APIs document the same numbers, and they share these tables, so they are bounded too.
//
// The error: the apigatewayv2 model declares no quota error for these operations (its
// LimitExceededException shape is not even marked as an exception, and no operation lists it).
// What AWS answers in practice, as clients have logged it, is HTTP 429 with the error type
// ConflictException and the text "Maximum number of Authorizers for this API has been reached.
// Please contact AWS if you need additional Authorizers." (the same for Integrations, Routes, …).
// We answer exactly that, so SDKs see what they see from AWS: a ConflictException whose status
// (429) their retry logic treats as throttling.
import { AwsError } from '../../kernel/errors.js';
import type { DocTable, Scope } from '../../store/store.js';
import { childKey } from '../store.js';
import type { GatewayOpsContext } from './common.js';

export const PER_API_QUOTAS = { Routes: 300, Integrations: 300, Stages: 10, Authorizers: 10 } as const;
export type PerApiResource = keyof typeof PER_API_QUOTAS;

/** AWS's answer when an API already holds as many of `resource` as its quota allows. */
export function quotaReached(resource: PerApiResource): AwsError {
  return new AwsError('ConflictException', `Maximum number of ${resource} for this API has been reached. Please contact AWS if you need additional ${resource}.`, { status: 429 });
}

function tableOf(c: GatewayOpsContext, resource: PerApiResource): DocTable<unknown> {
  const g = c.gw;
  return { Routes: g.routes, Integrations: g.integrations, Stages: g.stages, Authorizers: g.authorizers }[resource] as DocTable<unknown>;
}

/** Throws AWS's quota error unless the API has room for `adding` more of `resource` (a count, no documents read). */
export function requireRoom(c: GatewayOpsContext, scope: Scope, apiId: string, resource: PerApiResource, adding = 1): void {
  if (tableOf(c, resource).countPrefix(childKey(scope, apiId, '')) + adding > PER_API_QUOTAS[resource]) throw quotaReached(resource);
}

/** For a definition that replaces an API's routes, integrations and authorizers whole (ImportApi, ReimportApi). */
export function requireDefinitionFits(counts: { routes: number; integrations: number; authorizers: number }): void {
  if (counts.routes > PER_API_QUOTAS.Routes) throw quotaReached('Routes');
  if (counts.integrations > PER_API_QUOTAS.Integrations) throw quotaReached('Integrations');
  if (counts.authorizers > PER_API_QUOTAS.Authorizers) throw quotaReached('Authorizers');
}
