// What a product hands the composition root. app.ts builds products in dependency order (EC2, Logs,
// Cloud Map, ECS, API Gateway), collects their handlers and routes, and drives their lifecycle.
import type { AnyHandlerTable } from '../protocol/handlers.js';
import type { ServiceName } from '../protocol/model.js';
import type { EdgeRoute, InternalRoute } from '../http1/routes.js';

export interface Product {
  name: string;
  /** AWS services this product answers (a HandlerTable per service). */
  handlers?: Partial<Record<ServiceName, AnyHandlerTable>>;
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
