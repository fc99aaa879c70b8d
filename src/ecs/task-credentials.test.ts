// The task credentials endpoint over real HTTP: only the grant's id and token together get credentials,
// in the container-credentials JSON shape; browsers get nothing; sessions are reused until they near their
// end; a revoked grant answers nothing.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { silentLogger } from '../kernel/log.js';
import { TestIam } from '../../test/support/test-iam.js';
import { TaskCredentials } from './task-credentials.js';
import type { TaskRecord } from './store.js';

async function serve(creds: TaskCredentials): Promise<{ server: Server; base: string }> {
  const route = creds.route();
  const server = createServer((req, res) => {
    const m = route.path.exec(req.url ?? '');
    if (!m || req.method !== route.method) return void res.writeHead(404).end();
    void route.handle(req, res, m);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

function taskWith(grant: TaskRecord['credentials']): TaskRecord {
  return { accountId: '000000000000', taskId: 'f'.repeat(32), credentials: grant } as TaskRecord;
}

test('the grant’s id and token get the role’s session; anything else gets nothing', async () => {
  let now = Date.parse('2026-01-01T00:00:00Z');
  const iam = new TestIam(() => now);
  const role = iam.addRole('000000000000', 'app');
  const creds = new TaskCredentials(iam, silentLogger, () => now);
  const grant = creds.issue(role.arn);
  assert.match(grant.id, /^[A-Za-z0-9_-]{43}$/);
  assert.notEqual(grant.id, grant.token);
  const task = taskWith(grant);
  const { server, base } = await serve(creds);
  try {
    const url = `${base}/_wayfinder/ecs/credentials/${grant.id}`;
    // Not yet activated: unknown.
    assert.equal((await fetch(url, { headers: { authorization: grant.token } })).status, 400);
    creds.activate(task);
    const ok = await fetch(url, { headers: { authorization: grant.token } });
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as Record<string, string>;
    assert.deepEqual(Object.keys(body).sort(), ['AccessKeyId', 'Expiration', 'RoleArn', 'SecretAccessKey', 'Token']);
    assert.match(body.AccessKeyId!, /^ASIA/);
    assert.equal(body.RoleArn, role.arn);
    assert.equal(body.Expiration, '2026-01-01T01:00:00Z');
    assert.deepEqual(iam.assumed, [{ accountId: '000000000000', roleArn: role.arn, sessionName: 'f'.repeat(32), durationSeconds: 3600 }]);

    // Wrong token, no token, another id: the same refusal.
    for (const headers of [{ authorization: 'x'.repeat(43) }, {}] as Array<Record<string, string>>) {
      const r = await fetch(url, { headers });
      assert.equal(r.status, 400);
      assert.doesNotMatch(await r.text(), /ASIA/);
    }
    assert.equal((await fetch(`${base}/_wayfinder/ecs/credentials/${grant.token}`, { headers: { authorization: grant.token } })).status, 400);
    // A browser's request (even with the right token): refused.
    for (const h of [{ origin: 'http://localhost:3000' }, { 'sec-fetch-site': 'same-origin' }] as Array<Record<string, string>>) {
      const r = await fetch(url, { headers: { authorization: grant.token, ...h } });
      assert.equal(r.status, 403);
    }

    // Reused while more than 15 minutes are left, renewed after.
    now += 40 * 60 * 1000;
    const same = (await (await fetch(url, { headers: { authorization: grant.token } })).json()) as Record<string, string>;
    assert.equal(same.AccessKeyId, body.AccessKeyId);
    now += 10 * 60 * 1000;
    const renewed = (await (await fetch(url, { headers: { authorization: grant.token } })).json()) as Record<string, string>;
    assert.notEqual(renewed.AccessKeyId, body.AccessKeyId);
    assert.equal(renewed.Expiration, '2026-01-01T01:50:00Z');
    assert.equal(iam.assumed.length, 2);

    creds.revoke(task);
    assert.equal((await fetch(url, { headers: { authorization: grant.token } })).status, 400);
  } finally {
    server.close();
  }
});

test('a role IAM cannot assume (deleted since) answers an error, not credentials', async () => {
  const iam = new TestIam();
  const creds = new TaskCredentials(iam, silentLogger);
  const grant = creds.issue('arn:aws:iam::000000000000:role/gone');
  creds.activate(taskWith(grant));
  const { server, base } = await serve(creds);
  try {
    const r = await fetch(`${base}/_wayfinder/ecs/credentials/${grant.id}`, { headers: { authorization: grant.token } });
    assert.equal(r.status, 503);
    assert.match(((await r.json()) as { message: string }).message, /Unable to assume the task role arn:aws:iam::000000000000:role\/gone/);
  } finally {
    server.close();
  }
});
