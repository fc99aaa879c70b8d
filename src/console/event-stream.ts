// What the console's two server-sent-event feeds (change-stream.ts, request-stream.ts) share: the
// response head, the hello frame, and the cut for a reader that stopped reading.
import type { IncomingMessage, ServerResponse } from 'node:http';

/** A comment line this often keeps proxies and idle timers from closing a quiet stream. */
export const HEARTBEAT_MS = 15_000;
/**
 * Unsent bytes a stream may hold: a watcher that stops reading is cut here (its EventSource
 * reconnects and reads afresh), instead of the server buffering every frame for it.
 */
export const MAX_UNSENT_BYTES = 1024 * 1024;

/** Sends the stream's head and its `hello` event; the socket stays open for as long as the tab does. */
export function openEventStream(req: IncomingMessage, res: ServerResponse, hello: object): void {
  req.socket.setTimeout(0);
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    connection: 'keep-alive',
  });
  res.write(`retry: 2000\nevent: hello\ndata: ${JSON.stringify(hello)}\n\n`);
}

/** Writes one frame, or cuts the stream when its reader has left MAX_UNSENT_BYTES unread. */
export function sendFrame(res: ServerResponse, frame: string): void {
  if (res.writableLength > MAX_UNSENT_BYTES) res.destroy();
  else res.write(frame);
}
