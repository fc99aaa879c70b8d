// API Gateway (HTTP APIs) records and tables. Keys are `<region>/<apiId>` for APIs and
// `<region>/<apiId>/<childId>` for what lives inside an API (routes, integrations, stages,
// deployments, authorizers, models, …), so one API's children are one prefix scan. VPC links and
// domain names are per region: `<region>/<id>`. Records are camelCase; AWS names stay in operations/.
import type Database from 'better-sqlite3';
import { docTableSql, type DocTable, type Migration, type Store, partitionOf, type Scope } from '../store/store.js';

export interface CorsRecord {
  allowCredentials?: boolean;
  allowHeaders?: string[];
  allowMethods?: string[];
  allowOrigins?: string[];
  exposeHeaders?: string[];
  maxAge?: number;
}

export interface ApiRecord {
  region: string;
  accountId: string;
  apiId: string;
  name: string;
  protocolType: 'HTTP' | 'WEBSOCKET';
  description?: string;
  version?: string;
  routeSelectionExpression: string;
  apiKeySelectionExpression: string;
  disableSchemaValidation?: boolean;
  disableExecuteApiEndpoint: boolean;
  corsConfiguration?: CorsRecord;
  ipAddressType?: string;
  tags: Record<string, string>;
  createdAt: number;
  importInfo?: string[];
  warnings?: string[];
  /** Ids of the quick-create managed integration and route (their stage is `$default`). */
  quickCreate?: { integrationId: string; routeId: string };
}

export type AuthorizationType = 'NONE' | 'AWS_IAM' | 'CUSTOM' | 'JWT';

export interface RouteRecord {
  region: string;
  apiId: string;
  routeId: string;
  routeKey: string;
  target?: string;
  authorizationType: AuthorizationType;
  authorizerId?: string;
  authorizationScopes?: string[];
  apiKeyRequired: boolean;
  operationName?: string;
  modelSelectionExpression?: string;
  requestModels?: Record<string, string>;
  requestParameters?: Record<string, { required?: boolean }>;
  routeResponseSelectionExpression?: string;
  apiGatewayManaged?: boolean;
}

export interface IntegrationRecord {
  region: string;
  apiId: string;
  integrationId: string;
  integrationType: string;
  integrationUri?: string;
  integrationMethod?: string;
  integrationSubtype?: string;
  connectionType: 'INTERNET' | 'VPC_LINK';
  connectionId?: string;
  payloadFormatVersion?: string;
  timeoutInMillis: number;
  requestParameters?: Record<string, string>;
  responseParameters?: Record<string, Record<string, string>>;
  requestTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
  tlsConfig?: { serverNameToVerify?: string };
  description?: string;
  credentialsArn?: string;
  contentHandlingStrategy?: string;
  passthroughBehavior?: string;
  apiGatewayManaged?: boolean;
}

export interface RouteSettingsRecord {
  dataTraceEnabled?: boolean;
  detailedMetricsEnabled?: boolean;
  loggingLevel?: string;
  throttlingBurstLimit?: number;
  throttlingRateLimit?: number;
}

export interface AccessLogSettingsRecord {
  destinationArn?: string;
  format?: string;
}

export interface StageRecord {
  region: string;
  apiId: string;
  stageName: string;
  autoDeploy: boolean;
  deploymentId?: string;
  description?: string;
  clientCertificateId?: string;
  stageVariables: Record<string, string>;
  defaultRouteSettings: RouteSettingsRecord;
  routeSettings: Record<string, RouteSettingsRecord>;
  accessLogSettings?: AccessLogSettingsRecord;
  tags: Record<string, string>;
  createdAt: number;
  lastUpdatedAt: number;
  lastDeploymentStatusMessage?: string;
  apiGatewayManaged?: boolean;
}

export interface AuthorizerRecord {
  region: string;
  apiId: string;
  authorizerId: string;
  name: string;
  authorizerType: 'JWT' | 'REQUEST';
  identitySource: string[];
  jwtConfiguration?: { issuer?: string; audience?: string[] };
  authorizerUri?: string;
  authorizerCredentialsArn?: string;
  authorizerPayloadFormatVersion?: string;
  authorizerResultTtlInSeconds?: number;
  enableSimpleResponses?: boolean;
  identityValidationExpression?: string;
}

