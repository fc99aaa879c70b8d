// The contract between a product (src/ec2, src/logs, src/cloudmap, src/ecs, src/gateway …) and the
// composition root (src/server/app.ts), docs/architecture.md §2. It sits below both, as http1/routes.ts
// does for routes, so a product never imports from server/.
//
// Two phases, because the store must be migrated before any product can open its tables:
//   1. app.ts opens the store with the `migrations` of every ProductModule;
//   2. it calls each module's `create(deps)` in dependency order, passing the `api` of the products
//      built before it, and drives the returned Products' lifecycle.
import type { Logger } from '../kernel/log.js';
import type { EdgeRoute, InternalRoute } from '../http1/routes.js';
import type { Migration, Store } from '../store/store.js';
import type { ApiGatewayV2Operations } from './generated/apigatewayv2.js';
import type { CloudFormationOperations } from './generated/cloudformation.js';
import type { Ec2Operations } from './generated/ec2.js';
import type { EcrOperations } from './generated/ecr.js';
import type { EcsOperations } from './generated/ecs.js';
import type { IamOperations } from './generated/iam.js';
import type { LogsOperations } from './generated/logs.js';
import type { Route53Operations } from './generated/route53.js';
import type { ServiceDiscoveryOperations } from './generated/servicediscovery.js';
import type { StsOperations } from './generated/sts.js';
import type { AnyHandlerTable, HandlerTable } from './handlers.js';
import type { ServiceName } from './model.js';

/** The generated operations interface of each service: a service missing here is a compile error. */
export interface ServiceOperations {
  ec2: Ec2Operations;
  logs: LogsOperations;
  servicediscovery: ServiceDiscoveryOperations;
  ecs: EcsOperations;
  apigatewayv2: ApiGatewayV2Operations;
  iam: IamOperations;
  sts: StsOperations;
  cloudformation: CloudFormationOperations;
  ecr: EcrOperations;
  route53: Route53Operations;
}
export type OperationsOf<S extends ServiceName> = ServiceOperations[S];

/** One AWS service a product answers: its handler table, already checked against that service's operations. */
export interface ServiceHandlers {
  readonly service: ServiceName;
  /** The dispatcher's untyped view of the table. */
  readonly table: AnyHandlerTable;
}

// One line per service, so each table is checked against its own service where its type is concrete: a
// generic `HandlerTable<OperationsOf<S>>` cannot be shown to be an AnyHandlerTable without a cast.
const registrations: { [S in ServiceName]: (table: HandlerTable<OperationsOf<S>>) => ServiceHandlers } = {
  ec2: (table) => ({ service: 'ec2', table }),
  logs: (table) => ({ service: 'logs', table }),
  servicediscovery: (table) => ({ service: 'servicediscovery', table }),
  ecs: (table) => ({ service: 'ecs', table }),
  apigatewayv2: (table) => ({ service: 'apigatewayv2', table }),
  iam: (table) => ({ service: 'iam', table }),
  sts: (table) => ({ service: 'sts', table }),
  cloudformation: (table) => ({ service: 'cloudformation', table }),
  ecr: (table) => ({ service: 'ecr', table }),
  route53: (table) => ({ service: 'route53', table }),
};

/** Registers a product's handler table for `service`; a table of another service is a compile error. */
export function serviceHandlers<S extends ServiceName>(service: S, table: HandlerTable<OperationsOf<S>>): ServiceHandlers {
  return registrations[service](table);
}

/** What every product's deps start with; each product adds its options and the APIs of the products it uses. */
export interface ProductDeps {
  store: Store;
  logger: Logger;
}

/** A built product: what it serves, what it exposes to the products built after it, and its lifecycle. */
export interface Product<Api = undefined> {
  name: string;
  /** AWS services this product answers (serviceHandlers(…)). */
  services: readonly ServiceHandlers[];
  /** What later products may call (e.g. Ec2Api, LogWriter); app.ts passes it in their deps. */
  api: Api;
  /** Edge routes placed before the AWS control plane (the gateway data plane). */
  edgeRoutes?: EdgeRoute[];
  /** Extra /_wayfinder/* endpoints (status, OIDC issuer, route explainer …). */
  internalRoutes?: InternalRoute[];
  /** Starts engines and listeners, after the store is open and before the edge port accepts traffic. */
  start?(): Promise<void> | void;
  /** Graceful stop, in reverse product order. */
  stop?(): Promise<void> | void;
  /** Before the store is wiped by a reset (stop tasks, drop buffers). */
  beforeReset?(): Promise<void> | void;
  /** After the store was wiped (re-seed, clear caches). */
  afterReset?(): Promise<void> | void;
  /** Once the edge port is bound (its number differs from config.port when that was 0). */
  onListening?(address: { host: string; port: number }): void;
  /** Extra facts for GET /_wayfinder/health (e.g. { dnsPort, runtime }). */
  health?(): Record<string, unknown>;
}

/** What a product's index.ts exports: its tables, known before the store opens, and how to build it. */
export interface ProductModule<Deps extends ProductDeps, Api = undefined> {
  readonly migrations: Migration[];
  create(deps: Deps): Product<Api>;
}
