// The main thread's side of --gateway-workers N: starts N-1 worker threads (worker-main.ts) that
// accept on the edge port's listening socket next to the main thread, posts them the store's
// committed changes (the tables the data plane reads), writes their access-log lines, and takes the
// connections they forward (a private unix socket, forwarded-connection.ts); tells them which APIs a
// console watches and feeds the requests they post into the recent-requests ring. The main thread keeps
// serving the data plane as thread 0, and everything else as before.
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { TABLES as CLOUDMAP_TABLES } from '../../cloudmap/store.js';
import type { Logger } from '../../kernel/log.js';
import type { LogWriter } from '../../logs/writer.js';
import type { Change, Store } from '../../store/store.js';
import type { RecentRequests } from '../recent-requests.js';
import { GATEWAY_TABLES, VIEW_TABLES } from '../store.js';
import { acceptForwarded } from './forwarded-connection.js';
import { COUNTER_SLOTS, type FromWorker, type ToWorker, type WorkerInit } from './messages.js';
import type { SharedBucketTable } from './shared-buckets.js';

/** The tables a worker's views read: only their changes are posted. */
const FOLLOWED = new Set<string>([
  ...VIEW_TABLES,
  GATEWAY_TABLES.oidcKeys,
  CLOUDMAP_TABLES.namespaces,
  CLOUDMAP_TABLES.services,
  CLOUDMAP_TABLES.instances,
  CLOUDMAP_TABLES.health,
]);
const WORKER_URL = new URL('./worker-main.js', import.meta.url);
const STOP_GRACE_MS = 5000;
const RESTART_DELAY_MS = 1000;
/**
 * Test hook: with WAYFINDER_TEST_HOOKS=1 in the server's environment, this signal makes worker 1 crash
 * (messages.ts `crash`), so an e2e test can watch the replacement. A signal reaches the process only
 * from its own user (or root), so this adds nothing a network client can reach.
 */
const CRASH_SIGNAL = 'SIGUSR2';

export interface GatewayWorkersOptions {
  /** Threads in all, the main thread included (N of --gateway-workers). */
  threads: number;
  listenFd: number;
  port: number;
  store: Store;
  logs: LogWriter;
  logger: Logger;
  buckets: SharedBucketTable;
  /** The console's recent-requests ring: its watched set goes to the workers, their records come back to it. */
  recent: RecentRequests;
  /** Hands a forwarded connection to the edge listener (as if it had accepted it). */
  accept(socket: Socket): void;
  settings: Omit<WorkerInit, 'index' | 'listenFd' | 'port' | 'forwardPath' | 'forwardToken' | 'buckets' | 'counters' | 'revision'>;
}

export interface GatewayWorkers {
  /** Counts a request the main thread's data plane served. */
  countMain(): void;
  /**
   * Health facts per thread (0 = main): requests served, store revision applied, connections forwarded
   * to the main thread, requests recorded for the console's recent-requests ring.
   */
  facts(): { threads: number; served: number[]; revisions: number[]; forwarded: number[]; recorded: number[]; up: boolean[]; restarts: number[] };
  /** After a reset: workers reload their views. */
  reload(): void;
  close(): Promise<void>;
}

