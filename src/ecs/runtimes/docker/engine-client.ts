// A small Docker Engine API client on node:http: the local unix socket by default, DOCKER_HOST
// honoured (unix:///path or tcp://host:port, plain HTTP). No dependency; only the calls the docker
// runtime makes. Every request has a deadline unless it is a deliberate long poll.
import { Agent, request, type IncomingMessage } from 'node:http';

export class EngineError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export interface EngineTarget {
  socketPath?: string;
  host?: string;
  port?: number;
}

export function engineTargetFromEnv(env: NodeJS.ProcessEnv = process.env): EngineTarget {
  const raw = env.DOCKER_HOST?.trim();
  if (!raw) return { socketPath: '/var/run/docker.sock' };
  if (raw.startsWith('unix://')) return { socketPath: raw.slice('unix://'.length) };
  const m = /^(?:tcp|http):\/\/([^:/]+)(?::(\d+))?\/?$/.exec(raw);
  if (m) return { host: m[1], port: Number(m[2] ?? 2375) };
  throw new Error(`DOCKER_HOST '${raw}' is not supported (use unix:///path or tcp://host:port)`);
}

export function describeTarget(t: EngineTarget): string {
  return t.socketPath ? `unix://${t.socketPath}` : `tcp://${t.host}:${t.port}`;
}

export class DockerEngine {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 64 });

  constructor(readonly target: EngineTarget = engineTargetFromEnv()) {}

  /** Sends a request; resolves with the raw response (the caller consumes the body). */
  raw(method: string, path: string, body?: unknown, timeoutMs?: number, extraHeaders: Record<string, string> = {}): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
      const req = request(
        {
          ...this.target,
          agent: this.agent,
          method,
          path,
          headers: { host: 'docker', ...extraHeaders, ...(payload ? { 'content-type': 'application/json', 'content-length': payload.length } : {}) },
        },
        resolve,
      );
      req.on('error', reject);
      if (timeoutMs !== undefined) {
        req.setTimeout(timeoutMs, () => req.destroy(new Error(`docker engine did not answer ${method} ${path.split('?')[0]} within ${timeoutMs} ms`)));
      }
      req.end(payload);
    });
  }

  /** A JSON call: resolves with the parsed body, throws EngineError for status ≥ 400. */
  async call<T = unknown>(method: string, path: string, body?: unknown, timeoutMs = 30_000): Promise<{ status: number; body: T }> {
    const res = await this.raw(method, path, body, timeoutMs);
    const text = await readAll(res, timeoutMs);
    if ((res.statusCode ?? 0) >= 400) {
      let message = text.trim();
      try {
        message = (JSON.parse(text) as { message?: string }).message ?? message;
      } catch {
        /* not JSON */
      }
      throw new EngineError(res.statusCode ?? 0, message || `HTTP ${res.statusCode}`);
    }
    let parsed: unknown;
    if (text) {
      try {
        parsed = JSON.parse(text);
      } catch {
        parsed = text;
      }
    }
    return { status: res.statusCode ?? 0, body: parsed as T };
  }

  /** True when an engine answers /_ping within timeoutMs. */
  async ping(timeoutMs = 1500): Promise<boolean> {
    try {
      const { status } = await this.call('GET', '/_ping', undefined, timeoutMs);
      return status === 200;
    } catch {
      return false;
    }
  }

  close(): void {
    this.agent.destroy();
  }
}

export function readAll(res: IncomingMessage, timeoutMs?: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const timer = timeoutMs === undefined ? undefined : setTimeout(() => res.destroy(new Error('docker engine response timed out')), timeoutMs);
    res.on('data', (c: Buffer) => chunks.push(c));
    res.on('end', () => {
      if (timer) clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString('utf8'));
    });
    res.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
  });
}

/**
 * Demultiplexes Docker's stdout/stderr stream framing (non-TTY containers): 8-byte headers
 * [stream, 0, 0, 0, size (u32 BE)] followed by `size` bytes.
 */
export class FrameDemuxer {
  private buf: Buffer = Buffer.alloc(0);

  constructor(private readonly emit: (stream: 'stdout' | 'stderr', chunk: Buffer) => void) {}

  write(chunk: Buffer): void {
    this.buf = this.buf.length ? Buffer.concat([this.buf, chunk]) : chunk;
    while (this.buf.length >= 8) {
      const size = this.buf.readUInt32BE(4);
      if (this.buf.length < 8 + size) break;
      const kind = this.buf[0];
      const payload = this.buf.subarray(8, 8 + size);
      this.buf = this.buf.subarray(8 + size);
      if (kind === 1 || kind === 2) this.emit(kind === 2 ? 'stderr' : 'stdout', payload);
    }
  }
}
