// Template-controlled work that could hold the event loop, run in a worker thread instead
// (off-loop-worker.ts): AllowedPattern matches and the parse of a large YAML template. One
// short-lived worker per call, terminated when it overruns its time; at most two run at once
// (the machine's other work keeps a core), further calls wait their turn.
import { AwsError } from '../kernel/errors.js';
import type { OffLoopAnswer, OffLoopTask } from './off-loop-worker.js';
import { isYamlParsed, rememberYaml, templateError } from './template.js';
import { concurrencyLimit } from '../kernel/concurrency.js';
import { runInWorker, type WorkerOutcome } from '../kernel/worker-run.js';

const MAX_RUNNING = 2;
/** All the AllowedPattern checks of one request together. A sane pattern takes microseconds. */
export const PATTERN_TIME_LIMIT_MS = 1_000;
/** A 1 MB YAML template (the TemplateURL quota) parses in a few seconds on a loaded machine. */
const YAML_TIME_LIMIT_MS = 30_000;
/** YAML bodies up to this size parse on the main thread (a few ms); larger ones in the worker. */
export const YAML_INLINE_MAX = 8 * 1024;

const slot = concurrencyLimit(MAX_RUNNING);

/** Runs a task; resolves with every answer the worker sent until `done`/`doc`/`error`, or what it had sent when time (or heap) ran out. */
function run(task: OffLoopTask, timeLimitMs: number): Promise<WorkerOutcome<OffLoopAnswer>> {
  return runInWorker<OffLoopTask, OffLoopAnswer>(new URL('./off-loop-worker.js', import.meta.url), task, {
    slot,
    timeLimitMs,
    heapLimitMb: 512,
    name: 'CloudFormation',
    isLast: (a) => a.kind !== 'match',
  });
}

export interface PatternCheck {
  key: string;
  pattern: string;
  value: string;
}

/**
 * Which checks' values match their AllowedPattern (whole value). A check whose match outruns
 * PATTERN_TIME_LIMIT_MS is the template's fault: a ValidationError naming its parameter.
 */
export async function matchPatterns(checks: PatternCheck[]): Promise<boolean[]> {
  if (!checks.length) return [];
  const { answers, overran } = await run({ kind: 'patterns', checks: checks.map(({ pattern, value }) => ({ pattern, value })) }, PATTERN_TIME_LIMIT_MS);
  const matched = answers.flatMap((a) => (a.kind === 'match' ? [a.matched] : []));
  const failed = answers.find((a) => a.kind === 'error');
  const at = checks[matched.length];
  if (failed && at) throw templateError(`AllowedPattern of parameter ${at.key} is not a valid regular expression`);
  if (overran && at) {
    throw new AwsError(
      'ValidationError',
      `Parameter '${at.key}' could not be checked against its AllowedPattern within ${PATTERN_TIME_LIMIT_MS} ms: the pattern backtracks too much on this value. Simplify the pattern (avoid nested quantifiers such as (a+)+).`,
    );
  }
  return matched;
}

/**
 * Parses a large YAML body in the worker and leaves the document where parseTemplate finds it, so the
 * synchronous parse that follows costs a copy, not the parse. JSON and small YAML are left to it.
 */
export async function parseLargeYaml(body: string): Promise<void> {
  if (body.length <= YAML_INLINE_MAX || body.trimStart().startsWith('{') || isYamlParsed(body)) return;
  const { answers, overran } = await run({ kind: 'yaml', body }, YAML_TIME_LIMIT_MS);
  if (overran) throw templateError('The template could not be parsed in time: it is too large or too complex.');
  const a = answers[0];
  if (a?.kind === 'error') throw templateError(a.message);
  if (a?.kind === 'doc') rememberYaml(body, a.doc);
}
