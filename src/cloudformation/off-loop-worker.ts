// Runs in a worker thread (off-loop.ts starts it): the template-controlled work whose cost has no
// useful bound on the main thread. A parameter's AllowedPattern is the template author's regular
// expression run on the caller's value: a backtracking pattern such as `(a+)+$` takes exponential
// time on `aaaa…!`. A large YAML template takes seconds to parse. Here either costs only this
// thread, and the caller terminates it when it overruns.
import { parentPort } from 'node:worker_threads';
import { wholeValue } from './allowed-pattern.js';
import { readYaml } from './yaml.js';

export type OffLoopTask = { kind: 'patterns'; checks: Array<{ pattern: string; value: string }> } | { kind: 'yaml'; body: string };
/** Patterns: one message per check, in order (so an overrun names the check that ran), then `done`. */
export type OffLoopAnswer = { kind: 'match'; matched: boolean } | { kind: 'done' } | { kind: 'doc'; doc: unknown } | { kind: 'error'; message: string };

parentPort!.once('message', (task: OffLoopTask) => {
  if (task.kind === 'patterns') {
    for (const { pattern, value } of task.checks) {
      let matched: boolean;
      try {
        matched = wholeValue(pattern).test(value);
      } catch (e) {
        parentPort!.postMessage({ kind: 'error', message: (e as Error).message } satisfies OffLoopAnswer);
        return;
      }
      parentPort!.postMessage({ kind: 'match', matched } satisfies OffLoopAnswer);
    }
    parentPort!.postMessage({ kind: 'done' } satisfies OffLoopAnswer);
    return;
  }
  try {
    parentPort!.postMessage({ kind: 'doc', doc: readYaml(task.body) } satisfies OffLoopAnswer);
  } catch (e) {
    parentPort!.postMessage({ kind: 'error', message: (e as Error).message } satisfies OffLoopAnswer);
  }
});
