// The data plane's read model: every API with its stages (live stage settings + the compiled
// deployment each stage serves), VPC links and custom domains, rebuilt from committed store changes
// and swapped in place. Requests read only this; nothing here runs SQL per request.
import type { Logger } from '../kernel/log.js';
import type { LogTarget } from '../logs/writer.js';
import { changeIn, partitionOf, scopedKey, scopeOfPartition, type Change, type Scope } from '../store/store.js';
import { compileFormat, type FormatPart } from './access-log-format.js';
import { compileDeployment, type CompiledDeployment } from './snapshot.js';
import {
  apiKey,
  childKey,
  mappingKey,
  type ApiRecord,
  type GatewayStore,
  type RouteSettingsRecord,
  type StageRecord,
  type VpcLinkRecord,
  GATEWAY_TABLES,
  VIEW_TABLES,
} from './store.js';
import { makeBucket, type TokenBucket } from './token-bucket.js';
import type { SharedBucketTable } from './workers/shared-buckets.js';

export interface AccessLogRuntime {
  target: LogTarget;
  parts: FormatPart[];
}

export interface StageRuntime {
  name: string;
  /** Compiled ahead, one per loop turn after the change (GatewayView.compileSoon), or on first read. */
  readonly deployment: CompiledDeployment | undefined;
  stageVariables: Readonly<Record<string, string>>;
  /** Limits of stage defaultRouteSettings (undefined: only the account bucket applies). */
  defaultLimits: { rate: number; burst: number } | undefined;
  /** One bucket per route without its own settings, made on first use: the default limit is per route. */
  defaultBuckets: Map<string, TokenBucket>;
  /** A bucket for a route under the stage default (shared between gateway threads when they run). */
  newDefaultBucket(routeKey: string, now: number): TokenBucket;
  routeBuckets: Map<string, TokenBucket>;
  accessLog: AccessLogRuntime | undefined;
}

export interface ApiRuntime {
  apiId: string;
  region: string;
  accountId: string;
  protocolType: 'HTTP' | 'WEBSOCKET';
  disableExecuteApiEndpoint: boolean;
  stages: Map<string, StageRuntime>;
  defaultStage: StageRuntime | undefined;
  accountBucket: TokenBucket;
}

export interface MappingRuntime {
  key: string;
  keySegments: string[];
  apiId: string;
  stage: string;
}

export interface DomainRuntime {
  name: string;
  region: string;
  /** Longest key first, so the first prefix match is the longest. */
  mappings: MappingRuntime[];
}

export interface AccountLimits {
  rate: number;
  burst: number;
}

export class GatewayView {
  readonly apis = new Map<string, ApiRuntime>();
  readonly domains = new Map<string, DomainRuntime>();
  private vpcLinks = new Map<string, VpcLinkRecord>();
  private readonly compiled = new Map<string, CompiledDeployment>();
  /** Deployments a stage serves that are not compiled yet, compiled one per tick (see compileSoon). */
  private readonly toCompile = new Set<string>();
  private compiling = false;
  private readonly accountBuckets = new Map<string, TokenBucket>();

  constructor(
    private readonly gw: GatewayStore,
    private readonly limits: AccountLimits,
    private readonly logger: Logger,
    /** Buckets every gateway thread shares (--gateway-workers > 1); undefined: this thread's own. */
    private readonly sharedBuckets?: SharedBucketTable,
  ) {}

  /** Loads everything (start, reset). */
  loadAll(): void {
    this.apis.clear();
    this.compiled.clear();
    this.toCompile.clear();
    for (const api of this.gw.apis.all()) this.rebuildApi(api, api.apiId);
    this.rebuildVpcLinks();
    this.rebuildDomains();
  }

  /** Store change feed listener. */
  onChanges(changes: readonly Change[]): void {
    const apis = new Set<string>();
    let links = false;
    let domains = false;
    for (const c of changes) {
      if (!changeIn(c, VIEW_TABLES)) continue;
      if (c.table === GATEWAY_TABLES.vpcLinks) links = true;
      else if (c.table === GATEWAY_TABLES.domainNames || c.table === GATEWAY_TABLES.apiMappings) domains = true;
      else {
        // Keys are `<partition>/<apiId>/…` (partitionOf): the API's account and region come from its key.
        const [partition, apiId] = c.key.split('/');
        if (partition && apiId) apis.add(`${partition}/${apiId}`);
      }
    }
    for (const k of apis) {
      const [partition, apiId] = k.split('/') as [string, string];
      this.rebuildApi(scopeOfPartition(partition), apiId);
    }
    if (links) this.rebuildVpcLinks();
    if (domains) this.rebuildDomains();
  }

