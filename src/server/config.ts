// Wayfinder's configuration: the CLI contract (README "Configuration") (flags, and WAYFINDER_* env equivalents),
// resolved once at start-up. Flags win over env, env over defaults.
import { isOriginSyntax } from '../http1/host-policy.js';
import { accountOfKey, type Credential } from '../protocol/sigv4.js';

export type RuntimeChoice = 'auto' | 'process' | 'docker';
export type AuthMode = 'on' | 'strict' | 'off';

export interface Config {
  host: string;
  /** Names besides loopback ones the control plane answers on (`--hostname`, repeatable). */
  hostnames: string[];
  /** Browser origins besides loopback pages allowed to call the control plane. */
  corsOrigins: string[];
  port: number;
  dataDir: string;
  dnsPort: number;
  runtime: RuntimeChoice;
  /** 'on': any key on loopback (secrets Wayfinder knows are verified); 'strict': known keys only; 'off': no check. */
  auth: AuthMode;
  region: string;
  /** The account of keys that name none (--account-id). */
  accountId: string;
  credentials: Credential[];
  logLevel: string;
  /** Delay before a Cloud Map custom health change takes effect (AWS: ~30 s). */
  healthDelayMs: number;
  /** Delay before a Cloud Map operation moves from SUBMITTED to SUCCESS. */
  operationDelayMs: number;
  /** Delay before a VPC link moves from PENDING to AVAILABLE. */
  vpcLinkDelayMs: number;
  /** Account-level HTTP API throttling: steady rate (requests/s) and burst (AWS: 10,000 / 5,000). */
  gatewayRateLimit: number;
  gatewayBurstLimit: number;
  /** Threads that serve execute-api traffic on the edge port (1: the main thread alone; docs/gateway.md "Gateway workers"). */
  gatewayWorkers: number;
  /** How long an ECS task without health checks must run before it counts as healthy (AWS: ~40 s). */
  taskStableMs: number;
  /** Edge port: how long a client may take to send a request head (slowloris guard). */
  headersTimeoutMs: number;
  /**
   * Edge port: the longest one request may take, head and body (node:http's requestTimeout). Registry
   * uploads are exempt: they are cut only after this long without a byte (docs/ecr.md).
   */
  requestTimeoutMs: number;
  /** A graceful stop leaves Docker task containers running for the next start to re-adopt. */
  keepTasks: boolean;
}

/** The public key pair every local AWS tool knows; it acts in --account-id. */
export const BUILT_IN_KEY = { accessKeyId: 'test', secretAccessKey: 'test' } as const;
export const DEFAULT_ACCOUNT_ID = '000000000000';

export class ConfigError extends Error {}

export interface OptionSpec {
  flag: string;
  env: string;
  default: string;
  help: string;
}

