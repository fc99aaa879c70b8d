// Test support: a real Wayfinder on a loopback port with its own temporary data directory, and
// AWS SDK client settings pointing at it. Tests talk to it only through real clients and real HTTP.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Agent, request as httpRequest } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/protocol/node-sha256.js';

const keepAlive = new Agent({ keepAlive: true, maxSockets: 16 });
const signers = new Map<string, SignatureV4>();
import { silentLogger } from '../../src/kernel/log.js';
import { startWayfinder, type Wayfinder } from '../../src/server/app.js';
import { resolveConfig, type Config } from '../../src/server/config.js';

export interface TestServer extends Wayfinder {
  dataDir: string;
  /** Stops the server and deletes its data directory. */
  destroy(): Promise<void>;
}

/** WAYFINDER_TEST_GATEWAY_WORKERS=2 runs any e2e file's servers with gateway worker threads. */
const TEST_GATEWAY_WORKERS = process.env.WAYFINDER_TEST_GATEWAY_WORKERS ?? '1';

export function testConfig(overrides: Partial<Config> = {}, dataDir = mkdtempSync(join(tmpdir(), 'wayfinder-test-'))): Config {
  return {
    ...resolveConfig(
      { port: '0', dnsPort: '0', dataDir, runtime: 'process', healthDelayMs: '0', operationDelayMs: '0', vpcLinkDelayMs: '0', gatewayWorkers: TEST_GATEWAY_WORKERS },
      {},
    ),
    ...overrides,
  };
}

export async function startTestServer(overrides: Partial<Config> = {}, dataDir?: string): Promise<TestServer> {
  const config = testConfig(overrides, dataDir);
  const wf = await startWayfinder(config, silentLogger);
  return {
    ...wf,
    dataDir: config.dataDir,
    async destroy() {
      // A reset first stops every task and removes this server's containers: tests leave nothing running.
      await wf.reset().catch(() => undefined);
      await wf.close();
      rmSync(config.dataDir, { recursive: true, force: true });
    },
  };
}

/** Constructor options for any @aws-sdk/client-* v3 client. */
export function sdkConfig(server: { port: number }, region = 'us-east-1', secretAccessKey = 'test') {
  return {
    endpoint: `http://127.0.0.1:${server.port}`,
    region,
    credentials: { accessKeyId: 'test', secretAccessKey },
    maxAttempts: 1,
  };
}

/** sdkConfig with another access key: under `--auth on` any secret will do for a key the server does not know. */
export function sdkConfigAs(server: { port: number }, accessKeyId: string, secretAccessKey = 'anything') {
  return { ...sdkConfig(server), credentials: { accessKeyId, secretAccessKey } };
}

/** Sends a raw HTTP request (for malformed-input tests SDKs refuse to produce). Any Host may be set. */
export function rawRequest(
  server: { port: number },
  opts: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer },
): Promise<{ status: number; headers: Headers; text: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port: server.port, method: opts.method ?? 'POST', path: opts.path ?? '/', headers: opts.headers, agent: keepAlive }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const headers = new Headers();
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined) headers.set(k, Array.isArray(v) ? v.join(', ') : v);
        resolve({ status: res.statusCode ?? 0, headers, text: Buffer.concat(chunks).toString('utf8') });
      });
      res.on('error', reject);
    });
    // An early answer (413) may close the connection while the body is still being written.
    req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
    req.end(opts.body);
  });
}

/** Signs an arbitrary request with SigV4 (test/test) the way the SDKs do, then sends it raw. */
export async function signedRequest(
  server: { port: number },
  opts: {
    service: string;
    method?: string;
    path?: string;
    query?: Record<string, string>;
    headers?: Record<string, string>;
    body?: string | Buffer;
    region?: string;
    secret?: string;
    date?: Date;
  },
): Promise<{ status: number; headers: Headers; text: string }> {
  const key = `${opts.service}|${opts.region ?? 'us-east-1'}|${opts.secret ?? 'test'}`;
  let signer = signers.get(key);
  if (!signer) {
    signer = new SignatureV4({
      credentials: { accessKeyId: 'test', secretAccessKey: opts.secret ?? 'test' },
      region: opts.region ?? 'us-east-1',
      service: opts.service,
      sha256: NodeSha256,
    });
    signers.set(key, signer);
  }
  const path = opts.path ?? '/';
  const signed = await signer.sign(
    {
      method: opts.method ?? 'POST',
      protocol: 'http:',
      hostname: '127.0.0.1',
      port: server.port,
      path,
      query: opts.query ?? {},
      headers: { host: `127.0.0.1:${server.port}`, ...(opts.headers ?? {}) },
      body: opts.body,
    },
    { signingDate: opts.date },
  );
  const qs = Object.entries(opts.query ?? {})
    .map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`)
    .join('&');
  const headers = signed.headers as Record<string, string>;
  return rawRequest(server, { method: opts.method ?? 'POST', path: qs ? `${path}?${qs}` : path, headers, body: opts.body });
}
