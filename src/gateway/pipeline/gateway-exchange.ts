// One request through the data plane (not to be confused with src/http1/exchange.ts, the connection's
// side of a request that this object drives): what arrived, what each step decided, and the facts the
// access log and `$context` report. Steps read and fill this object; nothing else is allocated per
// step. The request and its response are one `ServerExchange` (the lean front's, or node:http's
// behind an adapter); headers are read from its flat rawHeaders array only. The GatewayExchange is also
// the listener of the connection's events (drain, client gone, done): no closure per request.
import type { ExchangeEvents, ServerExchange } from '../../http1/exchange.js';
import type { DiscoveryView } from '../../cloudmap/api.js';
import type { Logger } from '../../kernel/log.js';
import type { LogWriter } from '../../logs/writer.js';
import type { UpstreamPools } from '../integrations/pools.js';
import type { JwtVerifier } from '../jwt/verifier.js';
import type { RequestRecorder } from '../recent-requests.js';
import { newRequestId } from '../id-minter.js';
import { getHeader } from './headers.js';
import { hostname } from '../../http1/hostname.js';
import type { RouteMatch, SplitPath } from '../router.js';
import type { CompiledDeployment, CompiledRoute } from '../snapshot.js';
import type { Arrival } from '../stage-selection.js';
import type { ApiRuntime, GatewayView, StageRuntime } from '../view.js';

/** What the data plane's steps use beyond the request itself, shared by every exchange. */
export interface GatewayServices {
  /** The bound edge port (X-Forwarded-Port, apiEndpoint). */
  port(): number;
  /** The same, as text (X-Forwarded-Port on every request). */
  portText(): string;
  logger: Logger;
  view: GatewayView;
  verifier: JwtVerifier;
  logs: LogWriter;
  pools: UpstreamPools;
  /** Cloud Map's in-memory discovery view (undefined until Cloud Map is wired in). */
  discovery: DiscoveryView | undefined;
  /** The console's recent requests per API (records only while a console watches): the main thread's ring, or a worker's batch. */
  recent: RequestRecorder;
}

/** The upstream side of a proxied request, as the GatewayExchange drives it when the client acts. */
export interface UpstreamControl {
  /** The client drained: let response bytes flow again. */
  resume(): void;
  /** The client went away: cancel the upstream request. */
  abort(): void;
}

const NO_HEADERS: string[] = [];

export class GatewayExchange implements ExchangeEvents {
  readonly requestId = newRequestId();
  readonly receivedAt = Date.now();
  readonly t0 = performance.now();
  readonly method: string;
  readonly sourceIp: string;

  api!: ApiRuntime;
  stage: StageRuntime | undefined;
  deployment: CompiledDeployment | undefined;

  /** The Host the client used, without port, lower-cased ($context.domainName; computed when asked). */
  get domainName(): string {
    return hostname(this.arrival.host);
  }
  basePathMatched: string | undefined;
  /** `$context.path`: the path as the client sent it to this API (stage prefix included). */
  contextPath = '/';
  /** The path without the stage (raw, percent-encoded): what routes match and `$default` appends. */
  path = '/';
  /** The raw query string without '?', '' when none. */
  query = '';
  split: SplitPath | undefined;
  /** undefined: not computed yet; null: nothing matched. */
  matched: RouteMatch<CompiledRoute> | null | undefined;
  route: CompiledRoute | undefined;
  claims: Record<string, unknown> | undefined;
  authorizerError: string | undefined;

  // Facts from one scan of the request headers.
  host: string | undefined;
  origin: string | undefined;
  contentLength = -1;
  chunked = false;
  headerBytes = 0;
  userAgent: string | undefined;
  connection: string | undefined;

  // What goes upstream (built by map-params, used by integrate).
  /** Set by map-params before anything reads or edits it (the shared empty list until then: no array per request). */
  upstreamHeaders: string[] = NO_HEADERS;
  /** The client's headers (llhttp-parsed) plus the gateway's own: names are tokens, no CR/LF/NUL. */
  upstreamHeadersChecked = true;
  /** Instead of upstreamHeaders when no mapping edits them: the same headers serialized (map-params.ts). */
  upstreamHeadLines: string | undefined;
  upstreamHost: string | undefined;
  overwritePath: string | undefined;
  upstreamQuery: string | undefined;
  body: Buffer | undefined;
  private queryMap: Map<string, string[]> | undefined;

  // Response facts ($context.status, access log).
  status = 0;
  responseLength = 0;
  integrationStatus = -1;
  integrationLatency = -1;
  integrationError: string | undefined;
  errorMessage: string | undefined;
  errorType: string | undefined;
  /** The gateway answered a CORS preflight itself. */
  preflight = false;
  /** The upstream request in flight (set by the integration while it runs). */
  upstream: UpstreamControl | undefined;
  integrationStartedAt = 0;
  /** The Cloud Map instance the request went to last (the console's recent requests). */
  instanceId: string | undefined;
  /** The client went away; nothing more is written. */
  clientGone = false;
  /** Why Wayfinder could not serve something AWS would (x-wayfinder-error, never on success). */
  unsupported: string | undefined;
  /** Called once when the exchange has closed: the pipeline runner's access log (index.ts). */
  whenClosed: ((x: GatewayExchange) => void) | undefined;

  constructor(
    readonly io: ServerExchange,
    readonly arrival: Arrival,
    readonly services: GatewayServices,
  ) {
    this.method = io.method;
    const url = io.url;
    const q = url.indexOf('?');
    if (q >= 0) this.query = url.slice(q + 1);
    this.sourceIp = io.remoteAddress;
    const raw = io.rawHeaders;
    let bytes = url.length + this.method.length + 12;
    for (let i = 0; i < raw.length; i += 2) {
      const k = raw[i]!;
      const v = raw[i + 1]!;
      bytes += k.length + v.length + 4;
      switch (k.length) {
        case 4:
          if (this.host === undefined && k.toLowerCase() === 'host') this.host = v;
          break;
        case 6:
          if (k.toLowerCase() === 'origin') this.origin = v;
          break;
        case 10: {
          const l = k.toLowerCase();
          if (l === 'user-agent') this.userAgent = v;
          else if (l === 'connection') this.connection = this.connection === undefined ? v : `${this.connection},${v}`;
          break;
        }
        case 14:
          if (k.toLowerCase() === 'content-length') this.contentLength = Number(v);
          break;
        case 17:
          if (k.toLowerCase() === 'transfer-encoding') this.chunked = true;
          break;
      }
    }
    this.headerBytes = bytes;
  }

  /** A request header, case-insensitive; repeated headers joined with ','. */
  header(lowerName: string): string | undefined {
    return getHeader(this.io.rawHeaders, lowerName);
  }

  /** A query parameter (case-sensitive), repeated values joined with ','. */
  queryParam(name: string): string | undefined {
    return this.queryValues().get(name)?.join(',');
  }

  queryValues(): Map<string, string[]> {
    if (!this.queryMap) {
      this.queryMap = new Map();
      if (this.query) {
        for (const [k, v] of new URLSearchParams(this.query)) {
          const l = this.queryMap.get(k);
          if (l) l.push(v);
          else this.queryMap.set(k, [v]);
        }
      }
    }
    return this.queryMap;
  }

  get hasBody(): boolean {
    return this.chunked || this.contentLength > 0;
  }

  // ExchangeEvents: the connection's side.

  drain(): void {
    this.upstream?.resume();
  }

  aborted(): void {
    this.clientGone = true;
    this.upstream?.abort();
  }

  closed(): void {
    this.whenClosed?.(this);
  }
}