/** Every option, in the order `wayfinder up --help` and the README list them. */
export const OPTIONS = {
  port: { flag: '--port', env: 'WAYFINDER_PORT', default: '4566', help: 'edge port: AWS APIs and execute-api traffic' },
  host: { flag: '--host', env: 'WAYFINDER_HOST', default: '127.0.0.1', help: 'address to bind (non-loopback needs your own credentials)' },
  hostnames: {
    flag: '--hostname',
    env: 'WAYFINDER_HOSTNAMES',
    default: '',
    help: 'extra names the control plane answers on, besides localhost and loopback addresses (repeatable, or comma-separated)',
  },
  corsOrigins: {
    flag: '--cors-origins',
    env: 'WAYFINDER_CORS_ORIGINS',
    default: '',
    help: 'browser origins allowed to call the control plane besides loopback pages: https://app.example.com,…',
  },
  dataDir: { flag: '--data-dir', env: 'WAYFINDER_DATA_DIR', default: './.wayfinder', help: 'where state lives (SQLite); survives restarts' },
  dnsPort: { flag: '--dns-port', env: 'WAYFINDER_DNS_PORT', default: '8053', help: 'authoritative DNS for Cloud Map namespaces (UDP+TCP)' },
  runtime: { flag: '--runtime', env: 'WAYFINDER_RUNTIME', default: 'auto', help: 'task runtime: auto | process | docker' },
  auth: {
    flag: '--auth',
    env: 'WAYFINDER_AUTH',
    default: 'on',
    help: 'SigV4: on (any access key; known secrets verified) | strict (known keys only; forced on non-loopback) | off',
  },
  region: { flag: '--region', env: 'WAYFINDER_REGION', default: 'us-east-1', help: 'region for unsigned requests (signed ones use their own)' },
  accountId: {
    flag: '--account-id',
    env: 'WAYFINDER_ACCOUNT_ID',
    default: DEFAULT_ACCOUNT_ID,
    help: 'account of access keys that name none (a key of 12 digits acts in that account)',
  },
  credentials: {
    flag: '--credentials',
    env: 'WAYFINDER_CREDENTIALS',
    default: '',
    help: 'key pairs whose signatures are verified: AKID:SECRET[:ACCOUNT],… (test/test is built in on loopback)',
  },
  logLevel: { flag: '--log-level', env: 'WAYFINDER_LOG_LEVEL', default: 'warn', help: 'log level: error | warn | info | debug' },
  healthDelayMs: {
    flag: '--health-delay-ms',
    env: 'WAYFINDER_HEALTH_DELAY_MS',
    default: '1000',
    help: 'Cloud Map custom-health delay, also the health-check probe interval (AWS: ~30000)',
  },
  operationDelayMs: { flag: '--operation-delay-ms', env: 'WAYFINDER_OPERATION_DELAY_MS', default: '200', help: 'Cloud Map operation SUBMITTED → SUCCESS delay' },
  vpcLinkDelayMs: { flag: '--vpc-link-delay-ms', env: 'WAYFINDER_VPC_LINK_DELAY_MS', default: '1000', help: 'VPC link PENDING → AVAILABLE delay' },
  gatewayRateLimit: { flag: '--gateway-rate-limit', env: 'WAYFINDER_GATEWAY_RATE_LIMIT', default: '10000', help: 'HTTP API account throttling rate, requests/s (AWS: 10000)' },
  gatewayBurstLimit: { flag: '--gateway-burst-limit', env: 'WAYFINDER_GATEWAY_BURST_LIMIT', default: '5000', help: 'HTTP API account throttling burst (AWS: 5000)' },
  gatewayWorkers: {
    flag: '--gateway-workers',
    env: 'WAYFINDER_GATEWAY_WORKERS',
    default: '1',
    help: 'threads serving execute-api traffic behind the one edge port (1–64; more than 1 needs a data dir on disk)',
  },
  taskStableMs: {
    flag: '--task-stable-ms',
    env: 'WAYFINDER_TASK_STABLE_MS',
    default: '3000',
    help: 'ECS: a task without health checks counts healthy after running this long (AWS ~40000)',
  },
  headersTimeoutMs: {
    flag: '--headers-timeout-ms',
    env: 'WAYFINDER_HEADERS_TIMEOUT_MS',
    default: '60000',
    help: 'edge port: time a client has to send a request head, then 408 (slowloris guard)',
  },
  requestTimeoutMs: {
    flag: '--request-timeout-ms',
    env: 'WAYFINDER_REQUEST_TIMEOUT_MS',
    default: '120000',
    help: 'edge port: longest a request may take, then 408 (an ECR registry upload is cut only after this long idle)',
  },
  keepTasks: {
    flag: '--keep-tasks',
    env: 'WAYFINDER_KEEP_TASKS',
    default: 'off',
    help: 'on: a graceful stop leaves tasks running (Docker and process runtime) for the next start on the data dir to re-adopt (off: stops every task)',
  },
} satisfies Record<string, OptionSpec>;

export type OptionName = keyof typeof OPTIONS;

