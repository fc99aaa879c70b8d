// The CloudWatch Logs product: the subset awslogs, access logs and `aws logs tail` need.
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { logsOperationNames, type LogsOperations } from '../protocol/generated/logs.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { eventOperations } from './operations/events.js';
import { groupOperations } from './operations/groups.js';
import { streamOperations } from './operations/streams.js';
import { LogsStore, logsMigrations } from './store.js';
import { LogWriter } from './writer.js';

export type { LogTarget, LogWriter } from './writer.js';

const RETENTION_SWEEP_MS = 10 * 60 * 1000;

export type LogsProductDeps = ProductDeps;

/** Its api is the LogWriter other products send awslogs and access-log lines to. */
export function createLogs({ store, logger }: LogsProductDeps): Product<LogWriter> {
  const logs = new LogsStore(store);
  const writer = new LogWriter(logs, logger);
  let sweeper: NodeJS.Timeout | undefined;
  const handlers: HandlerTable<LogsOperations> = {
    ...notImplementedAll(logsOperationNames),
    ...groupOperations(logs),
    ...streamOperations(logs),
    ...eventOperations(logs),
  };
  return {
    name: 'logs',
    services: [serviceHandlers('logs', handlers)],
    api: writer,
    start() {
      const sweep = () => {
        try {
          logs.expire(Date.now());
        } catch (e) {
          logger.error({ err: e }, 'log retention sweep failed');
        }
      };
      sweep();
      sweeper = setInterval(sweep, RETENTION_SWEEP_MS);
      sweeper.unref();
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
      writer.flush();
    },
    beforeReset() {
      writer.clear();
      logs.wipeEvents();
    },
  };
}

export const logsProduct: ProductModule<LogsProductDeps, LogWriter> = { migrations: logsMigrations, create: createLogs };
