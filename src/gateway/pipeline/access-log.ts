// Last — the access log line (docs/aws-behavior.md §3.11): rendered from the stage's compiled format once the
// response is done, handed to the Logs writer (buffered; no SQL here). Unavailable variables are `-`.
import { contextVar } from './context-vars.js';
import type { GatewayExchange } from './gateway-exchange.js';

export function accessLog(x: GatewayExchange): void {
  const al = x.stage?.accessLog;
  if (!al) return;
  let line = '';
  for (const p of al.parts) line += 'text' in p ? p.text : (contextVar(x, p.variable) ?? '-');
  x.services.logs.append(al.target, line, x.receivedAt);
}
