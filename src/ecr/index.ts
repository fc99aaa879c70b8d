// The ECR product (docs/ecr.md): the ECR API (json-1.1, model-driven) and an OCI Distribution registry
// on the edge port, both over one image store: repositories, images and tags in SQLite, blobs as
// content-addressed files under <data dir>/ecr. Its api gives the ECS Docker runtime the credentials
// to pull an image it pushed, as Fargate's execution role does.
import { mkdtempSync, rmSync } from 'node:fs';
import type { IncomingMessage } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EdgeRoute } from '../http1/routes.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { ecrOperationNames, type EcrOperations } from '../protocol/generated/ecr.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { BlobFiles } from './blobs.js';
import type { EcrContext } from './operations/common.js';
import { imageOperations } from './operations/images.js';
import { layerOperations } from './operations/layers.js';
import { repositoryOperations } from './operations/repositories.js';
import { scanAndPreviewOperations } from './operations/scans-and-previews.js';
import { Registry, type SweepTimes } from './registry.js';
import { RegistryHandler } from './registry/handler.js';
import { isRegistryRequest } from './registry/paths.js';
import { EcrStore, ecrMigrations } from './store.js';
import { mintPassword, newSecret, TOKEN_LIFETIME_MS } from './tokens.js';

export interface EcrProductDeps extends ProductDeps {
  /** `--data-dir`; ':memory:' keeps blobs in a temporary directory removed at stop. */
  dataDir: string;
  /** The edge port as configured (0 until bound). */
  port: number;
  /** The control plane's Host and Origin guard (src/server/control-guard.ts): the registry follows it too. */
  admit?: (req: IncomingMessage) => string | undefined;
  /** An upload request is cut after this long without a byte (it has no whole-request cap). */
  uploadIdleMs: number;
}

/** What other products use: the Docker runtime's pull credentials for an image in this registry. */
export interface EcrApi {
  /**
   * Credentials for `image` when it names this registry (for the engine's X-Registry-Auth), else
   * undefined. On `localhost:<port>` the name says no account: the token is for `owner` (the task's
   * account and region, as Fargate pulls with the task's own execution role); without one, for the
   * first account and region holding a repository of that name.
   */
  pullAuth(image: string, owner?: { account: string; region: string }): { username: string; password: string; serveraddress: string } | undefined;
}

/** Upload idle time and unreferenced-blob grace; WAYFINDER_ECR_UPLOAD_IDLE_MS shortens the first (tests). */
function sweepTimes(): SweepTimes {
  const idle = Number(process.env.WAYFINDER_ECR_UPLOAD_IDLE_MS);
  const uploadIdleMs = Number.isFinite(idle) && idle > 0 ? idle : 60 * 60 * 1000;
  return { uploadIdleMs, unreferencedBlobMs: Math.max(uploadIdleMs, 60 * 60 * 1000) };
}

export function createEcr({ store, logger, dataDir, port: configuredPort, admit, uploadIdleMs }: EcrProductDeps): Product<EcrApi> {
  const ecrStore = new EcrStore(store);
  let tempRoot: string | undefined;
  const root = dataDir === ':memory:' ? (tempRoot = mkdtempSync(join(tmpdir(), 'wayfinder-ecr-'))) : join(dataDir, 'ecr');
  const registry = new Registry(ecrStore, new BlobFiles(root), logger);
  let secretValue: string | undefined;
  const secret = () => (secretValue ??= ecrStore.secret(newSecret));
  let port = configuredPort;
  // docs/ecr.md "The registry's host name": Docker resolves `localhost` to loopback with no
  // configuration and treats a loopback registry as insecure (plain HTTP), but not `*.localhost`.
  const registryHost = () => `localhost:${port}`;
  const ecr: EcrContext = { registry, registryHost };
  const handlers: HandlerTable<EcrOperations> = {
    ...notImplementedAll(ecrOperationNames),
    ...repositoryOperations(ecr),
    ...imageOperations(ecr, secret),
    ...layerOperations(ecr, secret),
    ...scanAndPreviewOperations(ecr),
  };
  const oci = new RegistryHandler({ registry, secret, logger, admit, uploadIdleMs });
  const route: EdgeRoute = { name: 'ecr-registry', matches: isRegistryRequest, handle: oci.handle };
  const times = sweepTimes();
  let sweeper: NodeJS.Timeout | undefined;
  const sweep = () => {
    try {
      registry.sweep(times);
    } catch (e) {
      logger.error({ err: e }, 'ecr: sweep failed');
    }
  };

  return {
    name: 'ecr',
    services: [serviceHandlers('ecr', handlers)],
    api: {
      pullAuth(image, owner) {
        const m = /^([^/]+)\/([^:@]+)/.exec(image);
        if (!m) return undefined;
        const host = m[1]!.toLowerCase();
        const aws = /^(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.localhost(?::\d+)?$/.exec(host);
        let where: { account: string; region: string } | undefined;
        if (aws) {
          where = { account: aws[1]!, region: aws[2]! };
          // A task pulls from its own account's registries only (any region; no cross-account policies, docs/ecr.md).
          if (owner && owner.account !== where.account) return undefined;
        } else if (host === registryHost() || host === `127.0.0.1:${port}`) {
          // The account-less URI names the task's own account; with no owner, no credentials (never
          // "the first account with a repository of that name").
          where = owner;
        }
        if (!where) return undefined;
        const password = mintPassword(secret(), { ...where, expiresAt: Date.now() + TOKEN_LIFETIME_MS });
        return { username: 'AWS', password, serveraddress: m[1]! };
      },
    },
    edgeRoutes: [route],
    start() {
      sweep();
      sweeper = setInterval(sweep, Math.min(60_000, Math.max(100, Math.floor(times.uploadIdleMs / 2))));
      sweeper.unref();
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
      if (tempRoot) rmSync(tempRoot, { recursive: true, force: true });
    },
    afterReset() {
      secretValue = undefined;
      registry.blobs.wipe();
    },
    onListening(address) {
      port = address.port;
    },
    health: () => ({ ecrRegistry: registryHost() }),
  };
}

export const ecrProduct: ProductModule<EcrProductDeps, EcrApi> = { migrations: ecrMigrations, create: createEcr };
