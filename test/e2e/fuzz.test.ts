// Reliability sweep, part 1: thousands of model-generated requests to every operation of every
// service — valid-ish ones and ones broken in type, length, encoding, presence and syntax, all
// correctly signed so they reach parsing and the handlers. A client mistake must never answer 5xx
// (501 NotImplemented for an operation Wayfinder does not serve is the one honest exception), and the
// server must stay up. Seeds are printed so a failure can be replayed.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel, SERVICE_NAMES } from '../../src/protocol/model.js';
import { fuzzRequest } from '../support/fuzz.js';
import { rawRequest, signedRequest, startTestServer, type TestServer } from '../support/server.js';

const CHAOS = [0, 0.05, 0.2, 0.5, 0.9];
const PER_LEVEL = Number(process.env.WAYFINDER_FUZZ_PER_LEVEL ?? 2);
const CONCURRENCY = 8;
const DEADLINE_MS = 120_000;

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

test('fuzzed requests to every service never get a 5xx other than 501, and the server stays up', async () => {
  const started = Date.now();
  const cases: Array<{ service: (typeof SERVICE_NAMES)[number]; op: string; seed: number; chaos: number }> = [];
  let seed = 1;
  for (const service of SERVICE_NAMES) {
    for (const op of Object.keys(loadModel(service).operations)) {
      for (const chaos of CHAOS) for (let i = 0; i < PER_LEVEL; i++) cases.push({ service, op, seed: seed++, chaos });
    }
  }
  const counts = new Map<string, number>();
  const failures: string[] = [];
  const notImplementedOps = new Set<string>();
  let next = 0;
  let sent = 0;
  const worker = async () => {
    while (next < cases.length && Date.now() - started < DEADLINE_MS) {
      const c = cases[next++]!;
      // An operation that answered 501 once is not served: one more probe per chaos level is enough.
      if (notImplementedOps.has(`${c.service}.${c.op}`) && c.chaos !== 0) continue;
      const req = fuzzRequest(c.service, c.op, c.seed, c.chaos);
      let res;
      try {
        res = await signedRequest(server, { service: req.signingName, method: req.method, path: req.path, query: req.query, headers: req.headers, body: req.body });
      } catch (e) {
        failures.push(`${c.service}.${c.op} seed=${c.seed} chaos=${c.chaos}: transport error ${(e as Error).message}`);
        continue;
      }
      sent++;
      const klass = `${Math.floor(res.status / 100)}xx`;
      counts.set(klass, (counts.get(klass) ?? 0) + 1);
      if (res.status === 501) {
        notImplementedOps.add(`${c.service}.${c.op}`);
        counts.set('501', (counts.get('501') ?? 0) + 1);
      } else if (res.status >= 500) {
        failures.push(`${c.service}.${c.op} seed=${c.seed} chaos=${c.chaos}: ${res.status} ${res.text.slice(0, 200)}`);
      }
    }
  };
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  const health = await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' });
  const summary = `fuzz: ${sent} requests in ${Date.now() - started} ms; ${[...counts].map(([k, v]) => `${k}=${v}`).join(' ')}; ${notImplementedOps.size} operations not implemented; ${failures.length} unexpected 5xx`;
  console.log(summary);
  assert.equal(health.status, 200, 'server alive after the sweep');
  assert.ok(sent > 1000, `only ${sent} requests were sent`);
  assert.deepEqual(failures.slice(0, 20), [], summary);
});
