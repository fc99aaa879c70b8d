// The Cloud Map product: the servicediscovery API, the asynchronous operation runner, custom health
// and Route 53-style health checks, the in-memory discovery view, and the authoritative DNS server.
// Other products use its api: `registry` (CloudMapApi, for ECS) and `discovery` (DiscoveryView, for the gateway).
import type { Ec2Api } from '../ec2/api.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { serviceDiscoveryOperationNames, type ServiceDiscoveryOperations } from '../protocol/generated/servicediscovery.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import type { CloudMapApi, HostedZoneView } from './api.js';
import { createCloudMapApi, type CloudMapDeps } from './ecs-registrations.js';
import { Discovery } from './discovery.js';
import { HostedZones } from './dns/record-sets.js';
import { DnsServer } from './dns/server.js';
import { CustomHealthEngine } from './health.js';
import { CloudMapHealthChecks } from './health-checks.js';
import { OperationRunner } from './op-runner.js';
import type { CloudMapOpsContext } from './operations/common.js';
import { discoverOperations } from './operations/discover.js';
import { instanceOperations } from './operations/instances.js';
import { namespaceOperations } from './operations/namespaces.js';
import { operationOperations } from './operations/async-operations.js';
import { serviceOperations } from './operations/services.js';
import { tagOperations } from './operations/tags.js';
import { CloudMapStore, cloudmapMigrations } from './store.js';

export type { CloudMapApi, DiscoveryView, HostedZoneView } from './api.js';

export interface CloudMapProductDeps extends ProductDeps {
  /** Namespaces check their VPC. */
  ec2: Pick<Ec2Api, 'vpc'>;
  /** Custom health changes take effect after this (AWS: ~30 s); also the Route 53 probe interval (≥ 100 ms). */
  healthDelayMs: number;
  operationDelayMs: number;
  /** Where the DNS server listens; without it no DNS server runs (unit tests). Port 0 picks a free port. */
  dns?: { host: string; port: number };
}

export interface CloudMapProductApi {
  /** For ECS: register/deregister tasks, report their health. */
  registry: CloudMapApi;
  /** For the gateway and DNS: routable instances, from memory (a DiscoveryView with snapshot access). */
  discovery: Discovery;
  /** For Route 53: the namespaces' hosted zones and the records the DNS server serves for them. */
  hostedZones: HostedZoneView;
}

export function createCloudMap(options: CloudMapProductDeps): Product<CloudMapProductApi> {
  const { store, logger, ec2 } = options;
  const cm = new CloudMapStore(store);
  const discovery = new Discovery(cm, logger);
  discovery.attach(store); // before any handler runs, so every committed change reaches the view
  const runner = new OperationRunner(cm, store, options.operationDelayMs, logger);
  const customHealth = new CustomHealthEngine(cm, store, logger);
  const checker = new CloudMapHealthChecks(cm, store, discovery, Math.max(100, options.healthDelayMs), logger);
  const dns = options.dns ? new DnsServer(discovery, logger) : undefined;
  const deps: CloudMapDeps = { store, cm, discovery, runner, healthDelayMs: options.healthDelayMs };
  const handlerDeps: CloudMapOpsContext = { ...deps, ec2 };
  const handlers: HandlerTable<ServiceDiscoveryOperations> = {
    ...notImplementedAll(serviceDiscoveryOperationNames),
    ...namespaceOperations(handlerDeps),
    ...serviceOperations(handlerDeps),
    ...instanceOperations(handlerDeps),
    ...operationOperations(handlerDeps),
    ...discoverOperations(handlerDeps),
    ...tagOperations(handlerDeps),
  };

  return {
    name: 'cloudmap',
    services: [serviceHandlers('servicediscovery', handlers)],
    api: { registry: createCloudMapApi(deps), discovery, hostedZones: new HostedZones(() => discovery.snapshot) },
    async start() {
      if (dns && options.dns) {
        try {
          await dns.start(options.dns.host, options.dns.port);
        } catch (e) {
          const err = e as NodeJS.ErrnoException;
          throw new Error(
            `DNS server could not listen on ${options.dns.host}:${options.dns.port} (${err.code ?? err.message}); choose another port with --dns-port (0 picks a free one)`,
          );
        }
      }
      runner.start();
      customHealth.start();
      checker.start();
    },
    async stop() {
      checker.stop();
      customHealth.stop();
      await runner.stop();
      await dns?.stop();
      discovery.detach();
    },
    async beforeReset() {
      customHealth.clear();
      await runner.reset();
    },
    health() {
      return { ...(dns ? { dnsPort: dns.port } : {}), cloudMapHealthDelayMs: options.healthDelayMs };
    },
  };
}

export const cloudMapProduct: ProductModule<CloudMapProductDeps, CloudMapProductApi> = { migrations: cloudmapMigrations, create: createCloudMap };
