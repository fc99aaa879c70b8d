// One short-lived worker thread per task, for work whose cost the caller's input controls (a
// template's YAML or AllowedPattern, an OpenAPI definition): a runaway task is ended by terminating
// its worker, nothing is shared between tasks, and the event loop never runs it. Each caller keeps
// its own concurrencyLimit slot (concurrency.ts) and turns an overrun into its service's error.
import { Worker } from 'node:worker_threads';

export interface WorkerRunOptions<A> {
  /** Taken before the worker starts, released when it ends. */
  slot: () => Promise<() => void>;
  timeLimitMs: number;
  /** The worker's old-generation heap: past it the worker ends (`overran: 'memory'`), not the server. */
  heapLimitMb: number;
  /** Names the worker in the error thrown when it exits without a last answer. */
  name: string;
  /** Whether an answer is the task's last one (earlier answers are kept, for an overrun to report). */
  isLast: (answer: A) => boolean;
}

/** The answers the worker sent, in order; `overran` says why it was ended before its last one. */
export interface WorkerOutcome<A> {
  answers: A[];
  overran?: 'time' | 'memory';
}

/** Posts `task` to a new worker running `script`; rejects only when the worker fails in another way. */
export async function runInWorker<T, A>(script: URL, task: T, o: WorkerRunOptions<A>): Promise<WorkerOutcome<A>> {
  const release = await o.slot();
  try {
    return await new Promise<WorkerOutcome<A>>((resolve, reject) => {
      const answers: A[] = [];
      const worker = new Worker(script, { resourceLimits: { maxOldGenerationSizeMb: o.heapLimitMb } });
      let settled = false;
      const settle = (fn: () => void) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        void worker.terminate();
        fn();
      };
      const timer = setTimeout(() => settle(() => resolve({ answers, overran: 'time' })), o.timeLimitMs);
      // Neither keeps a stopping server alive: the request waiting for the answer is gone with it.
      worker.unref();
      timer.unref();
      worker.on('message', (a: A) => {
        answers.push(a);
        if (o.isLast(a)) settle(() => resolve({ answers }));
      });
      worker.once('error', (e: Error & { code?: string }) => settle(() => (e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? resolve({ answers, overran: 'memory' }) : reject(e))));
      worker.once('exit', (code) => settle(() => reject(new Error(`${o.name} worker exited (${code}) without an answer`))));
      worker.postMessage(task);
    });
  } finally {
    release();
  }
}
