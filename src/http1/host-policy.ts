// Who may talk to the control plane (SECURITY.md). Anyone who can call it can start processes on
// the host (ECS tasks), and a web page can reach a loopback port too: through DNS rebinding (its own
// name resolving to 127.0.0.1, so the browser sends `Host: evil.example`) or through a cross-site
// request (`Origin: https://evil.example`). So the control plane answers only
//   - when the Host is a name Wayfinder is served on (loopback names and addresses, the bound
//     address, `--hostname` names): a rebinding page's Host is its own name, never one of these;
//   - when there is no Origin (CLIs, SDKs) or the Origin is a loopback origin or a `--cors-origins`
//     entry: a foreign page's browser always says where it comes from.
// The same names are reserved: no custom domain may take one, so no API can capture AWS traffic.
import { isIP } from 'node:net';
import { networkInterfaces } from 'node:os';

export interface HostPolicyOptions {
  /** The address the edge listens on (`--host`). */
  bindHost: string;
  /** Extra names the control plane is served on (`--hostname`, repeatable). */
  hostnames: readonly string[];
  /** Extra origins allowed to call the control plane from a browser (`--cors-origins`). */
  corsOrigins: readonly string[];
}

/** Where a request goes by its Host: an API's own host, or the control plane's. */
export type HostKind = 'api' | 'served' | 'foreign';

const EXECUTE_API = /^[a-z0-9]{10}\.execute-api\.(.+)$/;
/** AWS's own execute-api suffixes: a page cannot rebind amazonaws.com, so these are safe to serve. */
const AWS_SUFFIX = /^(?:[a-z0-9-]+\.)*amazonaws\.com(?:\.cn)?$/;
const WILDCARD_BINDS = new Set(['0.0.0.0', '::', '[::]']);
/**
 * Container runtimes' names for the host, and the gateway of Wayfinder's Docker task network (the
 * address the ECS agent serves task credentials on): containers reach Wayfinder through them. An address
 * is no rebinding risk (a rebinding page's Host is its own name); the Origin rule still applies.
 */
const CONTAINER_HOST_NAMES = ['host.docker.internal', 'host.containers.internal', 'gateway.docker.internal', '169.254.170.2'];

export function isLoopbackAddress(ip: string): boolean {
  const a = ip.startsWith('[') ? ip.slice(1, -1) : ip;
  if (a === '::1') return true;
  const v4 = a.startsWith('::ffff:') ? a.slice(7) : a;
  // Browsers write an IPv4-mapped address in hex (`[::ffff:127.0.0.1]` becomes `[::ffff:7f00:1]`).
  if (a.startsWith('::ffff:7f') && /^::ffff:7f[0-9a-f]{2}:[0-9a-f]{1,4}$/.test(a)) return true;
  return isIP(v4) === 4 && v4.startsWith('127.');
}

/** localhost and every name under it: browsers and resolvers keep them on loopback (RFC 6761 §6.3). */
export function isLocalhostName(name: string): boolean {
  return name === 'localhost' || name.endsWith('.localhost');
}

function unbracket(name: string): string {
  return name.startsWith('[') && name.endsWith(']') ? name.slice(1, -1) : name;
}

export class HostPolicy {
  private readonly names: Set<string>;
  private readonly origins: Set<string>;
  private readonly bindAll: boolean;
  private localAddresses: Set<string> | undefined;

  constructor(opts: HostPolicyOptions) {
    const bind = unbracket(opts.bindHost.toLowerCase());
    this.bindAll = WILDCARD_BINDS.has(bind);
    this.names = new Set([...opts.hostnames.map((h) => unbracket(h.toLowerCase())), ...CONTAINER_HOST_NAMES]);
    // A wildcard bind serves its own address too (`http://0.0.0.0:4566` reaches this machine).
    this.names.add(bind);
    this.origins = new Set(opts.corsOrigins.map((o) => o.toLowerCase()));
  }