/** What a deployment freezes: the API-level configuration at the time it was made (docs/aws-behavior.md §2.5). */
export interface SnapshotData {
  api: Pick<ApiRecord, 'name' | 'protocolType' | 'corsConfiguration' | 'disableExecuteApiEndpoint' | 'version' | 'description'>;
  routes: RouteRecord[];
  integrations: IntegrationRecord[];
  authorizers: AuthorizerRecord[];
}

export interface DeploymentRecord {
  region: string;
  /** The API's account (rows stored before accounts existed have none: the legacy account, partitionOf). */
  accountId: string;
  apiId: string;
  deploymentId: string;
  description?: string;
  autoDeployed: boolean;
  createdAt: number;
  status: 'PENDING' | 'FAILED' | 'DEPLOYED';
  statusMessage?: string;
  snapshot: SnapshotData;
}

export interface VpcLinkRecord {
  region: string;
  accountId: string;
  vpcLinkId: string;
  name: string;
  subnetIds: string[];
  securityGroupIds: string[];
  tags: Record<string, string>;
  createdAt: number;
  /** PENDING until then, AVAILABLE after (config.vpcLinkDelayMs after creation). */
  availableAt: number;
}

export interface DomainConfigRecord {
  apiGatewayDomainName: string;
  certificateArn?: string;
  certificateName?: string;
  certificateUploadDate?: number;
  endpointType: string;
  hostedZoneId: string;
  securityPolicy: string;
  ipAddressType?: string;
  ownershipVerificationCertificateArn?: string;
}

export interface DomainNameRecord {
  region: string;
  accountId: string;
  domainName: string;
  configurations: DomainConfigRecord[];
  mutualTlsAuthentication?: { truststoreUri?: string; truststoreVersion?: string };
  routingMode?: string;
  tags: Record<string, string>;
  createdAt: number;
}

export interface ApiMappingRecord {
  region: string;
  domainName: string;
  apiMappingId: string;
  apiId: string;
  apiMappingKey: string;
  stage: string;
}

export interface ModelRecord {
  region: string;
  apiId: string;
  modelId: string;
  name: string;
  contentType?: string;
  description?: string;
  schema: string;
}

export interface RouteResponseRecord {
  region: string;
  apiId: string;
  routeId: string;
  routeResponseId: string;
  routeResponseKey: string;
  modelSelectionExpression?: string;
  responseModels?: Record<string, string>;
  responseParameters?: Record<string, { required?: boolean }>;
}

export interface IntegrationResponseRecord {
  region: string;
  apiId: string;
  integrationId: string;
  integrationResponseId: string;
  integrationResponseKey: string;
  contentHandlingStrategy?: string;
  responseParameters?: Record<string, string>;
  responseTemplates?: Record<string, string>;
  templateSelectionExpression?: string;
}

/** A signing key of the built-in OIDC issuer (persisted so minted tokens survive restarts). */
export interface OidcKeyRecord {
  kid: string;
  alg: 'RS256';
  privateJwk: Record<string, unknown>;
  publicJwk: Record<string, unknown>;
  createdAt: number;
}

/** The gateway's tables: other modules name them through this (e.g. change-feed listeners), never as strings. */
export const GATEWAY_TABLES = {
  apis: 'gw_apis',
  routes: 'gw_routes',
  integrations: 'gw_integrations',
  stages: 'gw_stages',
  deployments: 'gw_deployments',
  authorizers: 'gw_authorizers',
  models: 'gw_models',
  routeResponses: 'gw_route_responses',
  integrationResponses: 'gw_integration_responses',
  vpcLinks: 'gw_vpc_links',
  domainNames: 'gw_domain_names',
  apiMappings: 'gw_api_mappings',
  oidcKeys: 'gw_oidc_keys',
} as const;

export const gatewayMigrations: Migration[] = [
  {
    id: 'gateway/001-tables',
    up: Object.values(GATEWAY_TABLES).map(docTableSql).join('\n'),
  },
];

export const apiKey = (scope: Scope, apiId: string) => `${partitionOf(scope)}/${apiId}`;
export const childKey = (scope: Scope, apiId: string, id: string) => `${partitionOf(scope)}/${apiId}/${id}`;
/** API mappings live under their domain name: `<partition>/<domain>/<mappingId>` (`''` for the prefix of all). */
export const mappingKey = (scope: Scope, domainName: string, mappingId: string) => `${partitionOf(scope)}/${domainName}/${mappingId}`;

