// The data plane's own CPU per request, without the kernel: a whole Wayfinder configured like the
// benchmark (bench/gateway-server.mjs), fed requests in-process through a fake client socket, its
// upstream connections answered synchronously by fake sockets. What is left is exactly our code:
// the front (llhttp included), the gateway pipeline, the upstream client (llhttp included) and
// Node's stream writes. Not a throughput number: a tool to compare changes and to profile them.
//
//   node bench/gateway-micro.mjs [requests]            # ns per request
//   PROF=out.cpuprofile node bench/gateway-micro.mjs   # plus a CPU profile of the measured loop
//
// Env: MICRO_PORT (18098) for the Wayfinder it starts (it listens, the loop does not use the port).
import { Duplex } from 'node:stream';
import { Server } from 'node:http';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv[2] ?? 200000);
const { ClientPool } = await import('../dist/src/http1/client-pool.js');
const RESPONSE = Buffer.from(
  'HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: 17\r\nDate: Thu, 26 Nov 2026 18:01:52 GMT\r\nConnection: keep-alive\r\nKeep-Alive: timeout=5\r\n\r\nServing flask app',
);

function fakeSocket(onWrite) {
  const s = new Duplex({
    decodeStrings: false,
    read() {},
    write(chunk, _enc, cb) {
      cb();
      onWrite?.(chunk);
    },
  });
  Object.assign(s, { remoteAddress: '127.0.0.1', localAddress: '127.0.0.1', setNoDelay: () => s, setTimeout: () => s });
  return s;
}

// Upstream: every request written is answered at once with the backend's usual 200.
ClientPool.prototype.open = (onRead) => {
  const s = fakeSocket(() => onRead(RESPONSE.length, RESPONSE));
  process.nextTick(() => s.emit('connect'));
  return s;
};

const dir = mkdtempSync(join(tmpdir(), 'wayfinder-micro-'));
Object.assign(process.env, { PORT: process.env.MICRO_PORT ?? '18098', UPSTREAM_PORT: '8082', GW_API_FILE: join(dir, 'api') });
await import('./gateway-server.mjs');
const api = readFileSync(process.env.GW_API_FILE, 'utf8');
const server = process._getActiveHandles().find((h) => h instanceof Server);

let responses = 0;
const client = fakeSocket(() => responses++);
server.emit('connection', client); // the front takes it, as an accepted connection
const REQUEST = Buffer.from(`GET /_aws/execute-api/${api}/%24default/ HTTP/1.1\r\nHost: 127.0.0.1:8098\r\n\r\n`);

for (let i = 0; i < 5000; i++) client.emit('data', REQUEST); // warm-up (JIT)
await new Promise((r) => setTimeout(r, 50));
let session;
if (process.env.PROF) {
  const { Session } = await import('node:inspector');
  session = new Session();
  session.connect();
  await new Promise((r) => session.post('Profiler.enable', () => session.post('Profiler.start', r)));
}
const before = responses;
const t = process.hrtime.bigint();
for (let i = 0; i < N; i++) client.emit('data', REQUEST);
const ns = Number(process.hrtime.bigint() - t) / N;
if (session) {
  const { profile } = await new Promise((r) => session.post('Profiler.stop', (_e, res) => r(res)));
  writeFileSync(process.env.PROF, JSON.stringify(profile));
}
console.log(`${ns.toFixed(0)} ns per request (${responses - before} answers to ${N} requests)`);
rmSync(dir, { recursive: true, force: true });
process.kill(process.pid, 'SIGTERM'); // gateway-server.mjs stops Wayfinder on SIGTERM
