// The role checks of RegisterTaskDefinition and RunTask's overrides: a role of the caller's account must
// exist, another account's is taken as given, a malformed value is refused, always with AWS's
// ClientException "Role is not valid".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { TestIam } from '../../test/support/test-iam.js';
import { checkRole, checkTaskRoles, roleArnOf } from './roles.js';

const ACCOUNT = '000000000000';

function refusal(fn: () => unknown): { code: string; message: string } | undefined {
  try {
    fn();
    return undefined;
  } catch (e) {
    assert.ok(e instanceof AwsError);
    return { code: e.code, message: e.message };
  }
}

test('a role of the caller’s account must exist; a short name stands for it', () => {
  const iam = new TestIam();
  const role = iam.addRole(ACCOUNT, 'app-task');
  assert.equal(checkRole(iam, ACCOUNT, role.arn), role.arn);
  assert.equal(checkRole(iam, ACCOUNT, 'app-task'), role.arn);
  assert.equal(roleArnOf(ACCOUNT, 'app-task'), role.arn);
  const missing = { code: 'ClientException', message: 'Role is not valid' };
  assert.deepEqual(
    refusal(() => checkRole(iam, ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/nope`)),
    missing,
  );
  assert.deepEqual(
    refusal(() => checkRole(iam, ACCOUNT, 'nope')),
    missing,
  );
});

test('a role ARN of another account is accepted unchecked; with a path too', () => {
  const iam = new TestIam();
  assert.equal(checkRole(iam, ACCOUNT, 'arn:aws:iam::111122223333:role/elsewhere'), 'arn:aws:iam::111122223333:role/elsewhere');
  assert.equal(checkRole(iam, ACCOUNT, 'arn:aws:iam::111122223333:role/team/a/elsewhere'), 'arn:aws:iam::111122223333:role/team/a/elsewhere');
});

test('malformed values are refused: not a role, a bad account, a bad name, not an ARN', () => {
  const iam = new TestIam();
  iam.addRole(ACCOUNT, 'ok');
  for (const bad of [
    `arn:aws:iam::${ACCOUNT}:user/ok`,
    'arn:aws:iam::12345:role/ok',
    `arn:aws:s3:::${ACCOUNT}:role/ok`,
    `arn:aws:iam::${ACCOUNT}:role/`,
    `arn:aws:iam::${ACCOUNT}:role/bad name`,
    'not a role',
    `arn:aws:iam::${ACCOUNT}:role/${'x'.repeat(65)}`,
  ]) {
    assert.deepEqual(
      refusal(() => checkRole(iam, ACCOUNT, bad)),
      { code: 'ClientException', message: 'Role is not valid' },
      bad,
    );
  }
});

test('checkTaskRoles checks both roles and ignores absent or empty ones', () => {
  const iam = new TestIam();
  iam.addRole(ACCOUNT, 'exec');
  checkTaskRoles(iam, ACCOUNT, undefined);
  checkTaskRoles(iam, ACCOUNT, { taskRoleArn: '', executionRoleArn: 'exec' });
  assert.equal(refusal(() => checkTaskRoles(iam, ACCOUNT, { executionRoleArn: 'exec', taskRoleArn: 'missing' }))?.message, 'Role is not valid');
});
