#!/usr/bin/env node
// The driver of bench/ab-create-service.sh: loads two running servers AT THE SAME TIME with ECS CreateService
// (cluster and task definition `bench`, desiredCount 0, a new name per call), CONC connections each, ROUNDS
// rounds of COUNT calls, and reads each server's CPU (every thread's /proc/<pid>/task/*/schedstat run time)
// around each round. Both servers see the same moments of the machine, so the per-round ratio B ÷ A is steady
// where two runs one after the other move ±10 % or more. Bounded by ROUNDS × COUNT calls and a 120 s deadline
// per round. Prints each round's ratio, then the mean CPU per call of each side and the median ratio.
//   node ab-create-service.mjs <portA> <pidA> <portB> <pidB> <rounds> <count> [conc]
import http from 'node:http';
import { readdirSync, readFileSync } from 'node:fs';
import { createServiceRequest } from './create-service-request.mjs';

const [portA, pidA, portB, pidB, roundsArg = '12', countArg = '500', concArg = '10'] = process.argv.slice(2);
const ROUNDS = Number(roundsArg);
const COUNT = Number(countArg);
const CONC = Number(concArg);
const DEADLINE_MS = 120_000;
/** Nanoseconds every thread of the process has run. */
function cpuNs(pid) {
  let total = 0;
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    try {
      total += Number(readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8').split(' ')[0]);
    } catch {
      // the thread ended
    }
  }
  return total;
}

function load(port, agent, requests) {
  let next = 0;
  const t0 = performance.now();
  const send = (r) =>
    new Promise((resolve, reject) => {
      const req = http.request({ host: '127.0.0.1', port: Number(port), method: 'POST', path: '/', headers: r.headers, agent }, (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`${port}: status ${res.statusCode}`))));
      });
      req.setTimeout(DEADLINE_MS, () => req.destroy(new Error(`${port}: no answer in ${DEADLINE_MS} ms`)));
      req.on('error', reject);
      req.end(r.body);
    });
  return Promise.all(
    Array.from({ length: CONC }, async () => {
      while (next < requests.length) {
        if (performance.now() - t0 > DEADLINE_MS) throw new Error(`${port}: round past ${DEADLINE_MS} ms`);
        await send(requests[next++]);
      }
    }),
  );
}

const agentA = new http.Agent({ keepAlive: true, maxSockets: CONC });
const agentB = new http.Agent({ keepAlive: true, maxSockets: CONC });
const median = (xs) => {
  const s = [...xs].sort((p, q) => p - q);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const mean = (xs) => xs.reduce((p, q) => p + q, 0) / xs.length;
const perCallA = [];
const perCallB = [];
const ratios = [];
const prefix = `ab${Date.now()}`;
for (let round = 0; round < ROUNDS; round++) {
  const a = [];
  const b = [];
  for (let i = 0; i < COUNT; i++) {
    a.push(await createServiceRequest(portA, `${prefix}-${round}-${i}`));
    b.push(await createServiceRequest(portB, `${prefix}-${round}-${i}`));
  }
  const a0 = cpuNs(pidA);
  const b0 = cpuNs(pidB);
  await Promise.all([load(portA, agentA, a), load(portB, agentB, b)]);
  const usA = (cpuNs(pidA) - a0) / 1000 / COUNT;
  const usB = (cpuNs(pidB) - b0) / 1000 / COUNT;
  perCallA.push(usA);
  perCallB.push(usB);
  ratios.push(usB / usA);
}
agentA.destroy();
agentB.destroy();
console.log(`B ÷ A per round: ${ratios.map((r) => r.toFixed(3)).join(' ')}`);
console.log(`A ${mean(perCallA).toFixed(1)} µs/call, B ${mean(perCallB).toFixed(1)} µs/call (means); B ÷ A median ${median(ratios).toFixed(3)}`);
