// Who a process-runtime container runs as: every Linux form of ECS's `user`, names resolved against
// the host's accounts, and a server that is not root refusing any identity but its own (it cannot
// switch, and running the task as the server's user instead would be a silent privilege change).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { decideRunAs, type Accounts } from './users.js';

const accounts: Accounts = {
  users: [
    { name: 'root', uid: 0, gid: 0, home: '/root' },
    { name: 'nobody', uid: 65534, gid: 65534, home: '/nonexistent' },
    { name: 'app', uid: 1000, gid: 1000, home: '/home/app' },
  ],
  groups: [
    { name: 'root', gid: 0 },
    { name: 'nogroup', gid: 65534 },
    { name: 'app', gid: 1000 },
    { name: 'web', gid: 33 },
  ],
};
const root = { uid: 0, gid: 0 };
const app = { uid: 1000, gid: 1000 };

test('as root: name, uid, name:group, uid:gid, name:gid and uid:group all resolve', () => {
  const ids = (user: string) => {
    const d = decideRunAs('web', user, root, accounts);
    assert.ok(d.ok && d.as, `${user}: ${JSON.stringify(d)}`);
    return `${d.as.uid}:${d.as.gid}`;
  };
  assert.equal(ids('nobody'), '65534:65534');
  assert.equal(ids('65534'), '65534:65534', 'a uid with a passwd entry takes its primary group');
  assert.equal(ids('nobody:web'), '65534:33');
  assert.equal(ids('4321:8765'), '4321:8765');
  assert.equal(ids('app:33'), '1000:33');
  assert.equal(ids('1000:nogroup'), '1000:65534');
  assert.equal(ids('0'), '0:0', 'root stays possible when asked for');
});

test('as root: a uid without a passwd entry gets the group of its number, never the root group', () => {
  const d = decideRunAs('web', '4321', root, accounts);
  assert.deepEqual(d, { ok: true, as: { uid: 4321, gid: 4321 } });
});

test('as root: the user’s home comes from passwd (the server’s HOME is not theirs)', () => {
  const d = decideRunAs('web', 'nobody', root, accounts);
  assert.ok(d.ok);
  assert.deepEqual(d.as, { uid: 65534, gid: 65534, home: '/nonexistent', name: 'nobody' });
});

test('no user: the server’s own identity, nothing to switch', () => {
  assert.deepEqual(decideRunAs('web', undefined, root, accounts), { ok: true });
  assert.deepEqual(decideRunAs('web', undefined, app, accounts), { ok: true });
});

test('unknown names fail the start in runc’s words; they are not a server limitation', () => {
  assert.deepEqual(decideRunAs('web', 'ghost', root, accounts), {
    ok: false,
    serverCannotSwitch: false,
    reason: 'CannotStartContainerError: unable to find user ghost: no matching entries in passwd file',
  });
  assert.deepEqual(decideRunAs('web', 'nobody:ghosts', root, accounts), {
    ok: false,
    serverCannotSwitch: false,
    reason: 'CannotStartContainerError: unable to find group ghosts: no matching entries in group file',
  });
});

test('malformed users are refused with the forms that work', () => {
  for (const user of ['a:b:c', ':web', 'nobody:', '99999999999']) {
    const d = decideRunAs('web', user, root, accounts);
    assert.ok(!d.ok && !d.serverCannotSwitch && /^CannotStartContainerError: invalid user/.test(d.reason), `${user}: ${JSON.stringify(d)}`);
  }
});

test('not root: another user is refused, never run as the server instead', () => {
  for (const user of ['nobody', '0', 'root', '1000:33', '4321']) {
    const d = decideRunAs('web', user, app, accounts);
    assert.ok(!d.ok && d.serverCannotSwitch, `${user}: ${JSON.stringify(d)}`);
    assert.match(d.reason, /^CannotStartContainerError: container 'web' asks for user '.+' \(\d+:\d+\) but Wayfinder runs as 1000:1000, not root, and cannot switch users/);
  }
});

test('not root: the server’s own user (by name, uid or uid:gid) runs as is', () => {
  for (const user of ['app', '1000', '1000:1000', 'app:app']) assert.deepEqual(decideRunAs('web', user, app, accounts), { ok: true }, user);
});
