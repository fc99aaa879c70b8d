// The composition root: opens the store, builds the products, wires the edge listener and starts
// the engines. The only module that imports every product.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdirSync, readFileSync } from 'node:fs';
import { createLogger, type Logger } from '../kernel/log.js';
import { createEc2, ec2Migrations } from '../ec2/index.js';
import { createLogs, logsMigrations } from '../logs/index.js';
import { ProtocolDispatcher } from '../protocol/dispatch.js';
import type { AnyHandlerTable } from '../protocol/handlers.js';
import type { ServiceName } from '../protocol/model.js';
import { ServiceRegistry } from '../protocol/services.js';
import { SigV4Verifier } from '../protocol/sigv4.js';
import { Store } from '../store/store.js';
import type { Config } from './config.js';
import { edgeHandler, type EdgeRoute } from './edge.js';
import { internalRoute } from './internal.js';
import { lockDataDir } from './lock.js';

export const VERSION: string = (JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;

export interface Wayfinder {
  config: Config;
  /** Bound edge port (differs from config.port when that was 0). */
  port: number;
  endpoint: string;
  store: Store;
  logger: Logger;
  reset(): Promise<void>;
  close(): Promise<void>;
}

export async function startWayfinder(config: Config, logger: Logger = createLogger(config.logLevel)): Promise<Wayfinder> {
  const releaseLock = config.dataDir === ':memory:' ? () => {} : lockDataDir(ensureDir(config.dataDir));
  let store: Store | undefined;
  let server: Server | undefined;
  try {
    store = Store.open(config.dataDir, [...ec2Migrations, ...logsMigrations], logger);
    const ec2 = createEc2(store);
    const logs = createLogs(store, logger);

    const handlers: Partial<Record<ServiceName, AnyHandlerTable>> = {
      ec2: ec2.handlers as unknown as AnyHandlerTable,
      logs: logs.handlers as unknown as AnyHandlerTable,
    };
    const registry = new ServiceRegistry();
    const dispatcher = new ProtocolDispatcher({
      registry,
      handlers,
      verifier: new SigV4Verifier(config.credentials),
      auth: config.auth,
      defaultRegion: config.region,
      defaultAccountId: config.accountId,
      logger,
    });

    const s = store;
    const reset = async () => {
      logs.beforeReset();
      s.wipe();
      ec2.afterReset();
    };
    const routes: EdgeRoute[] = [
      internalRoute({
        health: () => ({
          status: 'ok',
          version: VERSION,
          services: Object.fromEntries(registry.all.map((spec) => [spec.name, handlers[spec.name] ? 'running' : 'not implemented'])),
        }),
        reset,
      }),
      { name: 'aws', matches: () => true, handle: (req, res) => dispatcher.handle(req, res) },
    ];

    server = createServer({ keepAliveTimeout: 65_000, requestTimeout: 120_000 }, edgeHandler(routes, logger));
    await listen(server, config.port, config.host);
    const port = (server.address() as AddressInfo).port;
    logs.start();

    let closing: Promise<void> | undefined;
    const srv = server;
    const close = () =>
      (closing ??= (async () => {
        await new Promise<void>((resolve) => {
          srv.close(() => resolve());
          srv.closeIdleConnections();
          setTimeout(() => srv.closeAllConnections(), 2000).unref();
        });
        logs.stop();
        s.close();
        releaseLock();
      })());

    return { config, port, endpoint: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`, store: s, logger, reset, close };
  } catch (e) {
    server?.close();
    store?.close();
    releaseLock();
    throw e;
  }
}

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function ensureDir(dir: string): string {
  mkdirSync(dir, { recursive: true });
  return dir;
}
