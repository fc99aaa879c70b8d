// The web console's endpoints under /_wayfinder/console/ (docs/console.md): the page, its scripts and
// style, the key it signs with, and the live change stream. They sit behind the internal route's
// guard (server/internal.ts), so they follow the control plane's Host and Origin rules (SECURITY.md)
// and are never served on an API's host. The page itself is only a client of the AWS APIs: it calls
// them from the browser, signed, exactly as the CLI does; nothing here reads or writes a product.
import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { fileURLToPath } from 'node:url';
import { isLoopbackAddress } from '../http1/host-policy.js';
import { sendJson, type InternalRoute } from '../http1/routes.js';
import type { Credential } from '../protocol/sigv4.js';
import type { Store } from '../store/store.js';
import { ChangeStream } from './change-stream.js';
import { CONSOLE_CSS, consoleHtml } from './page.js';
import { RequestStream, type RequestFeed } from './request-stream.js';

export const CONSOLE_PATH = '/_wayfinder/console/';

/** No inline script or style, nothing from another origin: the page talks only to this server. */
const CSP = "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";
const WEB_DIR = fileURLToPath(new URL('./web/', import.meta.url));

function send(res: ServerResponse, status: number, type: string, body: string | Buffer): void {
  res.writeHead(status, {
    'content-type': type,
    'content-length': Buffer.byteLength(body),
    'content-security-policy': CSP,
    'x-content-type-options': 'nosniff',
    'referrer-policy': 'no-referrer',
    'cache-control': 'no-store',
  });
  res.end(body);
}

export interface ConsoleEndpoints {
  routes: InternalRoute[];
  /** Ends the open change streams (before the server closes: they never go idle). */
  close(): void;
}

/** What the page needs of the configuration: the key it may sign with, and where it acts. */
export interface ConsoleSettings {
  credentials: readonly Credential[];
  region: string;
  accountId: string;
}

/** `requests`: the gateway's recent requests per API (gateway/recent-requests.ts) and how many it keeps. */
export function consoleEndpoints(config: ConsoleSettings, store: Store, requests?: RequestFeed & { capacity: number }): ConsoleEndpoints {
  const stream = new ChangeStream(store);
  const requestStream = requests ? new RequestStream(requests, requests.capacity) : undefined;
  const html = consoleHtml();
  const routes: InternalRoute[] = [
    {
      method: 'GET',
      path: /^\/_wayfinder\/console$/,
      handle(_req, res) {
        res.writeHead(308, { location: CONSOLE_PATH, 'content-length': 0 }).end();
      },
    },
    { method: 'GET', path: /^\/_wayfinder\/console\/$/, handle: (_req, res) => send(res, 200, 'text/html; charset=utf-8', html) },
    { method: 'GET', path: /^\/_wayfinder\/console\/style\.css$/, handle: (_req, res) => send(res, 200, 'text/css; charset=utf-8', CONSOLE_CSS) },
    {
      method: 'GET',
      // Only the compiled modules' own names: no path from the URL ever reaches the file system.
      path: /^\/_wayfinder\/console\/app\/([a-z][a-z0-9-]*)\.js$/,
      async handle(_req, res, m) {
        const text = await readFile(`${WEB_DIR}${m[1]}.js`).catch(() => undefined);
        if (text === undefined) return send(res, 404, 'text/plain; charset=utf-8', 'not found');
        send(res, 200, 'text/javascript; charset=utf-8', text);
      },
    },
    {
      method: 'GET',
      path: /^\/_wayfinder\/console\/config\.json$/,
      handle(req: IncomingMessage, res: ServerResponse) {
        // No sign-in on loopback: a page on this machine gets the first configured key (test/test on
        // a loopback bind). From another address the user pastes a key; the server never hands one out.
        const local = isLoopbackAddress(req.socket.remoteAddress ?? '');
        const key = local ? config.credentials[0] : undefined;
        sendJson(res, 200, {
          region: config.region,
          accountId: config.accountId,
          credentials: key ? { accessKeyId: key.accessKeyId, secretAccessKey: key.secretAccessKey } : null,
        });
      },
    },
    { method: 'GET', path: /^\/_wayfinder\/console\/events$/, handle: (req, res) => stream.open(req, res) },
    {
      method: 'GET',
      // API ids are lower-case letters and digits (AWS: 10 of them).
      path: /^\/_wayfinder\/console\/requests\/([a-z0-9]{1,64})$/,
      handle(req, res, m) {
        if (!requestStream) return sendJson(res, 404, { message: 'The gateway is not part of this Wayfinder.' });
        requestStream.open(req, res, m[1]!);
      },
    },
  ];
  return {
    routes,
    close: () => {
      stream.close();
      requestStream?.close();
    },
  };
}