export async function startGatewayWorkers(opts: GatewayWorkersOptions): Promise<GatewayWorkers> {
  const dir = mkdtempSync(join(tmpdir(), 'wayfinder-gw-')); // 0700: only this user can reach the socket
  const forwardPath = join(dir, 'forward.sock');
  const forwardToken = randomBytes(32).toString('hex');
  const counterBuffer = new SharedArrayBuffer(opts.threads * COUNTER_SLOTS * 8);
  const counters = new Float64Array(counterBuffer);
  const forwarded: Server = createServer((socket) => acceptForwarded(socket, forwardToken, opts.accept));
  const workers: Worker[] = [];
  /** Per thread (0 = main): serving now; replacements started after an exit. */
  const upNow: boolean[] = Array.from({ length: opts.threads }, (_, i) => i === 0);
  const restarts: number[] = new Array<number>(opts.threads).fill(0);
  const crashOne = (): void => workers[0]?.postMessage({ type: 'crash' } satisfies ToWorker);
  const hooks = process.env.WAYFINDER_TEST_HOOKS === '1';
  let unsubscribe: (() => void) | undefined;
  let stopping = false;
  const stopAll = async (): Promise<void> => {
    stopping = true;
    if (hooks) process.off(CRASH_SIGNAL, crashOne);
    unsubscribe?.();
    opts.recent.onWatchChange(undefined);
    await Promise.all(workers.map((w) => stopWorker(w)));
    await new Promise<void>((resolve) => forwarded.close(() => resolve()));
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    await new Promise<void>((resolve, reject) => {
      forwarded.once('error', reject);
      forwarded.listen(forwardPath, () => {
        forwarded.off('error', reject);
        resolve();
      });
    });
    chmodSync(forwardPath, 0o600);
    const send = (m: ToWorker): void => {
      for (const w of workers) w.postMessage(m);
    };
    // Subscribed before the workers load their views: a change made meanwhile is re-read after.
    unsubscribe = opts.store.subscribe((changes) => {
      const followed: Change[] = [];
      for (const c of changes) if (FOLLOWED.has(c.table)) followed.push(c);
      // Sent even when empty: the revision tells the health facts this worker is up to date.
      send({ type: 'changes', changes: followed, revision: opts.store.revision });
    });
    opts.recent.onWatchChange((apiIds) => send({ type: 'watch', apiIds }));
    const spawn = (index: number, restart = false): Promise<void> => {
      const init: WorkerInit = {
        ...opts.settings,
        index,
        listenFd: opts.listenFd,
        port: opts.port,
        forwardPath,
        forwardToken,
        buckets: opts.buckets.buffer,
        counters: counterBuffer,
        revision: opts.store.revision,
      };
      const w = new Worker(WORKER_URL, { workerData: init });
      workers[index - 1] = w;
      // Queued until the worker listens: a replacement records what is watched from its first request.
      const watched = opts.recent.watchedApis();
      if (watched.length) w.postMessage({ type: 'watch', apiIds: watched } satisfies ToWorker);
      return new Promise<void>((resolve, reject) => {
        let up = false;
        w.on('message', (m: FromWorker) => {
          if (m.type === 'ready') {
            up = true;
            upNow[index] = true;
            if (restart) restarts[index]!++;
            resolve();
            if (stopping) void stopWorker(w); // a replacement that came up while the server stopped
          } else if (m.type === 'failed') reject(new Error(`gateway worker ${index} could not start: ${m.message}`));
          else if (m.type === 'logs') for (const [target, line, ts] of m.entries) opts.logs.append(target, line, ts);
          else if (m.type === 'recent') for (const [apiId, records] of m.batches) opts.recent.accept(apiId, records);
        });
        w.once('error', (err) => {
          opts.logger.error({ err, worker: index }, 'gateway worker failed');
          reject(err);
        });
        w.once('exit', (code) => {
          upNow[index] = false;
          // A thread killed inside a shared-bucket claim leaves the claim lock held: free it for the others.
          opts.buckets.releaseHeldBy(index);
          reject(new Error(`gateway worker ${index} exited with ${code}`));
          if (stopping || !up) return;
          // The other threads went on serving; a replacement takes this one's place after a pause
          // (so a worker that fails at once cannot spin).
          opts.logger.error({ worker: index, code }, 'gateway worker exited; restarting it in 1 s');
          setTimeout(() => {
            if (!stopping) spawn(index, true).catch((err: unknown) => opts.logger.error({ err, worker: index }, 'gateway worker could not restart'));
          }, RESTART_DELAY_MS).unref();
        });
      });
    };
    const ready: Promise<void>[] = [];
    for (let index = 1; index < opts.threads; index++) ready.push(spawn(index));
    await Promise.all(ready);
    if (hooks) process.on(CRASH_SIGNAL, crashOne);
  } catch (e) {
    await stopAll();
    throw e;
  }
  return {
    countMain: () => {
      counters[0]!++;
    },
    facts: () => {
      const served: number[] = [];
      const revisions: number[] = [];
      const forwarded: number[] = [];
      const recorded: number[] = [];
      for (let i = 0; i < opts.threads; i++) {
        served.push(counters[i * COUNTER_SLOTS]!);
        revisions.push(i === 0 ? opts.store.revision : counters[i * COUNTER_SLOTS + 1]!);
        forwarded.push(counters[i * COUNTER_SLOTS + 2]!);
        recorded.push(i === 0 ? opts.recent.recordedHere : counters[i * COUNTER_SLOTS + 3]!);
      }
      return { threads: opts.threads, served, revisions, forwarded, recorded, up: [...upNow], restarts: [...restarts] };
    },
    reload: () => {
      for (const w of workers) w.postMessage({ type: 'reload' } satisfies ToWorker);
    },
    close: stopAll,
  };
}

/** Asks a worker to stop (it finishes its answers and flushes its log lines), then ends the thread. */
function stopWorker(w: Worker): Promise<void> {
  return new Promise<void>((resolve) => {
    if (w.threadId < 0) return resolve(); // exited already (a crashed worker not yet replaced)
    const done = (): void => {
      clearTimeout(timer);
      void w.terminate().then(() => resolve());
    };
    const timer = setTimeout(done, STOP_GRACE_MS);
    w.on('message', (m: FromWorker) => m.type === 'closed' && done());
    w.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    w.postMessage({ type: 'close' } satisfies ToWorker);
  });
}
