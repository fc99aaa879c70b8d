// Response step 1 — response parameter mapping (docs/aws-behavior.md §3.6): for the backend's status code, header
// append/overwrite/remove and `overwrite:statuscode`, with `$response.header.x`, `$response.body.x`,
// `$context.x` and `$stageVariables.x`. Only backend answers are mapped, never the gateway's own.
import { jsonAt, renderValue, type ValueResolver } from '../mapping.js';
import { contextVar } from './context-vars.js';
import type { ResponseHead } from './response.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { applyHeaderOp, getHeader } from './headers.js';

export function mapResponse(x: GatewayExchange, head: ResponseHead): void {
  if (!head.integration) return;
  const ops = x.route?.integration?.responseOps.get(head.status);
  if (!ops?.length) return;
  const backend = head.integration;
  const original = backend.headers === head.headers ? head.headers.slice() : backend.headers;
  let doc: unknown;
  let parsed = false;
  const r: ValueResolver = {
    header: () => undefined,
    query: () => undefined,
    body: () => undefined,
    path: () => x.path,
    pathParam: () => undefined,
    context: (n) => contextVar(x, n),
    stageVar: (n) => x.stage?.stageVariables[n],
    responseHeader: (n) => getHeader(original, n),
    responseBody: (p) => {
      if (!parsed) {
        parsed = true;
        try {
          doc = backend.body?.length ? JSON.parse(backend.body.toString('utf8')) : undefined;
        } catch {
          doc = undefined;
        }
      }
      return jsonAt(doc, p);
    },
  };
  for (const op of ops) {
    const value = op.action === 'remove' ? undefined : renderValue(op.value, r);
    if (op.target === 'statuscode') {
      const code = Number(value);
      if (Number.isInteger(code) && code >= 100 && code <= 599) head.status = code;
    } else {
      applyHeaderOp(head.headers, op.action, op.name, value);
      head.checked = false;
    }
  }
}