  vpcLink(scope: Scope, id: string): VpcLinkRecord | undefined {
    return this.vpcLinks.get(scopedKey(scope, id));
  }

  /** By `<partition>/<vpcLinkId>` (scopedKey; the data plane precomputes the key). */
  vpcLinkByKey(key: string): VpcLinkRecord | undefined {
    return this.vpcLinks.get(key);
  }

  private rebuildApi(scope: Scope, apiId: string): void {
    const api = this.gw.apis.get(apiKey(scope, apiId));
    const prefix = childKey(scope, apiId, '');
    if (!api) {
      const existing = this.apis.get(apiId);
      if (existing && partitionOf(existing) === partitionOf(scope)) this.apis.delete(apiId);
      for (const k of [...this.compiled.keys()]) if (k.startsWith(prefix)) this.compiled.delete(k);
      for (const k of [...this.toCompile]) if (k.startsWith(prefix)) this.toCompile.delete(k);
      return;
    }
    const stages = new Map<string, StageRuntime>();
    const used = new Set<string>();
    for (const s of this.gw.childrenOf(this.gw.stages, scope, apiId)) {
      let deployment: () => CompiledDeployment | undefined = () => undefined;
      if (s.deploymentId) {
        const key = childKey(scope, apiId, s.deploymentId);
        used.add(key);
        if (!this.compiled.has(key)) this.compileSoon(key);
        deployment = () => this.compiledDeployment(key);
      }
      stages.set(s.stageName, this.stageRuntime(api, s, deployment, this.apis.get(apiId)?.stages.get(s.stageName)));
    }
    for (const k of [...this.compiled.keys()]) if (k.startsWith(prefix) && !used.has(k)) this.compiled.delete(k);
    for (const k of [...this.toCompile]) if (k.startsWith(prefix) && !used.has(k)) this.toCompile.delete(k);
    this.apis.set(apiId, {
      apiId,
      region: api.region,
      accountId: api.accountId,
      protocolType: api.protocolType,
      disableExecuteApiEndpoint: api.disableExecuteApiEndpoint,
      stages,
      defaultStage: stages.get('$default'),
      accountBucket: this.accountBucket(api),
    });
  }

  /**
   * Compiles a stage's new deployment soon after the change that made it, one deployment per turn of
   * the event loop (~3 ms each at the quotas): the control-plane call that made ten of them does not
   * pay for them, and the data plane normally finds them compiled, so its requests read no SQL. A
   * request that comes first compiles its own (compiledDeployment).
   */
  private compileSoon(key: string): void {
    this.toCompile.add(key);
    if (this.compiling) return;
    this.compiling = true;
    const next = (): void => {
      const [k] = this.toCompile;
      if (k === undefined) {
        this.compiling = false;
        return;
      }
      this.toCompile.delete(k);
      if (!this.compiled.has(k)) this.compiledDeployment(k);
      setImmediate(next).unref();
    };
    setImmediate(next).unref();
  }

  /**
   * The compiled deployment `<partition>/<apiId>/<deploymentId>`, kept while a stage serves it. Usually
   * compiled ahead by compileSoon; a request that comes first compiles it here. A failure is logged
   * and the stage answers as if it had no deployment (404), never a 500.
   */
  private compiledDeployment(key: string): CompiledDeployment | undefined {
    let deployment = this.compiled.get(key);
    if (deployment) return deployment;
    try {
      const rec = this.gw.deployments.get(key);
      if (!rec) return undefined;
      deployment = compileDeployment(rec);
      this.compiled.set(key, deployment);
    } catch (e) {
      this.logger.error({ err: e, deployment: key }, 'deployment could not be compiled');
    }
    return deployment;
  }

  /** Account-level throttling: one bucket per account and region, as AWS's quota is. */
  private accountBucket(api: ApiRecord): TokenBucket {
    const key = partitionOf(api);
    let b = this.accountBuckets.get(key);
    if (!b) this.accountBuckets.set(key, (b = makeBucket(this.sharedBuckets, `account/${key}`, this.limits.rate, this.limits.burst)));
    return b;
  }