export class GatewayStore {
  readonly apis: DocTable<ApiRecord>;
  readonly routes: DocTable<RouteRecord>;
  readonly integrations: DocTable<IntegrationRecord>;
  readonly stages: DocTable<StageRecord>;
  readonly deployments: DocTable<DeploymentRecord>;
  readonly authorizers: DocTable<AuthorizerRecord>;
  readonly models: DocTable<ModelRecord>;
  readonly routeResponses: DocTable<RouteResponseRecord>;
  readonly integrationResponses: DocTable<IntegrationResponseRecord>;
  readonly vpcLinks: DocTable<VpcLinkRecord>;
  readonly domainNames: DocTable<DomainNameRecord>;
  readonly apiMappings: DocTable<ApiMappingRecord>;
  readonly oidcKeys: DocTable<OidcKeyRecord>;

  constructor(readonly store: Store) {
    this.apis = store.table(GATEWAY_TABLES.apis);
    this.routes = store.table(GATEWAY_TABLES.routes);
    this.integrations = store.table(GATEWAY_TABLES.integrations);
    this.stages = store.table(GATEWAY_TABLES.stages);
    this.deployments = store.table(GATEWAY_TABLES.deployments);
    this.authorizers = store.table(GATEWAY_TABLES.authorizers);
    this.models = store.table(GATEWAY_TABLES.models);
    this.routeResponses = store.table(GATEWAY_TABLES.routeResponses);
    this.integrationResponses = store.table(GATEWAY_TABLES.integrationResponses);
    this.vpcLinks = store.table(GATEWAY_TABLES.vpcLinks);
    this.domainNames = store.table(GATEWAY_TABLES.domainNames);
    this.apiMappings = store.table(GATEWAY_TABLES.apiMappings);
    this.oidcKeys = store.table(GATEWAY_TABLES.oidcKeys);
  }

  /** Children of one API in a table (`<partition>/<apiId>/…`). */
  childrenOf<T>(table: DocTable<T>, scope: Scope, apiId: string): T[] {
    return table.withPrefix(childKey(scope, apiId, ''));
  }

  private readonly statements = new Map<string, Database.Statement>();

  private statement(sql: string): Database.Statement {
    let s = this.statements.get(sql);
    if (!s) this.statements.set(sql, (s = this.store.db.prepare(sql)));
    return s;
  }

  /**
   * Deletes every child row of one API in a table (each delete recorded for the change feed) without
   * reading the documents: an API's deployments each hold a whole snapshot (up to 300 routes and 300
   * integrations), and they accumulate with every auto-deployed change; parsing them all to delete
   * them blocked the loop for hundreds of milliseconds.
   */
  deleteChildrenTx(table: DocTable<unknown>, scope: Scope, apiId: string): void {
    const [from, to] = [childKey(scope, apiId, ''), childKey(scope, apiId, '\uffff')];
    const keys = this.statement(`SELECT key FROM ${table.name} WHERE key >= ? AND key < ?`).pluck().all(from, to) as string[];
    if (!keys.length) return;
    for (const key of keys) this.store.recordTx(table.name, key, 'delete');
    this.statement(`DELETE FROM ${table.name} WHERE key >= ? AND key < ?`).run(from, to);
  }

  /**
   * An API's deployments without their snapshots (what GetDeployments shows), ordered by key. SQLite
   * drops the snapshot while reading, several times faster than parsing every snapshot in JavaScript.
   */
  deploymentsWithoutSnapshots(scope: Scope, apiId: string): Array<Omit<DeploymentRecord, 'snapshot'>> {
    const docs = this.statement(`SELECT json_remove(doc, '$.snapshot') FROM gw_deployments WHERE key >= ? AND key < ? ORDER BY key`)
      .pluck()
      .all(childKey(scope, apiId, ''), childKey(scope, apiId, '\uffff')) as string[];
    return docs.map((d) => JSON.parse(d) as Omit<DeploymentRecord, 'snapshot'>);
  }
}

/** Tables whose changes the data-plane view listens to. */
export const VIEW_TABLES = [
  GATEWAY_TABLES.apis,
  GATEWAY_TABLES.stages,
  GATEWAY_TABLES.deployments,
  GATEWAY_TABLES.vpcLinks,
  GATEWAY_TABLES.domainNames,
  GATEWAY_TABLES.apiMappings,
] as const;
