// The API Gateway product (HTTP APIs): the apigatewayv2 control plane, the data plane on the edge
// port (execute-api hosts, the /_aws/execute-api/ path form, custom domains), the built-in OIDC
// issuer and the route explainer under /_wayfinder/.
import type { DiscoveryView } from '../cloudmap/api.js';
import type { Ec2Api } from '../ec2/api.js';
import type { IamApi } from '../iam/api.js';
import type { LogWriter } from '../logs/writer.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { apiGatewayV2OperationNames, type ApiGatewayV2Operations } from '../protocol/generated/apigatewayv2.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { gatewayEdgeRoute } from './edge-route.js';
import { explainRoute } from './explain.js';
import { UpstreamPools } from './integrations/pools.js';
import { LocalIssuer } from './jwt/local-issuer.js';
import { JwtVerifier } from './jwt/verifier.js';
import { apiOperations } from './operations/apis.js';
import { authorizerOperations } from './operations/authorizers.js';
import type { GatewayOpsContext } from './operations/common.js';
import { deploymentOperations } from './operations/deployments.js';
import { domainOperations } from './operations/domains.js';
import { importExportOperations } from './operations/import-export.js';
import { integrationOperations } from './operations/integrations.js';
import { routeOperations } from './operations/routes.js';
import { stageOperations } from './operations/stages.js';
import { tagOperations } from './operations/tags.js';
import { vpcLinkOperations } from './operations/vpc-links.js';
import { websocketOperations } from './operations/websocket.js';
import type { GatewayServices } from './pipeline/gateway-exchange.js';
import { RecentRequests } from './recent-requests.js';
import { GatewayStore, gatewayMigrations } from './store.js';
import { GatewayView } from './view.js';
import type { SharedBucketTable } from './workers/shared-buckets.js';

export { oversizedHeadAnswer } from './edge-route.js';

export interface GatewayProductDeps extends ProductDeps {
  ec2: Ec2Api;
  logs: LogWriter;
  /** Cloud Map's discovery view, for private integrations (undefined: answered 500 honestly). */
  discovery?: DiscoveryView;
  /** IAM, which accepts tokens of the built-in OIDC issuer in AssumeRoleWithWebIdentity. */
  iam?: IamApi;
  vpcLinkDelayMs: number;
  /** Account-level throttling (AWS: 10,000 rps, burst 5,000). */
  rateLimit: number;
  burstLimit: number;
  /** The configured edge port; the bound one arrives through onListening. */
  port: number;
  /** Names a custom domain may not take: the control plane answers on them (host-policy.ts). */
  reservedHost(name: string): boolean;
  /** Throttling buckets shared with the gateway worker threads (--gateway-workers > 1). */
  sharedBuckets?: SharedBucketTable;
}

/** How long after the listener is up the built-in OIDC issuer's key is loaded or made (see onListening). */
const ISSUER_KEY_DELAY_MS = 1000;

/** What the gateway exposes: the recent requests per API, which the console's topology page reads. */
export interface GatewayApi {
  recentRequests: RecentRequests;
}

/** The gateway is built last: no product calls it; the console reads its recent requests. */
export function createGateway(deps: GatewayProductDeps): Product<GatewayApi> {
  const gw = new GatewayStore(deps.store);
  let port = deps.port;
  const limits = { rate: deps.rateLimit, burst: deps.burstLimit };
  const view = new GatewayView(gw, limits, deps.logger, deps.sharedBuckets);
  const issuer = new LocalIssuer(gw, () => port);
  deps.iam?.trustWebIdentityIssuer(issuer);
  const verifier = new JwtVerifier(issuer, deps.logger);
  const pools = new UpstreamPools();
  let portText = String(port);
  const recent = new RecentRequests();
  const services: GatewayServices = { port: () => port, portText: () => portText, logger: deps.logger, view, verifier, logs: deps.logs, pools, discovery: deps.discovery, recent };
  const ops: GatewayOpsContext = { gw, ec2: deps.ec2, port: () => port, vpcLinkDelayMs: deps.vpcLinkDelayMs, limits, now: Date.now, reservedHost: deps.reservedHost };
  const handlers: HandlerTable<ApiGatewayV2Operations> = {
    ...notImplementedAll(apiGatewayV2OperationNames),
    ...apiOperations(ops),
    ...importExportOperations(ops),
    ...routeOperations(ops),
    ...integrationOperations(ops),
    ...stageOperations(ops),
    ...deploymentOperations(ops),
    ...authorizerOperations(ops),
    ...vpcLinkOperations(ops),
    ...domainOperations(ops),
    ...tagOperations(ops),
    ...websocketOperations(ops),
  };
  let unsubscribe: (() => void) | undefined;
  let stopped = false;
  return {
    name: 'gateway',
    services: [serviceHandlers('apigatewayv2', handlers)],
    api: { recentRequests: recent },
    edgeRoutes: [gatewayEdgeRoute(view, services)],
    internalRoutes: [...issuer.routes(), explainRoute(view, () => services.discovery)],
    async start() {
      view.loadAll();
      unsubscribe = deps.store.subscribe((changes) => view.onChanges(changes));
    },
    async stop() {
      stopped = true;
      unsubscribe?.();
      await pools.close();
    },
    async afterReset() {
      issuer.forget();
      verifier.clear();
      recent.clear();
      view.loadAll();
      await issuer.jwks();
    },
    onListening(address) {
      port = address.port;
      portText = String(port);
      // Load (or create) the built-in issuer's key ahead of the first JWT request, so that request does
      // no SQL; but a second after the listener is up, not in start: on an empty data dir this is an
      // RSA key pair and jose's import, which held a cold start back by 100–200 ms and would compete
      // with the first requests (issue 16, point 4). A JWT request that comes first makes or loads the
      // key itself, and a concurrent caller shares that generation (LocalIssuer).
      setTimeout(() => {
        if (stopped) return;
        issuer.jwks().catch((err: unknown) => stopped || deps.logger.warn({ err }, 'the built-in OIDC issuer could not load or create its key'));
      }, ISSUER_KEY_DELAY_MS).unref();
    },
    health: () => ({ gateway: { apis: view.apis.size, oidcIssuer: issuer.issuer() } }),
  };
}

export const gatewayProduct: ProductModule<GatewayProductDeps, GatewayApi> = { migrations: gatewayMigrations, create: createGateway };