  /** Whether the control plane answers on this name (a Host header's name: lower-cased, no port). */
  serves(name: string): boolean {
    // The AWS SDKs prefix `data-` to the endpoint's host for Cloud Map DiscoverInstances.
    const n = unbracket(name.startsWith('data-') ? name.slice(5) : name);
    if (isLocalhostName(n) || this.names.has(n)) return true;
    if (!isIP(n)) return false;
    if (isLoopbackAddress(n)) return true;
    return this.bindAll && this.interfaceAddresses().has(n);
  }

  /** Where a request with this Host name goes; custom domains are the caller's to look up. */
  kindOf(name: string): HostKind {
    const api = EXECUTE_API.exec(name);
    if (api) return this.serves(api[1]!) || AWS_SUFFIX.test(api[1]!) ? 'api' : 'foreign';
    return this.serves(name) ? 'served' : 'foreign';
  }

  /** Names a custom domain may not take: every name the control plane answers on, and any address. */
  reserved(name: string): boolean {
    const n = name.toLowerCase();
    return this.serves(n) || isIP(unbracket(n)) !== 0 || EXECUTE_API.test(n);
  }

  /** A browser origin allowed to call the control plane: a loopback page, or one listed. */
  allowsOrigin(origin: string): boolean {
    const o = origin.toLowerCase();
    if (this.origins.has(o)) return true;
    const m = /^https?:\/\/(\[[0-9a-f:.]+\]|[^/:[\]]+)(?::\d{1,5})?$/.exec(o);
    if (!m) return false; // `null` (sandboxed frames, file: pages) and anything malformed
    const host = m[1]!;
    // An API's own pages (`{apiId}.execute-api.localhost`) serve whatever its backends send: a script
    // there must not drive the control plane.
    if (EXECUTE_API.test(host)) return false;
    return isLocalhostName(host) || isLoopbackAddress(host);
  }

  /**
   * The refusal message for a request, or undefined when it may be served. `browser` is what a
   * browser says of a request without an Origin: a GET from an <img>, a link or a GET form carries no
   * Origin, but it does carry `Sec-Fetch-Site: cross-site` (current browsers) or a foreign Referer.
   */
  refusal(hostName: string | undefined, origin: string | undefined, browser: { fetchSite?: string; referer?: string } = {}): string | undefined {
    if (hostName !== undefined && !this.serves(hostName)) {
      return `Wayfinder does not answer on the host '${hostName.slice(0, 253)}'. Start it with --hostname ${hostName.slice(0, 253)} to serve that name (DNS-rebinding guard; see SECURITY.md).`;
    }
    if (origin !== undefined) {
      if (this.allowsOrigin(origin)) return undefined;
      return `Requests from the web origin '${origin.slice(0, 300)}' are refused. Start Wayfinder with --cors-origins ${origin.slice(0, 300)} to allow it (cross-site guard; see SECURITY.md).`;
    }
    if (browser.fetchSite === 'cross-site') {
      return 'Cross-site requests from a web page are refused (Sec-Fetch-Site: cross-site; cross-site guard, see SECURITY.md).';
    }
    if (browser.fetchSite === undefined && browser.referer !== undefined) {
      const from = /^(https?:\/\/[^/?#]+)/i.exec(browser.referer)?.[1];
      if (from && !this.allowsOrigin(from)) {
        return `Requests from the web page '${from.slice(0, 300)}' are refused. Start Wayfinder with --cors-origins ${from.slice(0, 300)} to allow it (cross-site guard; see SECURITY.md).`;
      }
    }
    return undefined;
  }

  private interfaceAddresses(): Set<string> {
    if (!this.localAddresses) {
      this.localAddresses = new Set();
      for (const list of Object.values(networkInterfaces())) for (const a of list ?? []) this.localAddresses.add(a.address.toLowerCase());
      // Addresses come and go (a VPN, a new container bridge): look again in a minute.
      setTimeout(() => (this.localAddresses = undefined), 60_000).unref();
    }
    return this.localAddresses;
  }
}

/** Validates a `--cors-origins` entry: scheme://host[:port], nothing else. */
export function isOriginSyntax(origin: string): boolean {
  return /^https?:\/\/(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+)(?::\d{1,5})?$/.test(origin);
}
