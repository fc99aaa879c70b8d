// The console's live feed: server-sent events fed by the store's change feed (store.subscribe), one
// event per commit naming the tables it touched. The page re-reads what it shows through the AWS APIs
// when a table it shows changes, so the stream carries no records: keys name accounts and resources,
// and what a caller may see is the APIs' business. Contract: docs/console.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendJson } from '../http1/routes.js';
import type { Change, Store } from '../store/store.js';
import { HEARTBEAT_MS, openEventStream, sendFrame } from './event-stream.js';

/** Open streams at once; more get a 503 (each holds a socket for as long as a tab is open). */
export const MAX_STREAMS = 16;

export class ChangeStream {
  private readonly clients = new Set<ServerResponse>();
  private unsubscribe: (() => void) | undefined;
  private heartbeat: NodeJS.Timeout | undefined;

  constructor(private readonly store: Store) {}

  get size(): number {
    return this.clients.size;
  }

  open(req: IncomingMessage, res: ServerResponse): void {
    if (this.clients.size >= MAX_STREAMS) {
      res.setHeader('retry-after', '5');
      return sendJson(res, 503, { message: `The console's change stream is limited to ${MAX_STREAMS} connections; close a console tab.` });
    }
    openEventStream(req, res, { maxStreams: MAX_STREAMS });
    this.clients.add(res);
    this.start();
    const close = () => {
      this.clients.delete(res);
      if (this.clients.size === 0) this.stop();
    };
    res.on('close', close);
  }

  private start(): void {
    if (this.unsubscribe) return;
    this.unsubscribe = this.store.subscribe((changes) => this.publish(changes));
    this.heartbeat = setInterval(() => {
      for (const c of this.clients) sendFrame(c, ': keep-alive\n\n');
    }, HEARTBEAT_MS);
    this.heartbeat.unref();
  }

  private stop(): void {
    this.unsubscribe?.();
    this.unsubscribe = undefined;
    if (this.heartbeat) clearInterval(this.heartbeat);
    this.heartbeat = undefined;
  }

  private publish(changes: readonly Change[]): void {
    if (changes.length === 0) return;
    const revision = changes[changes.length - 1]!.revision;
    const tables = [...new Set(changes.map((c) => c.table))];
    const frame = `id: ${revision}\nevent: change\ndata: ${JSON.stringify({ revision, tables })}\n\n`;
    for (const c of this.clients) sendFrame(c, frame);
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
    this.stop();
  }
}
