// Step 6 — what goes upstream (docs/aws-behavior.md §3.4, §3.6): the client's headers minus hop-by-hop ones (and
// names listed in Connection), plus X-Forwarded-For/-Proto/-Port, Forwarded and X-Amzn-Trace-Id;
// then the integration's request parameter mapping (headers, query string, path). A mapping that
// reads `$request.body` makes the body buffered (≤ 10 MB) instead of streamed.
import { jsonAt, renderValue, type ValueResolver } from '../mapping.js';
import { newTraceId } from '../id-minter.js';
import { contextVar } from './context-vars.js';
import type { GatewayExchange } from './gateway-exchange.js';
import { applyHeaderOp, isHopByHop } from './headers.js';
import { answer, answerTooLarge } from './reply.js';
import { MAX_PAYLOAD_BYTES } from './limits.js';
import type { BodySink } from '../../http1/exchange.js';

/**
 * Never forwarded: hop-by-hop (headers.ts), Host (set to the integration's), Expect (handled here),
 * and the request-only hop names HTTP2-Settings and Proxy-Authorization.
 */
function neverForwarded(l: string): boolean {
  if (isHopByHop(l)) return true;
  switch (l.length) {
    case 4:
      return l === 'host';
    case 6:
      return l === 'expect';
    case 14:
      return l === 'http2-settings';
    case 19:
      return l === 'proxy-authorization';
  }
  return false;
}

/**
 * Whether a name of this length may need the loop's attention (never forwarded, or x-forwarded-for,
 * forwarded, x-forwarded-proto/-port, x-amzn-trace-id); headers of other lengths are forwarded
 * without lower-casing.
 */
function specialLength(n: number): boolean {
  switch (n) {
    case 2:
    case 4:
    case 6:
    case 7:
    case 8:
    case 9:
    case 10:
    case 14:
    case 15:
    case 16:
    case 17:
    case 18:
    case 19:
      return true;
  }
  return false;
}

function forwardedFor(ip: string): string {
  return ip.includes(':') ? `"[${ip}]"` : ip;
}

/**
 * Per-connection cache of this hop's Forwarded element and, for requests that bring no
 * X-Forwarded-For or Forwarded of their own, of the four lines the gateway adds (keep-alive
 * clients reuse them: the address, the port and, nearly always, the Host stay the same).
 */
type HopCache = { host: string | undefined; port: string; value: string; lines: string | undefined };

function hopCache(x: GatewayExchange): HopCache {
  const memo = x.io.memo;
  const port = x.services.portText();
  const c = memo.forwarded as HopCache | undefined;
  if (c && c.host === x.host && c.port === port) return c;
  const value = `by=${forwardedFor(x.io.localAddress)};for=${forwardedFor(x.sourceIp)};host=${x.host ?? ''};proto=http`;
  const fresh: HopCache = { host: x.host, port, value, lines: undefined };
  memo.forwarded = fresh;
  return fresh;
}

/** What the client sent that the gateway's own forwarding headers extend or replace. */
interface ClientForwarding {
  xff: string | undefined;
  fwd: string | undefined;
  trace: boolean;
}

/**
 * The client's headers that go upstream, pushed to `out` as [name, value, …], in their order: all
 * but the never-forwarded ones, those its Connection header lists, and X-Forwarded-For/-Proto/-Port
 * and Forwarded, which the gateway writes itself (returned, to be extended).
 */
function clientHeaders(x: GatewayExchange, out: string[]): ClientForwarding {
  const raw = x.io.rawHeaders;
  let dropped: Set<string> | undefined;
  if (x.connection) {
    for (const t of x.connection.split(',')) {
      const n = t.trim().toLowerCase();
      if (n && n !== 'close' && n !== 'keep-alive') (dropped ??= new Set()).add(n);
    }
  }
  let xff: string | undefined;
  let fwd: string | undefined;
  let trace = false;
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i]!;
    const v = raw[i + 1]!;
    if (!dropped && !specialLength(k.length)) {
      out.push(k, v);
      continue;
    }
    const l = k.toLowerCase();
    if (neverForwarded(l) || dropped?.has(l)) continue;
    if (l === 'x-forwarded-for') {
      xff = xff === undefined ? v : `${xff}, ${v}`;
      continue;
    }
    if (l === 'forwarded') {
      fwd = fwd === undefined ? v : `${fwd}, ${v}`;
      continue;
    }
    if (l === 'x-forwarded-proto' || l === 'x-forwarded-port') continue;
    if (l === 'x-amzn-trace-id') trace = true;
    out.push(k, v);
  }
  return { xff, fwd, trace };
}

/** The headers that go upstream, as a list a request parameter mapping can edit. */
export function buildForwardHeaders(x: GatewayExchange): string[] {
  const out: string[] = [];
  const { xff, fwd, trace } = clientHeaders(x, out);
  const ip = x.sourceIp;
  const hop = hopCache(x);
  out.push(
    'x-forwarded-for',
    xff === undefined ? ip : `${xff}, ${ip}`,
    'x-forwarded-proto',
    'http',
    'x-forwarded-port',
    hop.port,
    'forwarded',
    fwd === undefined ? hop.value : `${fwd}, ${hop.value}`,
  );
  if (!trace) out.push('x-amzn-trace-id', newTraceId(x.receivedAt));
  return out;
}

