#!/usr/bin/env node
// Load for a write operation that cannot replay one request (each call must create something new), so
// wrk's single signed request does not fit: signs COUNT distinct requests first (not timed), then sends
// them over CONC keep-alive connections and prints one JSON line: requests, seconds, req/s, p50/p99 ms.
// Bounded by COUNT and by a 120 s deadline.
//   node signed-writes.mjs <port> create-service <count> <conc> [prefix]
//     ECS CreateService in cluster `bench`, task definition `bench`, desiredCount 0 (no task starts),
//     service names <prefix>-0 … <prefix>-<count-1>.
import http from 'node:http';
import { createServiceRequest } from './create-service-request.mjs';

const [port, op, countArg, concArg, prefix = `s${Date.now()}`] = process.argv.slice(2);
const COUNT = Number(countArg ?? 1000);
const CONC = Number(concArg ?? 10);
const DEADLINE_MS = 120_000;
if (op !== 'create-service') throw new Error(`unknown op ${op}`);

const requests = [];
for (let i = 0; i < COUNT; i++) requests.push(await createServiceRequest(port, `${prefix}-${i}`));

const agent = new http.Agent({ keepAlive: true, maxSockets: CONC });
const send = (r) =>
  new Promise((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/', headers: r.headers, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', reject);
    req.end(r.body);
  });

const latencies = [];
let next = 0;
let failed = 0;
const t0 = performance.now();
await Promise.all(
  Array.from({ length: CONC }, async () => {
    while (next < requests.length && performance.now() - t0 < DEADLINE_MS) {
      const r = requests[next++];
      const s = performance.now();
      const status = await send(r);
      latencies.push(performance.now() - s);
      if (status !== 200) failed++;
    }
  }),
);
const secs = (performance.now() - t0) / 1000;
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p) => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))];
console.log(
  JSON.stringify({
    op,
    requests: latencies.length,
    failed,
    seconds: +secs.toFixed(3),
    rps: +(latencies.length / secs).toFixed(1),
    p50ms: +pct(50).toFixed(2),
    p99ms: +pct(99).toFixed(2),
  }),
);
if (failed) process.exit(1);