function int(name: string, raw: string, min: number, max: number): number {
  if (!/^\d+$/.test(raw) || Number(raw) < min || Number(raw) > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, got '${raw}'`);
  return Number(raw);
}

function oneOf<T extends string>(name: string, raw: string, values: readonly T[]): T {
  if (!(values as readonly string[]).includes(raw)) throw new ConfigError(`${name} must be one of ${values.join(', ')}, got '${raw}'`);
  return raw as T;
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || host === '[::1]' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(host);
}

/** A comma-separated list, each entry checked. */
function list(name: string, raw: string, valid: (v: string) => boolean, shape: string): string[] {
  const items = raw
    .split(',')
    .map((v) => v.trim())
    .filter(Boolean);
  for (const v of items) if (!valid(v)) throw new ConfigError(`${name} entries look like ${shape}, got '${v.slice(0, 100)}'`);
  return items;
}

const HOSTNAME = /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$|^\[?[0-9a-f:.]+\]?$/i;

const ACCOUNT_ID = /^\d{12}$/;

/** `AKID:SECRET[:ACCOUNT]`: without an account, a key acts where an unknown key would (accountOfKey). */
function parseCredentials(raw: string, defaultAccountId: string): Credential[] {
  if (!raw.trim()) return [];
  return raw.split(',').map((entry) => {
    const parts = entry.trim().split(':');
    const [accessKeyId, secretAccessKey, account] = parts;
    if (parts.length < 2 || parts.length > 3 || !accessKeyId || !secretAccessKey || (parts.length === 3 && !ACCOUNT_ID.test(account ?? ''))) {
      throw new ConfigError(`credentials entries look like AKID:SECRET or AKID:SECRET:ACCOUNT (12 digits), got '${parts[0] ?? ''}:…'`);
    }
    return { accessKeyId, secretAccessKey, accountId: account ?? accountOfKey(accessKeyId, defaultAccountId) };
  });
}

/** Resolves the configuration from parsed flags (by option name) and the environment. */
export function resolveConfig(flags: Partial<Record<OptionName, string>>, env: NodeJS.ProcessEnv = process.env): Config {
  const get = (name: OptionName) => flags[name] ?? env[OPTIONS[name].env] ?? OPTIONS[name].default;
  const accountId = get('accountId');
  if (!ACCOUNT_ID.test(accountId)) throw new ConfigError(`--account-id must be 12 digits, got '${accountId.slice(0, 32)}'`);
  const extra = parseCredentials(get('credentials'), accountId);
  const loopback = isLoopback(get('host'));
  const auth = oneOf('--auth', get('auth'), ['on', 'strict', 'off'] as const);
  const config: Config = {
    host: get('host'),
    hostnames: list('--hostname', get('hostnames'), (v) => HOSTNAME.test(v), 'a DNS name or an address (wayfinder.internal)'),
    corsOrigins: list('--cors-origins', get('corsOrigins'), isOriginSyntax, 'scheme://host[:port] (https://app.example.com)'),
    port: int('--port', get('port'), 0, 65535),
    dataDir: get('dataDir'),
    dnsPort: int('--dns-port', get('dnsPort'), 0, 65535),
    runtime: oneOf('--runtime', get('runtime'), ['auto', 'process', 'docker'] as const),
    // Beyond loopback anyone on the network could call: only keys whose secrets are verified, whatever was asked.
    auth: loopback ? auth : auth === 'on' ? 'strict' : auth,
    region: get('region'),
    accountId,
    // The built-in key is public: it serves loopback binds only, where only this machine can call.
    credentials: loopback ? [{ ...BUILT_IN_KEY, accountId }, ...extra] : extra,
    logLevel: oneOf('--log-level', get('logLevel'), ['silent', 'fatal', 'error', 'warn', 'info', 'debug', 'trace'] as const),
    healthDelayMs: int('--health-delay-ms', get('healthDelayMs'), 0, 600_000),
    operationDelayMs: int('--operation-delay-ms', get('operationDelayMs'), 0, 600_000),
    vpcLinkDelayMs: int('--vpc-link-delay-ms', get('vpcLinkDelayMs'), 0, 600_000),
    gatewayRateLimit: int('--gateway-rate-limit', get('gatewayRateLimit'), 0, 100_000_000),
    gatewayBurstLimit: int('--gateway-burst-limit', get('gatewayBurstLimit'), 0, 100_000_000),
    gatewayWorkers: int('--gateway-workers', get('gatewayWorkers'), 1, 64),
    taskStableMs: int('--task-stable-ms', get('taskStableMs'), 0, 600_000),
    headersTimeoutMs: int('--headers-timeout-ms', get('headersTimeoutMs'), 100, 120_000),
    requestTimeoutMs: int('--request-timeout-ms', get('requestTimeoutMs'), 1000, 3_600_000),
    keepTasks: oneOf('--keep-tasks', get('keepTasks'), ['on', 'off'] as const) === 'on',
  };
  if (config.gatewayWorkers > 1 && config.dataDir === ':memory:') {
    // Workers read the state through their own SQLite connection to the data dir's file.
    throw new ConfigError('--gateway-workers above 1 needs a data dir on disk, not :memory:');
  }
  if (!isLoopback(config.host) && (config.auth === 'off' || extra.length === 0)) {
    throw new ConfigError(
      `refusing to listen on ${config.host}: only loopback addresses may be used with ${config.auth === 'off' ? '--auth off' : 'the built-in test/test key'}. ` +
        'Add your own key pair with --credentials AKID:SECRET (and keep --auth on) to listen on other addresses.',
    );
  }
  return config;
}
