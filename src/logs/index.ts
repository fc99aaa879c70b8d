// The CloudWatch Logs product: the subset awslogs, access logs and `aws logs tail` need.
import type { Logger } from '../kernel/log.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { logsOperationNames, type LogsOperations } from '../protocol/generated/logs.js';
import type { Store } from '../store/store.js';
import { eventOperations } from './operations/events.js';
import { groupOperations } from './operations/groups.js';
import { streamOperations } from './operations/streams.js';
import { LogsStore } from './store.js';
import { LogWriter } from './writer.js';

export { logsMigrations } from './store.js';
export type { LogTarget, LogWriter } from './writer.js';

const RETENTION_SWEEP_MS = 10 * 60 * 1000;

export interface LogsProduct {
  handlers: HandlerTable<LogsOperations>;
  writer: LogWriter;
  start(): void;
  stop(): void;
  beforeReset(): void;
}

export function createLogs(store: Store, logger: Logger): LogsProduct {
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
    handlers,
    writer,
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
