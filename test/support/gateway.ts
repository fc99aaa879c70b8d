// Test support for the API Gateway data plane: real HTTP backends on loopback that echo what they
// received, and a client that invokes an API by its execute-api Host (Node's dns.lookup does not
// resolve *.localhost, so the connection goes to 127.0.0.1 with the Host header set).
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Received {
  method: string;
  url: string;
  /** Raw header pairs as the backend received them. */
  rawHeaders: string[];
  headers: IncomingMessage['headers'];
  body: Buffer;
}

export interface Backend {
  port: number;
  url: string;
  received: Received[];
  close(): Promise<void>;
}

/**
 * A loopback backend. Default handler: 200 JSON `{name, method, url, headers, body}` echoing the
 * request; pass `handle` for anything else (it gets the buffered body).
 */
export async function startBackend(name: string, handle?: (req: IncomingMessage, res: ServerResponse, body: Buffer) => void): Promise<Backend> {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      received.push({ method: req.method ?? '', url: req.url ?? '', rawHeaders: req.rawHeaders, headers: req.headers, body });
      if (handle) return handle(req, res, body);
      const out = JSON.stringify({ name, method: req.method, url: req.url, headers: req.headers, body: body.toString('utf8') });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(out) });
      res.end(out);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    port,
    url: `http://127.0.0.1:${port}`,
    received,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

export interface Answer {
  status: number;
  headers: IncomingMessage['headers'];
  rawHeaders: string[];
  body: Buffer;
  text: string;
  json<T = Record<string, unknown>>(): T;
}

export interface InvokeOptions {
  method?: string;
  path?: string;
  headers?: Record<string, string | string[]>;
  body?: string | Buffer;
  /** Host header; default `{apiId}.execute-api.localhost:{port}`. */
  host?: string;
  /** Client-side give-up time (default 20 s). */
  timeoutMs?: number;
}

/** One request to the edge port, returning the whole answer. */
export function send(port: number, opts: InvokeOptions & { host: string }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, method: opts.method ?? 'GET', path: opts.path ?? '/', headers: { host: opts.host, ...(opts.headers ?? {}) }, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const body = Buffer.concat(chunks);
          const text = body.toString('utf8');
          resolve({ status: res.statusCode ?? 0, headers: res.headers, rawHeaders: res.rawHeaders, body, text, json: () => JSON.parse(text) });
        });
        res.on('error', reject);
      },
    );
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.setTimeout(opts.timeoutMs ?? 20_000, () => req.destroy(new Error('request timed out')));
    req.end(opts.body);
  });
}

export function invoke(server: { port: number }, apiId: string, opts: InvokeOptions = {}): Promise<Answer> {
  return send(server.port, { ...opts, host: opts.host ?? `${apiId}.execute-api.localhost:${server.port}` });
}

/** Polls `fn` until it returns a truthy value (bounded: 100 tries, 50 ms apart). */
export async function eventually<T>(fn: () => Promise<T | undefined | false> | T | undefined | false, what = 'condition'): Promise<T> {
  for (let i = 0; i < 100; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`timed out waiting for ${what}`);
}

/** A token from the built-in OIDC issuer (POST /_wayfinder/oidc/token), with these claims. */
export async function mintToken(server: { port: number }, claims: Record<string, unknown>): Promise<string> {
  const r = await send(server.port, {
    host: `127.0.0.1:${server.port}`,
    method: 'POST',
    path: '/_wayfinder/oidc/token',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(claims),
  });
  if (r.status !== 200) throw new Error(`minting a token answered ${r.status}: ${r.text}`);
  return r.json<{ access_token: string }>().access_token;
}
