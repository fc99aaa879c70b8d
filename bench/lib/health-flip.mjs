#!/usr/bin/env node
// How long a Cloud Map health change takes to reach DNS and the gateway (bench/scale.sh): flips the one
// instance flip-0 of service `flip` (bench/scale-setup.mjs) between UNHEALTHY and HEALTHY with
// UpdateInstanceCustomHealthStatus, FLIPS times, and after each call polls both sides until they show it:
// DNS (`flip.scale.local A` over UDP: flip-0 alone while healthy; both records while it is unhealthy, as
// flip-1 always is and DNS then fails open) and the gateway (route r299 of API `probe`: 503 while
// unhealthy, 200 after). Times are from the moment the call is sent; the server runs
// with --health-delay-ms 0. Bounded: FLIPS flips, 5 s of polling each. Prints one JSON line (medians, max).
//   node health-flip.mjs <endpoint> <dns-port> <api-id> <flip-service-id> [flips=10]
import dgram from 'node:dgram';
import http from 'node:http';
import packet from 'dns-packet';
import * as SD from '@aws-sdk/client-servicediscovery';

const [endpoint, dnsPort, apiId, serviceId, flipsArg] = process.argv.slice(2);
const FLIPS = Number(flipsArg ?? 10);
const sd = new SD.ServiceDiscoveryClient({ endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 });
const port = new URL(endpoint).port;
const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
const sock = dgram.createSocket('udp4');
let waiting;
sock.on('message', (m) => waiting?.(m));
await new Promise((r) => sock.bind(0, '127.0.0.1', r));

function dnsAnswers() {
  return new Promise((resolve) => {
    const id = Math.floor(Math.random() * 65535);
    const t = setTimeout(() => ((waiting = undefined), resolve(-1)), 200);
    waiting = (m) => {
      const p = packet.decode(m);
      if (p.id !== id) return;
      clearTimeout(t);
      waiting = undefined;
      resolve(p.answers.length);
    };
    sock.send(packet.encode({ type: 'query', id, flags: packet.RECURSION_DESIRED, questions: [{ type: 'A', name: 'flip.scale.local' }] }), Number(dnsPort), '127.0.0.1');
  });
}

function gatewayStatus() {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path: `/_aws/execute-api/${apiId}/%24default/probe/r299/x`, agent }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode));
    });
    req.on('error', () => resolve(0));
  });
}

/** Polls probe until it returns true; ms from t0, or NaN after 5 s. */
async function until(t0, probe) {
  while (performance.now() - t0 < 5000) if (await probe()) return performance.now() - t0;
  return Number.NaN;
}

const dns = [];
const gw = [];
const call = [];
for (let i = 0; i < FLIPS; i++) {
  const status = i % 2 === 0 ? 'UNHEALTHY' : 'HEALTHY';
  const t0 = performance.now();
  const sent = sd.send(new SD.UpdateInstanceCustomHealthStatusCommand({ ServiceId: serviceId, InstanceId: 'flip-0', Status: status }));
  const [d, g] = await Promise.all([
    until(t0, async () => {
      const n = await dnsAnswers();
      return n === (status === 'UNHEALTHY' ? 2 : 1);
    }),
    until(t0, async () => ((await gatewayStatus()) === 200) === (status === 'HEALTHY')),
    sent.then(() => call.push(performance.now() - t0)),
  ]);
  dns.push(d);
  gw.push(g);
}
sock.close();
agent.destroy();
sd.destroy();
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return +s[Math.floor(s.length / 2)].toFixed(1);
};
const max = (a) => +Math.max(...a).toFixed(1);
if (process.env.VERBOSE) console.error({ dns, gw, call });
console.log(JSON.stringify({ flips: FLIPS, callMs: med(call), dnsMs: med(dns), dnsMaxMs: max(dns), gatewayMs: med(gw), gatewayMaxMs: max(gw) }));
