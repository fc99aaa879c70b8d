// The topology page's request feed: GET /_wayfinder/console/requests/{apiId}, server-sent events with
// the API's recent requests (method, path, route, status, latency, the instance that served it),
// first what the gateway's ring holds, then each new batch. Watching is what turns recording on
// (gateway/recent-requests.ts): with no stream open, the data plane records nothing. Contract:
// docs/console.md.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { isLoopbackAddress } from '../http1/host-policy.js';
import { sendJson } from '../http1/routes.js';
import { HEARTBEAT_MS, openEventStream, sendFrame } from './event-stream.js';

/** What the gateway offers (gateway/recent-requests.ts), seen from here without importing it. */
export interface RequestFeed {
  watch(apiId: string, listener: (records: object[]) => void): () => void;
}

/** Open request streams at once (a topology tab holds one); more get a 503. */
export const MAX_REQUEST_STREAMS = 16;

export class RequestStream {
  private readonly clients = new Set<ServerResponse>();

  constructor(
    private readonly feed: RequestFeed,
    private readonly capacity: number,
  ) {}

  open(req: IncomingMessage, res: ServerResponse, apiId: string): void {
    // Requests carry the paths clients sent: like the key (config.json), only a page on this machine
    // gets them.
    if (!isLoopbackAddress(req.socket.remoteAddress ?? '')) {
      return sendJson(res, 403, { message: 'Recent requests are shown only to a console on the machine Wayfinder runs on.' });
    }
    if (this.clients.size >= MAX_REQUEST_STREAMS) {
      res.setHeader('retry-after', '5');
      return sendJson(res, 503, { message: `The console's request streams are limited to ${MAX_REQUEST_STREAMS}; close a topology tab.` });
    }
    openEventStream(req, res, { apiId, capacity: this.capacity });
    this.clients.add(res);
    const unwatch = this.feed.watch(apiId, (records) => sendFrame(res, `event: requests\ndata: ${JSON.stringify(records)}\n\n`));
    const heartbeat = setInterval(() => res.write(': keep-alive\n\n'), HEARTBEAT_MS).unref();
    res.on('close', () => {
      this.clients.delete(res);
      clearInterval(heartbeat);
      unwatch();
    });
  }

  /** Ends every stream (server shutdown). */
  close(): void {
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}