  private stageRuntime(api: ApiRecord, s: StageRecord, deployment: () => CompiledDeployment | undefined, previous: StageRuntime | undefined): StageRuntime {
    // Buckets survive a rebuild when their limits did not change, so editing one route's limits does
    // not refill every other bucket of the stage.
    const limits = (settings: RouteSettingsRecord | undefined): { rate: number; burst: number } | undefined => {
      const rate = settings?.throttlingRateLimit;
      const burst = settings?.throttlingBurstLimit;
      if (rate === undefined && burst === undefined) return undefined;
      // Rate 0 blocks the route entirely (docs/aws-behavior.md §6.17): no burst either.
      return rate === 0 ? { rate: 0, burst: 0 } : { rate: rate ?? this.limits.rate, burst: burst ?? this.limits.burst };
    };
    const stageKey = `${partitionOf(api)}/${api.apiId}/${s.stageName}`;
    const bucket = (settings: RouteSettingsRecord | undefined, routeKey: string, prev: TokenBucket | undefined): TokenBucket | undefined => {
      const l = limits(settings);
      if (!l) return undefined;
      return prev && prev.rate === l.rate && prev.burst === l.burst ? prev : makeBucket(this.sharedBuckets, `${stageKey}/route/${routeKey}`, l.rate, l.burst);
    };
    const defaultLimits = limits(s.defaultRouteSettings);
    const prevLimits = previous?.defaultLimits;
    const defaultBuckets =
      defaultLimits && prevLimits && prevLimits.rate === defaultLimits.rate && prevLimits.burst === defaultLimits.burst ? previous.defaultBuckets : new Map<string, TokenBucket>();
    const routeBuckets = new Map<string, TokenBucket>();
    for (const [routeKey, settings] of Object.entries(s.routeSettings)) {
      const merged: RouteSettingsRecord = {
        throttlingRateLimit: settings.throttlingRateLimit ?? s.defaultRouteSettings.throttlingRateLimit,
        throttlingBurstLimit: settings.throttlingBurstLimit ?? s.defaultRouteSettings.throttlingBurstLimit,
      };
      const b = bucket(merged, routeKey, previous?.routeBuckets.get(routeKey));
      if (b) routeBuckets.set(routeKey, b);
    }
    let accessLog: AccessLogRuntime | undefined;
    const als = s.accessLogSettings;
    const group = als?.destinationArn ? /^arn:aws[a-z-]*:logs:([a-z0-9-]+):(\d{12}):log-group:([^:]+)(:\*)?$/.exec(als.destinationArn) : null;
    if (als?.format && group) {
      accessLog = {
        target: { region: group[1]!, accountId: group[2]!, group: group[3]!, stream: `${api.apiId}_${s.stageName}`, createGroup: false },
        parts: compileFormat(als.format),
      };
    }
    // No prototype: `${stageVariables.constructor}` must be an unset variable, not Object's constructor.
    const stageVariables: Record<string, string> = Object.assign(Object.create(null), s.stageVariables);
    let compiled: { deployment: CompiledDeployment | undefined } | undefined;
    return {
      name: s.stageName,
      get deployment() {
        return (compiled ??= { deployment: deployment() }).deployment;
      },
      stageVariables,
      defaultLimits,
      defaultBuckets,
      newDefaultBucket: (routeKey, now) => makeBucket(this.sharedBuckets, `${stageKey}/default/${routeKey}`, defaultLimits?.rate ?? 0, defaultLimits?.burst ?? 0, now),
      routeBuckets,
      accessLog,
    };
  }

  private rebuildVpcLinks(): void {
    this.vpcLinks = new Map(this.gw.vpcLinks.all().map((l) => [scopedKey(l, l.vpcLinkId), l]));
  }

  private rebuildDomains(): void {
    this.domains.clear();
    for (const d of this.gw.domainNames.all()) {
      const mappings = this.gw.apiMappings
        .withPrefix(mappingKey(d, d.domainName, ''))
        .map((m) => ({ key: m.apiMappingKey, keySegments: m.apiMappingKey ? m.apiMappingKey.split('/').filter(Boolean) : [], apiId: m.apiId, stage: m.stage }))
        .sort((a, b) => b.keySegments.length - a.keySegments.length);
      this.domains.set(d.domainName.toLowerCase(), { name: d.domainName, region: d.region, mappings });
    }
  }
}
