// Parses an OpenAPI definition (JSON or YAML) and writes YAML in a worker thread, so neither blocks
// the event loop (see openapi-worker.ts). One short-lived worker per call: a runaway parse is ended
// by terminating it, and nothing is shared between calls. At most two run at once (the machine's
// other work must keep a core); further calls wait their turn.
import { AwsError } from '../kernel/errors.js';
import type { ImportedApi } from './openapi.js';
import type { WorkerAnswer, WorkerTask } from './openapi-worker.js';
import { concurrencyLimit } from '../kernel/concurrency.js';
import { runInWorker as runTask } from '../kernel/worker-run.js';

const MAX_RUNNING = 2;
/** A 6 MB YAML definition (the largest body apigatewayv2 accepts) parses in ~15 s on a slow machine. */
const TIME_LIMIT_MS = 60_000;
/** Parsing YAML builds a document tree several times the text's size; past this the worker ends, not the server. */
const HEAP_LIMIT_MB = 1024;

const slot = concurrencyLimit(MAX_RUNNING);

async function runInWorker(task: WorkerTask): Promise<WorkerAnswer> {
  const { answers, overran } = await runTask<WorkerTask, WorkerAnswer>(new URL('./openapi-worker.js', import.meta.url), task, {
    slot,
    timeLimitMs: TIME_LIMIT_MS,
    heapLimitMb: HEAP_LIMIT_MB,
    name: 'OpenAPI',
    isLast: () => true,
  });
  if (overran === 'time')
    return { ok: false, code: 'BadRequestException', message: 'The API definition could not be processed in time: it is too large or too complex.', status: undefined };
  if (overran === 'memory')
    return { ok: false, code: 'BadRequestException', message: 'The API definition could not be processed: it is too large or too complex.', status: undefined };
  return answers[0]!;
}

function answerOrThrow(a: WorkerAnswer): WorkerAnswer & { ok: true } {
  if (!a.ok) throw new AwsError(a.code, a.message, a.status === undefined ? {} : { status: a.status });
  return a;
}

/** An OpenAPI body → the definition to store, already within the per-API quotas; AWS's 400/429 otherwise. */
export async function parseDefinition(body: string): Promise<ImportedApi> {
  const a = answerOrThrow(await runInWorker({ kind: 'import', body }));
  if (!('def' in a)) throw new Error('OpenAPI worker answered an import without a definition');
  return a.def;
}

export async function toYaml(doc: unknown): Promise<string> {
  const a = answerOrThrow(await runInWorker({ kind: 'yaml', doc }));
  if (!('text' in a)) throw new Error('OpenAPI worker answered YAML without text');
  return a.text;
}
