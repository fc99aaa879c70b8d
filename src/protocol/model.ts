// Types of the botocore service model (models/*.json) and its loader. The protocol layer is driven
// by these files only: no wire shape is written by hand anywhere else.
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Protocol = 'json' | 'rest-json' | 'rest-xml' | 'ec2' | 'query';

export interface ShapeRef {
  shape: string;
  location?: 'uri' | 'querystring' | 'header' | 'headers' | 'statusCode';
  locationName?: string;
  queryName?: string;
  idempotencyToken?: boolean;
  timestampFormat?: string;
  hostLabel?: boolean;
}

export interface Shape {
  type: 'structure' | 'list' | 'map' | 'string' | 'integer' | 'long' | 'boolean' | 'float' | 'double' | 'timestamp' | 'blob';
  members?: Record<string, ShapeRef>;
  required?: string[];
  member?: ShapeRef;
  key?: ShapeRef;
  value?: ShapeRef;
  enum?: string[];
  min?: number;
  max?: number;
  pattern?: string;
  timestampFormat?: string;
  payload?: string;
  exception?: boolean;
  error?: { httpStatusCode?: number; code?: string; senderFault?: boolean };
  document?: boolean;
  union?: boolean;
  locationName?: string;
  flattened?: boolean;
}

const memberLists = new WeakMap<Shape, ReadonlyArray<readonly [string, ShapeRef]>>();

/** A structure's members as [name, reference] pairs, listed once per shape (readers and validators walk them per call). */
export function membersOf(shape: Shape): ReadonlyArray<readonly [string, ShapeRef]> {
  let list = memberLists.get(shape);
  if (!list) memberLists.set(shape, (list = Object.entries(shape.members ?? {})));
  return list;
}

export interface Operation {
  name: string;
  http: { method?: string; requestUri?: string; responseCode?: number };
  input?: ShapeRef;
  output?: ShapeRef;
  errors?: ShapeRef[];
  endpoint?: { hostPrefix?: string };
  /** 'none': the operation takes no signature (STS AssumeRoleWithWebIdentity, AssumeRoleWithSAML). */
  authtype?: string;
  deprecated?: boolean;
}

export interface ServiceModel {
  metadata: {
    apiVersion: string;
    endpointPrefix: string;
    protocol: Protocol;
    serviceId: string;
    signingName?: string;
    targetPrefix?: string;
    jsonVersion?: string;
    xmlNamespace?: string;
  };
  operations: Record<string, Operation>;
  shapes: Record<string, Shape>;
}

/** Names of the services Wayfinder speaks, as the files in models/ are named. */
export const SERVICE_NAMES = ['ec2', 'logs', 'servicediscovery', 'ecs', 'apigatewayv2', 'iam', 'sts', 'cloudformation', 'ecr', 'route53'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

const modelsDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'models');

const cache = new Map<string, ServiceModel>();

export function loadModel(name: ServiceName): ServiceModel {
  let model = cache.get(name);
  if (!model) {
    model = JSON.parse(readFileSync(join(modelsDir, `${name}.json`), 'utf8')) as ServiceModel;
    restoreNamedLengths(model);
    if (name === 'apigatewayv2') acceptRemovalsInUpdates(model);
    cache.set(name, model);
  }
  return model;
}

/** The signing name (credential-scope service) of a model. */
export function signingName(model: ServiceModel): string {
  return model.metadata.signingName ?? model.metadata.endpointPrefix;
}

/**
 * The apigatewayv2 model states some string limits only in shape names
 * (`StringWithLengthBetween1And128`, `UriWithLengthBetween1And2048`, `…0And32K`); the service enforces
 * them, so the loader turns the names back into min/max.
 */
function restoreNamedLengths(model: ServiceModel): void {
  for (const [name, shape] of Object.entries(model.shapes)) {
    const m = /^(?:String|Uri)WithLengthBetween(\d+)And(\d+)(K?)$/.exec(name);
    if (!m || shape.type !== 'string' || shape.min !== undefined || shape.max !== undefined) continue;
    shape.min = Number(m[1]);
    shape.max = Number(m[2]) * (m[3] ? 1024 : 1);
  }
}

/**
 * An apigatewayv2 update clears an optional field sent as "" and removes a parameter mapping whose
 * value is "" (docs/aws-behavior.md §2.4): that is how the hashicorp/aws provider removes what leaves
 * the configuration. The named lengths (1–…) would refuse "", so these update members get copies of
 * their shapes that take it; the create operations keep the lengths.
 */
const CLEARED_BY_EMPTY: Record<string, string[]> = {
  UpdateApiRequest: ['Version'],
  UpdateRouteRequest: ['OperationName', 'Target'],
  UpdateIntegrationRequest: ['ConnectionId'],
};

function acceptRemovalsInUpdates(model: ServiceModel): void {
  const emptyAllowed = (shapeName: string): string => {
    const name = `${shapeName}OrEmpty`;
    model.shapes[name] ??= { ...model.shapes[shapeName]!, min: 0 };
    return name;
  };
  for (const [request, members] of Object.entries(CLEARED_BY_EMPTY)) {
    for (const member of members) {
      const ref = model.shapes[request]?.members?.[member];
      if (ref && model.shapes[ref.shape]) model.shapes[request]!.members![member] = { ...ref, shape: emptyAllowed(ref.shape) };
    }
  }
  const update = model.shapes.UpdateIntegrationRequest?.members;
  if (!update?.RequestParameters || !update.ResponseParameters || !model.shapes.StringWithLengthBetween1And512) return;
  model.shapes.IntegrationParametersOnUpdate = { type: 'map', key: { shape: '__string' }, value: { shape: emptyAllowed('StringWithLengthBetween1And512') } };
  model.shapes.ResponseParametersOnUpdate = { type: 'map', key: { shape: '__string' }, value: { shape: 'IntegrationParametersOnUpdate' } };
  update.RequestParameters = { ...update.RequestParameters, shape: 'IntegrationParametersOnUpdate' };
  update.ResponseParameters = { ...update.ResponseParameters, shape: 'ResponseParametersOnUpdate' };
}
