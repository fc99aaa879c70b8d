// Runs in a worker thread (openapi-off-loop.ts starts it): the CPU-heavy half of ImportApi,
// ReimportApi and ExportApi. A 6 MB YAML definition takes seconds to parse, and even a 300-route
// one takes ~100 ms; on the main thread that time would stall every request, the data plane and
// DNS with it. Here it only costs this thread. The answer sent back is small: a definition already
// checked against the per-API quotas (at most 300 routes), or an error, or a YAML text.
import { parentPort } from 'node:worker_threads';
import { isAwsError, type AwsErrorCode } from '../kernel/errors.js';
import { importOpenApi, OpenApiError, type ImportedApi } from './openapi.js';
import { requireDefinitionFits } from './operations/quotas.js';

export type WorkerTask = { kind: 'import'; body: string } | { kind: 'yaml'; doc: unknown };
export type WorkerAnswer = { ok: true; def: ImportedApi } | { ok: true; text: string } | { ok: false; code: AwsErrorCode; message: string; status: number | undefined };

const badRequest = (message: string): WorkerAnswer => ({ ok: false, code: 'BadRequestException', message, status: undefined });

async function importDefinition(body: string): Promise<WorkerAnswer> {
  let doc: unknown;
  const text = body.trim();
  try {
    if (text.startsWith('{')) doc = JSON.parse(text);
    else {
      const yaml = await import('yaml');
      doc = yaml.parse(text, { maxAliasCount: 100 });
    }
  } catch (e) {
    return badRequest(`The API definition could not be parsed: ${(e as Error).message.split('\n')[0]}`);
  }
  try {
    const def = importOpenApi(doc);
    // Refused whole, before anything is stored: an import creates one route per operation and one
    // integration per x-amazon-apigateway-integration, and replaces every route, integration and authorizer.
    requireDefinitionFits({ routes: def.routes.length, integrations: def.routes.filter((r) => r.integration).length, authorizers: def.authorizers.length });
    return { ok: true, def };
  } catch (e) {
    if (e instanceof OpenApiError) return badRequest(e.message);
    if (isAwsError(e)) return { ok: false, code: e.code, message: e.message, status: e.status };
    throw e;
  }
}

async function run(task: WorkerTask): Promise<WorkerAnswer> {
  if (task.kind === 'import') return importDefinition(task.body);
  const yaml = await import('yaml');
  return { ok: true, text: yaml.stringify(task.doc) };
}

parentPort!.once('message', (task: WorkerTask) => {
  void run(task).then((answer) => parentPort!.postMessage(answer));
});
