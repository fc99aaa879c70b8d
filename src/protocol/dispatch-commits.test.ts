// The dispatcher's side of group commit (DispatcherOptions.commits, src/store/wal-barrier.ts): a handler
// runs inside deferSync, and no answer leaves before durable() settles; a failed sync is never acknowledged.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createLogger } from '../kernel/log.js';
import { ProtocolDispatcher, type ControlRequest, type GroupCommit } from './dispatch.js';
import type { AnyHandlerTable } from './handlers.js';
import { ServiceRegistry } from './services.js';
import { SigV4Verifier } from './sigv4.js';

function dispatcher(commits: GroupCommit, seen: { inside: boolean[] }, depth: { n: number }): ProtocolDispatcher {
  const logs = {
    DescribeLogGroups: () => {
      seen.inside.push(depth.n > 0);
      return { logGroups: [] };
    },
  } as unknown as AnyHandlerTable;
  return new ProtocolDispatcher({
    registry: new ServiceRegistry(),
    handlers: { logs },
    verifier: new SigV4Verifier({ credentials: [], unknownKeys: 'accept', defaultAccountId: '000000000000' }),
    auth: 'off',
    defaultRegion: 'us-east-1',
    defaultAccountId: '000000000000',
    logger: createLogger('silent'),
    commits,
  });
}

const call: ControlRequest = {
  method: 'POST',
  url: '/',
  headers: { host: 'localhost', 'x-amz-target': 'Logs_20140328.DescribeLogGroups', 'content-type': 'application/x-amz-json-1.1' },
  readBody: async () => Buffer.from('{}'),
};

test('the handler runs inside deferSync and the answer waits for durable()', async () => {
  const depth = { n: 0 };
  const seen = { inside: [] as boolean[] };
  let release!: () => void;
  const commits: GroupCommit = {
    deferSync(fn) {
      depth.n++;
      try {
        return fn();
      } finally {
        depth.n--;
      }
    },
    durable: () => new Promise<void>((r) => (release = r)),
  };
  let answered = false;
  const answer = dispatcher(commits, seen, depth)
    .answer(call)
    .then((a) => {
      answered = true;
      return a;
    });
  await new Promise((r) => setImmediate(r));
  assert.deepEqual(seen.inside, [true], 'the handler ran, inside deferSync');
  assert.equal(answered, false, 'no answer before the barrier');
  release();
  const { response } = await answer;
  assert.equal(response.status, 200);
});

test('a barrier that fails turns the answer into a 500 in the protocol shape, never an acknowledgement', async () => {
  const depth = { n: 0 };
  const seen = { inside: [] as boolean[] };
  const commits: GroupCommit = { deferSync: (fn) => fn(), durable: () => Promise.reject(new Error('EIO: fdatasync failed')) };
  const { response } = await dispatcher(commits, seen, depth).answer(call);
  assert.equal(seen.inside.length, 1);
  assert.equal(response.status, 500);
  const body = JSON.parse(String(response.body)) as { __type?: string };
  assert.ok(body.__type, `a JSON error with its type: ${String(response.body)}`);
});
