// A raw HTTP/1.1 client for tests that need exact bytes on one connection: smuggling attempts,
// pipelining, several kinds of request on one keep-alive connection, slow clients. It writes what it
// is told and splits what comes back into responses (Content-Length, chunked, bodiless statuses).
// Every wait is bounded.
import { connect, type Socket } from 'node:net';

export interface RawResponse {
  status: number;
  /** [name, value] in order, names as sent. */
  headers: [string, string][];
  body: Buffer;
  text: string;
  header(name: string): string | undefined;
}

export class RawClient {
  readonly socket: Socket;
  readonly responses: RawResponse[] = [];
  closed = false;
  /** How many of the next responses answer HEAD requests (no body whatever the headers say). */
  headResponses = 0;
  private buf = Buffer.alloc(0);
  private readonly ready: Promise<void>;
  private waiters: (() => void)[] = [];

  constructor(port: number) {
    this.socket = connect({ host: '127.0.0.1', port });
    this.ready = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('error', () => undefined);
    this.socket.on('data', (d: Buffer) => {
      this.buf = Buffer.concat([this.buf, d]);
      this.parse();
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.parse(); // a body delimited by the connection's end is complete now
      this.wake();
    });
  }

  async write(data: string | Buffer): Promise<void> {
    await this.ready;
    if (!this.socket.destroyed) this.socket.write(data);
  }

  /** Waits until `n` responses arrived (or fails after timeoutMs, or when the connection closes first). */
  async waitResponses(n: number, timeoutMs = 5000): Promise<RawResponse[]> {
    await this.until(() => this.responses.length >= n || this.closed, timeoutMs, `${n} responses`);
    if (this.responses.length < n)
      throw new Error(`connection closed after ${this.responses.length} of ${n} responses; unparsed: ${JSON.stringify(this.buf.toString('latin1').slice(0, 300))}`);
    return this.responses.slice(0, n);
  }

  /** Waits until the server closed the connection. */
  async waitClosed(timeoutMs = 5000): Promise<void> {
    await this.until(() => this.closed, timeoutMs, 'the connection to close');
  }

  /** Bytes received that are not part of a complete response. */
  get rest(): string {
    return this.buf.toString('latin1');
  }

  destroy(): void {
    this.socket.destroy();
  }

  private until(cond: () => boolean, timeoutMs: number, what: string): Promise<void> {
    if (cond()) return Promise.resolve();
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((w) => w !== check);
        reject(new Error(`timed out after ${timeoutMs} ms waiting for ${what}; got ${this.responses.length} responses, closed=${this.closed}`));
      }, timeoutMs);
      const check = () => {
        if (!cond()) return;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((w) => w !== check);
        resolve();
      };
      this.waiters.push(check);
    });
  }

  private wake(): void {
    for (const w of [...this.waiters]) w();
  }

  private parse(): void {
    for (;;) {
      const end = this.buf.indexOf('\r\n\r\n');
      if (end < 0) return;
      const lines = this.buf.subarray(0, end).toString('latin1').split('\r\n');
      const status = Number(lines[0]!.split(' ')[1]);
      const headers: [string, string][] = lines.slice(1).map((l) => {
        const c = l.indexOf(':');
        return [l.slice(0, c), l.slice(c + 1).trim()];
      });
      const get = (n: string) => headers.find(([k]) => k.toLowerCase() === n)?.[1];
      let offset = end + 4;
      let body = Buffer.alloc(0);
      const bodiless = status < 200 || status === 204 || status === 304 || (this.headResponses > 0 && status >= 200);
      if (!bodiless) {
        if (get('transfer-encoding')?.toLowerCase() === 'chunked') {
          const parts: Buffer[] = [];
          for (;;) {
            const le = this.buf.indexOf('\r\n', offset);
            if (le < 0) return;
            const size = parseInt(this.buf.subarray(offset, le).toString('latin1'), 16);
            if (this.buf.length < le + 2 + size + 2) return;
            if (size === 0) {
              const te = this.buf.indexOf('\r\n\r\n', le);
              if (te < 0) return;
              offset = te + 4;
              break;
            }
            parts.push(this.buf.subarray(le + 2, le + 2 + size));
            offset = le + 2 + size + 2;
          }
          body = Buffer.concat(parts);
        } else if (get('content-length') !== undefined) {
          const n = Number(get('content-length'));
          if (this.buf.length < offset + n) return;
          body = this.buf.subarray(offset, offset + n);
          offset += n;
        } else if (!this.closed) {
          return; // delimited by the connection's end
        } else {
          body = this.buf.subarray(offset);
          offset = this.buf.length;
        }
      } else if (status >= 200 && this.headResponses > 0) this.headResponses--;
      this.responses.push({ status, headers, body, text: body.toString('utf8'), header: get });
      this.buf = this.buf.subarray(offset);
    }
  }
}