/**
 * The same headers as buildForwardHeaders, already serialized (`name: value\r\n` each): for an
 * integration without request parameter mapping, nothing edits them, and the upstream client
 * writes them as they are instead of joining a list (map-params.test.ts checks both agree).
 */
export function forwardHeaderLines(x: GatewayExchange): string {
  const kept: string[] = [];
  const { xff, fwd, trace } = clientHeaders(x, kept);
  let out = '';
  for (let i = 0; i < kept.length; i += 2) out += kept[i]! + ': ' + kept[i + 1]! + '\r\n';
  const hop = hopCache(x);
  if (xff === undefined && fwd === undefined) {
    out += hop.lines ??= `x-forwarded-for: ${x.sourceIp}\r\nx-forwarded-proto: http\r\nx-forwarded-port: ${hop.port}\r\nforwarded: ${hop.value}\r\n`;
  } else {
    const ip = x.sourceIp;
    out += `x-forwarded-for: ${xff === undefined ? ip : `${xff}, ${ip}`}\r\nx-forwarded-proto: http\r\nx-forwarded-port: ${hop.port}\r\nforwarded: ${fwd === undefined ? hop.value : `${fwd}, ${hop.value}`}\r\n`;
  }
  if (!trace) out += 'x-amzn-trace-id: ' + newTraceId(x.receivedAt) + '\r\n';
  return out;
}

function resolver(x: GatewayExchange): ValueResolver {
  let doc: unknown;
  let parsed = false;
  return {
    header: (n) => x.header(n),
    query: (n) => x.queryParam(n),
    body: (p) => {
      if (!parsed) {
        parsed = true;
        try {
          doc = x.body?.length ? JSON.parse(x.body.toString('utf8')) : undefined;
        } catch {
          doc = undefined;
        }
      }
      return jsonAt(doc, p);
    },
    path: () => x.path,
    pathParam: (n) => x.matched?.params[n],
    context: (n) => contextVar(x, n),
    stageVar: (n) => x.stage?.stageVariables[n],
    responseHeader: () => undefined,
    responseBody: () => undefined,
  };
}

function applyRequestOps(x: GatewayExchange): void {
  const ops = x.route!.integration!.requestOps;
  if (!ops.length) return;
  const r = resolver(x);
  let query: Map<string, string[]> | undefined;
  for (const op of ops) {
    const value = op.action === 'remove' ? undefined : renderValue(op.value, r);
    switch (op.target) {
      case 'header':
        applyHeaderOp(x.upstreamHeaders, op.action, op.name, value);
        x.upstreamHeadersChecked = false;
        break;
      case 'querystring': {
        query ??= new Map([...x.queryValues()].map(([k, v]) => [k, [...v]]));
        if (op.action === 'remove') query.delete(op.name);
        else if (value !== undefined) {
          if (op.action === 'overwrite') query.set(op.name, [value]);
          else query.set(op.name, [...(query.get(op.name) ?? []), value]);
        }
        break;
      }
      case 'path':
        if (value !== undefined) x.overwritePath = value.startsWith('/') ? value : `/${value}`;
        break;
      case 'statuscode':
        break;
    }
  }
  if (query) {
    const q = new URLSearchParams();
    for (const [k, vs] of query) for (const v of vs) q.append(k, v);
    x.upstreamQuery = q.toString();
  }
}

class TooLarge extends Error {}

/** Buffers a body a mapping reads (`$request.body.*`), at most 10 MB. */
class BodyBuffer implements BodySink {
  private readonly chunks: Buffer[] = [];
  private size = 0;
  private done = false;

  constructor(
    private readonly resolve: (b: Buffer) => void,
    private readonly reject: (e: Error) => void,
  ) {}

  data(chunk: Buffer): boolean {
    if (this.done) return true;
    this.size += chunk.length;
    if (this.size > MAX_PAYLOAD_BYTES) {
      this.done = true;
      this.reject(new TooLarge());
      return true;
    }
    this.chunks.push(chunk);
    return true;
  }

  end(): void {
    if (this.done) return;
    this.done = true;
    this.resolve(this.chunks.length === 1 ? this.chunks[0]! : Buffer.concat(this.chunks));
  }

  error(err: Error): void {
    if (this.done) return;
    this.done = true;
    this.reject(err);
  }
}

function readBody(x: GatewayExchange): Promise<Buffer> {
  return new Promise((resolve, reject) => x.io.readBody(new BodyBuffer(resolve, reject)));
}

export function mapRequest(x: GatewayExchange): boolean | Promise<boolean> {
  const integ = x.route!.integration!;
  if (!integ.requestOps.length) {
    // Nothing edits them: serialized once, written as they are.
    x.upstreamHeadLines = forwardHeaderLines(x);
    return true;
  }
  x.upstreamHeaders = buildForwardHeaders(x);
  if (integ.readsRequestBody && x.hasBody) {
    return readBody(x).then(
      (body) => {
        x.body = body;
        applyRequestOps(x);
        return true;
      },
      (e: unknown) => (e instanceof TooLarge ? answerTooLarge(x) : answer(x, 400, 'Bad Request')),
    );
  }
  applyRequestOps(x);
  return true;
}
