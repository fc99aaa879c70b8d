// The IAM and STS handler tables, called as the protocol layer calls them (input already parsed and
// checked against the model), over a real in-memory store.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAwsError } from '../kernel/errors.js';
import { silentLogger } from '../kernel/log.js';
import { LocalIssuer } from '../gateway/jwt/local-issuer.js';
import { GatewayStore, gatewayMigrations } from '../gateway/store.js';
import type { AnyHandlerTable, RequestContext } from '../protocol/handlers.js';
import { Store } from '../store/store.js';
import { createIam } from './index.js';
import { iamMigrations } from './store.js';

const ACCOUNT = '000000000000';
const OTHER = '111111111111';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const LOGS = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'logs:*', Resource: '*' }] });
const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

function world() {
  const store = Store.open(':memory:', [...iamMigrations, ...gatewayMigrations], silentLogger);
  const product = createIam({ store, logger: silentLogger });
  const table = (service: string) => product.services.find((s) => s.service === service)!.table;
  const call =
    (service: 'iam' | 'sts') =>
    async (operation: string, input: object = {}, who: Partial<RequestContext> = {}) => {
      const handler = (table(service) as AnyHandlerTable)[operation];
      assert.equal(typeof handler, 'function', `${service}:${operation} is served`);
      const ctx: RequestContext = { requestId: 'r', region: 'us-east-1', accountId: ACCOUNT, accessKeyId: 'test', service, operation, headers: {}, receivedAt: Date.now(), ...who };
      // biome-ignore lint/suspicious/noExplicitAny: the handlers' outputs are read member by member, as the wire would show them
      return (await (handler as (i: object, c: RequestContext) => unknown)(input, ctx)) as Record<string, any>;
    };
  return { store, product, api: product.api, iam: call('iam'), sts: call('sts') };
}

async function rejects(p: Promise<unknown>, code: string, message?: RegExp | string): Promise<void> {
  try {
    await p;
  } catch (e) {
    assert.ok(isAwsError(e), String(e));
    assert.equal(e.code, code, e.message);
    if (typeof message === 'string') assert.equal(e.message, message);
    else if (message) assert.match(e.message, message);
    return;
  }
  assert.fail(`expected ${code}`);
}

test('CreateRole answers the role with an AROA id, its ARN with the path, and the trust policy URL-encoded', async () => {
  const { iam } = world();
  const { Role } = await iam('CreateRole', { RoleName: 'exec', Path: '/ecs/', AssumeRolePolicyDocument: TRUST, Description: 'd', Tags: [{ Key: 'team', Value: 'a' }] });
  assert.match(Role.RoleId, /^AROA[A-Z2-7]{17}$/);
  assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/ecs/exec`);
  assert.equal(Role.AssumeRolePolicyDocument, encodeURIComponent(TRUST));
  assert.equal(Role.MaxSessionDuration, 3600);
  assert.deepEqual(Role.Tags, [{ Key: 'team', Value: 'a' }]);
  assert.ok(Role.CreateDate instanceof Date);
  const got = (await iam('GetRole', { RoleName: 'EXEC' })).Role;
  assert.equal(got.RoleName, 'exec', 'names are matched without regard to case');
  assert.equal(got.Description, 'd');
  await rejects(iam('CreateRole', { RoleName: 'Exec', AssumeRolePolicyDocument: TRUST }), 'EntityAlreadyExists', 'Role with name Exec already exists.');
  await rejects(iam('GetRole', { RoleName: 'nope' }), 'NoSuchEntity', 'The role with name nope cannot be found.');
});

test('CreateRole checks the name, the path, the trust policy and its size', async () => {
  const { iam } = world();
  await rejects(iam('CreateRole', { RoleName: 'a b', AssumeRolePolicyDocument: TRUST }), 'ValidationError', /roleName/);
  await rejects(iam('CreateRole', { RoleName: 'r', Path: 'ecs', AssumeRolePolicyDocument: TRUST }), 'ValidationError', /path/);
  await rejects(iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: LOGS }), 'MalformedPolicyDocument', 'Has prohibited field Resource');
  const big = JSON.stringify({
    Version: '2012-10-17',
    Statement: Array.from({ length: 40 }, (_, i) => ({ Sid: `s${i}`, Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' })),
  });
  await rejects(iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: big }), 'LimitExceeded', 'Cannot exceed quota for ACLSizePerRole: 2048');
  await rejects(iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, Tags: [{ Key: 'aws:x', Value: '1' }] }), 'InvalidInput');
  const trusting = (arn: string) => JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: [arn] }, Action: 'sts:AssumeRole' } });
  const ghost = `arn:aws:iam::${ACCOUNT}:role/ghost`;
  await rejects(iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: trusting(ghost) }), 'MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${ghost}"`);
  await iam('CreateRole', { RoleName: 'trusts-other-account', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${OTHER}:role/anything`) });
  await iam('CreateRole', { RoleName: 'ghost', Path: '/p/', AssumeRolePolicyDocument: TRUST });
  await iam('CreateRole', { RoleName: 'trusts-ghost', AssumeRolePolicyDocument: trusting(`arn:aws:iam::${ACCOUNT}:role/p/ghost`) });
  await iam('DeleteRole', { RoleName: 'trusts-ghost' });
  await iam('DeleteRole', { RoleName: 'ghost' });
  await iam('DeleteRole', { RoleName: 'trusts-other-account' });
  await rejects(iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST, PermissionsBoundary: `arn:aws:iam::${ACCOUNT}:policy/none` }), 'NoSuchEntity');
  assert.deepEqual((await iam('ListRoles')).Roles, []);
});

test('ListRoles pages with Marker/MaxItems and filters by PathPrefix', async () => {
  const { iam } = world();
  for (const n of ['c', 'a', 'b', 'd']) await iam('CreateRole', { RoleName: n, Path: n === 'd' ? '/svc/' : '/', AssumeRolePolicyDocument: TRUST });
  const first = await iam('ListRoles', { MaxItems: 3 });
  assert.deepEqual(
    first.Roles.map((r: { RoleName: string }) => r.RoleName),
    ['a', 'b', 'c'],
  );
  assert.equal(first.IsTruncated, true);
  assert.equal(first.Roles[0].Tags, undefined, 'ListRoles leaves tags out');
  const second = await iam('ListRoles', { MaxItems: 3, Marker: first.Marker });
  assert.deepEqual(
    second.Roles.map((r: { RoleName: string }) => r.RoleName),
    ['d'],
  );
  assert.equal(second.IsTruncated, false);
  assert.equal(second.Marker, undefined);
  assert.deepEqual(
    (await iam('ListRoles', { PathPrefix: '/svc/' })).Roles.map((r: { RoleName: string }) => r.RoleName),
    ['d'],
  );
  await rejects(iam('ListRoles', { Marker: 'garbage' }), 'ValidationError');
});

test('role updates, tags and the delete conflicts', async () => {
  const { iam } = world();
  await iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
  await iam('UpdateRole', { RoleName: 'r', MaxSessionDuration: 7200, Description: 'x' });
  assert.equal((await iam('GetRole', { RoleName: 'r' })).Role.MaxSessionDuration, 7200);
  assert.equal((await iam('UpdateRoleDescription', { RoleName: 'r', Description: 'y' })).Role.Description, 'y');
  const trust2 = JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: `arn:aws:iam::${OTHER}:root` }, Action: 'sts:AssumeRole' } });
  await iam('UpdateAssumeRolePolicy', { RoleName: 'r', PolicyDocument: trust2 });
  assert.equal(decodeURIComponent((await iam('GetRole', { RoleName: 'r' })).Role.AssumeRolePolicyDocument), trust2);
  await iam('TagRole', {
    RoleName: 'r',
    Tags: [
      { Key: 'A', Value: '1' },
      { Key: 'b', Value: '2' },
    ],
  });
  await iam('TagRole', { RoleName: 'r', Tags: [{ Key: 'a', Value: '3' }] });
  await iam('UntagRole', { RoleName: 'r', TagKeys: ['B'] });
  assert.deepEqual((await iam('ListRoleTags', { RoleName: 'r' })).Tags, [{ Key: 'a', Value: '3' }]);

  await iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'logs', PolicyDocument: LOGS });
  await rejects(iam('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', 'Cannot delete entity, must delete policies first.');
  await iam('DeleteRolePolicy', { RoleName: 'r', PolicyName: 'LOGS' });
  await iam('AttachRolePolicy', { RoleName: 'r', PolicyArn: EXEC_POLICY });
  await rejects(iam('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', 'Cannot delete entity, must detach all policies first.');
  await iam('DetachRolePolicy', { RoleName: 'r', PolicyArn: EXEC_POLICY });
  await iam('CreateInstanceProfile', { InstanceProfileName: 'p' });
  await iam('AddRoleToInstanceProfile', { InstanceProfileName: 'p', RoleName: 'r' });
  await rejects(iam('DeleteRole', { RoleName: 'r' }), 'DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
  await iam('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'p', RoleName: 'r' });
  await iam('DeleteRole', { RoleName: 'r' });
  await rejects(iam('GetRole', { RoleName: 'r' }), 'NoSuchEntity');
});

test('inline policies: put replaces, the 10,240 quota counts all of a role’s inline policies', async () => {
  const { iam } = world();
  await iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
  await rejects(iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: TRUST }), 'MalformedPolicyDocument', 'Policy document should not specify a principal.');
  await iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: LOGS });
  await iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'p', PolicyDocument: LOGS.replace('logs:*', 'ecs:*') });
  const got = await iam('GetRolePolicy', { RoleName: 'r', PolicyName: 'p' });
  assert.equal(decodeURIComponent(got.PolicyDocument), LOGS.replace('logs:*', 'ecs:*'));
  assert.deepEqual((await iam('ListRolePolicies', { RoleName: 'r' })).PolicyNames, ['p']);
  const chunk = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: Array.from({ length: 250 }, (_, i) => `ecs:Action${i}`), Resource: '*' }] });
  assert.ok(chunk.length > 3400 && chunk.length < 6144);
  await iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'c1', PolicyDocument: chunk });
  await iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'c2', PolicyDocument: chunk });
  await rejects(iam('PutRolePolicy', { RoleName: 'r', PolicyName: 'c3', PolicyDocument: chunk }), 'LimitExceeded', 'Maximum policy size of 10240 bytes exceeded for role r');
  await rejects(iam('GetRolePolicy', { RoleName: 'r', PolicyName: 'c3' }), 'NoSuchEntity', 'The role policy with name c3 cannot be found.');
});

test('AWS managed policies: readable, attachable, counted per account, never deletable', async () => {
  const { iam } = world();
  const p = (await iam('GetPolicy', { PolicyArn: EXEC_POLICY })).Policy;
  assert.equal(p.PolicyName, 'AmazonECSTaskExecutionRolePolicy');
  assert.equal(p.Path, '/service-role/');
  assert.equal(p.AttachmentCount, 0);
  const v = (await iam('GetPolicyVersion', { PolicyArn: EXEC_POLICY, VersionId: p.DefaultVersionId })).PolicyVersion;
  assert.match(decodeURIComponent(v.Document), /logs:PutLogEvents/);
  assert.equal(v.IsDefaultVersion, true);
  for (const name of ['AmazonECS_FullAccess', 'CloudWatchLogsFullAccess', 'AdministratorAccess']) {
    assert.equal((await iam('GetPolicy', { PolicyArn: `arn:aws:iam::aws:policy/${name}` })).Policy.PolicyName, name);
  }
  await iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
  await iam('AttachRolePolicy', { RoleName: 'r', PolicyArn: EXEC_POLICY });
  await iam('AttachRolePolicy', { RoleName: 'r', PolicyArn: EXEC_POLICY });
  assert.deepEqual((await iam('ListAttachedRolePolicies', { RoleName: 'r' })).AttachedPolicies, [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: EXEC_POLICY }]);
  assert.equal((await iam('GetPolicy', { PolicyArn: EXEC_POLICY })).Policy.AttachmentCount, 1);
  assert.equal((await iam('GetPolicy', { PolicyArn: EXEC_POLICY }, { accountId: OTHER })).Policy.AttachmentCount, 0, 'another account counts its own');
  await rejects(iam('DeletePolicy', { PolicyArn: EXEC_POLICY }), 'AccessDenied');
  await rejects(
    iam('AttachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/Nope' }),
    'NoSuchEntity',
    'Policy arn:aws:iam::aws:policy/Nope does not exist or is not attachable.',
  );
  await rejects(iam('DetachRolePolicy', { RoleName: 'r', PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' }), 'NoSuchEntity');
  const attached = await iam('ListPolicies', { Scope: 'AWS', OnlyAttached: true });
  assert.deepEqual(
    attached.Policies.map((x: { PolicyName: string }) => x.PolicyName),
    ['AmazonECSTaskExecutionRolePolicy'],
  );
  assert.deepEqual(
    (await iam('ListEntitiesForPolicy', { PolicyArn: EXEC_POLICY })).PolicyRoles.map((x: { RoleName: string }) => x.RoleName),
    ['r'],
  );
});

test('customer managed policies: versions (at most 5), default, delete rules', async () => {
  const { iam } = world();
  const { Policy } = await iam('CreatePolicy', { PolicyName: 'logs', Path: '/app/', PolicyDocument: LOGS, Description: 'logs', Tags: [{ Key: 'k', Value: 'v' }] });
  assert.match(Policy.PolicyId, /^ANPA[A-Z2-7]{17}$/);
  assert.equal(Policy.Arn, `arn:aws:iam::${ACCOUNT}:policy/app/logs`);
  assert.equal(Policy.DefaultVersionId, 'v1');
  await rejects(iam('CreatePolicy', { PolicyName: 'LOGS', PolicyDocument: LOGS }), 'EntityAlreadyExists');
  await rejects(iam('CreatePolicy', { PolicyName: 'x', PolicyDocument: '{' }), 'MalformedPolicyDocument', 'Syntax errors in policy.');
  for (let i = 2; i <= 5; i++) {
    const v = (await iam('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: LOGS, SetAsDefault: i === 3 })).PolicyVersion;
    assert.equal(v.VersionId, `v${i}`);
  }
  await rejects(iam('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: LOGS }), 'LimitExceeded', /up to 5 versions/);
  assert.equal((await iam('GetPolicy', { PolicyArn: Policy.Arn })).Policy.DefaultVersionId, 'v3');
  const versions = (await iam('ListPolicyVersions', { PolicyArn: Policy.Arn })).Versions;
  assert.deepEqual(
    versions.map((v: { VersionId: string; IsDefaultVersion: boolean }) => `${v.VersionId}${v.IsDefaultVersion ? '*' : ''}`),
    ['v5', 'v4', 'v3*', 'v2', 'v1'],
  );
  await rejects(iam('DeletePolicyVersion', { PolicyArn: Policy.Arn, VersionId: 'v3' }), 'DeleteConflict', 'Cannot delete the default version of a policy.');
  await iam('DeletePolicyVersion', { PolicyArn: Policy.Arn, VersionId: 'v5' });
  assert.equal((await iam('CreatePolicyVersion', { PolicyArn: Policy.Arn, PolicyDocument: LOGS })).PolicyVersion.VersionId, 'v6', 'ids are never reused');
  await iam('SetDefaultPolicyVersion', { PolicyArn: Policy.Arn, VersionId: 'v6' });
  await rejects(iam('GetPolicyVersion', { PolicyArn: Policy.Arn, VersionId: 'v5' }), 'NoSuchEntity');

  await iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
  await iam('AttachRolePolicy', { RoleName: 'r', PolicyArn: Policy.Arn });
  assert.equal((await iam('GetPolicy', { PolicyArn: Policy.Arn })).Policy.AttachmentCount, 1);
  await rejects(iam('DeletePolicy', { PolicyArn: Policy.Arn }), 'DeleteConflict', 'Cannot delete a policy attached to entities.');
  await iam('DetachRolePolicy', { RoleName: 'r', PolicyArn: Policy.Arn });
  await rejects(iam('DeletePolicy', { PolicyArn: Policy.Arn }), 'DeleteConflict', /more than one version/);
  for (const v of ['v1', 'v2', 'v3', 'v4']) await iam('DeletePolicyVersion', { PolicyArn: Policy.Arn, VersionId: v });
  await iam('TagPolicy', { PolicyArn: Policy.Arn, Tags: [{ Key: 'k2', Value: 'v2' }] });
  assert.equal((await iam('ListPolicyTags', { PolicyArn: Policy.Arn })).Tags.length, 2);
  await iam('DeletePolicy', { PolicyArn: Policy.Arn });
  await rejects(iam('GetPolicy', { PolicyArn: Policy.Arn }), 'NoSuchEntity', `Policy ${Policy.Arn} was not found.`);
});

test('IAM is one namespace per account, and no region', async () => {
  const { iam, api } = world();
  await iam('CreateRole', { RoleName: 'same', AssumeRolePolicyDocument: TRUST });
  await iam('CreateRole', { RoleName: 'same', AssumeRolePolicyDocument: TRUST }, { accountId: OTHER });
  await rejects(iam('CreateRole', { RoleName: 'same', AssumeRolePolicyDocument: TRUST }, { region: 'eu-west-1' }), 'EntityAlreadyExists');
  const mine = (await iam('GetRole', { RoleName: 'same' }, { region: 'ap-south-1' })).Role;
  const theirs = (await iam('GetRole', { RoleName: 'same' }, { accountId: OTHER })).Role;
  assert.equal(theirs.Arn, `arn:aws:iam::${OTHER}:role/same`);
  assert.notEqual(mine.RoleId, theirs.RoleId);
  await iam('DeleteRole', { RoleName: 'same' }, { accountId: OTHER });
  assert.equal((await iam('ListRoles')).Roles.length, 1);
  assert.equal(api.role(ACCOUNT, mine.Arn)?.roleId, mine.RoleId);
  assert.equal(api.role(OTHER, mine.Arn), undefined);
  assert.equal(api.role(ACCOUNT, 'SAME')?.arn, mine.Arn, 'a bare name, as ECS accepts it');
  assert.equal(api.role(ACCOUNT, `arn:aws:iam::${ACCOUNT}:role/other-path/same`), undefined, 'the path is part of the ARN');
});

test('instance profiles hold one role', async () => {
  const { iam } = world();
  await iam('CreateRole', { RoleName: 'r', AssumeRolePolicyDocument: TRUST });
  await iam('CreateRole', { RoleName: 'r2', AssumeRolePolicyDocument: TRUST });
  const { InstanceProfile } = await iam('CreateInstanceProfile', { InstanceProfileName: 'ip', Path: '/x/' });
  assert.match(InstanceProfile.InstanceProfileId, /^AIPA[A-Z2-7]{17}$/);
  assert.equal(InstanceProfile.Arn, `arn:aws:iam::${ACCOUNT}:instance-profile/x/ip`);
  await iam('AddRoleToInstanceProfile', { InstanceProfileName: 'ip', RoleName: 'r' });
  await rejects(iam('AddRoleToInstanceProfile', { InstanceProfileName: 'ip', RoleName: 'r2' }), 'LimitExceeded');
  assert.equal((await iam('GetInstanceProfile', { InstanceProfileName: 'ip' })).InstanceProfile.Roles[0].RoleName, 'r');
  assert.equal((await iam('ListInstanceProfilesForRole', { RoleName: 'r' })).InstanceProfiles.length, 1);
  await rejects(iam('DeleteInstanceProfile', { InstanceProfileName: 'ip' }), 'DeleteConflict');
  await iam('RemoveRoleFromInstanceProfile', { InstanceProfileName: 'ip', RoleName: 'r' });
  await iam('DeleteInstanceProfile', { InstanceProfileName: 'ip' });
  await rejects(iam('GetInstanceProfile', { InstanceProfileName: 'ip' }), 'NoSuchEntity', 'Instance Profile ip cannot be found.');
});

test('GetCallerIdentity and GetUser answer the root for the configured keys', async () => {
  const { iam, sts } = world();
  assert.deepEqual(await sts('GetCallerIdentity'), { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` });
  const user = (await iam('GetUser')).User;
  assert.equal(user.Arn, `arn:aws:iam::${ACCOUNT}:root`);
  assert.equal(user.UserId, ACCOUNT);
  await iam('CreateUser', { UserName: 'alice' });
  assert.match((await iam('GetUser', { UserName: 'alice' })).User.UserId, /^AIDA/);
  await rejects(iam('GetUser', { UserName: 'bob' }), 'NoSuchEntity');
});

test('AssumeRole issues ASIA keys that the API hands to SigV4 and that GetCallerIdentity knows', async () => {
  const { iam, sts, api } = world();
  const { Role } = await iam('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200 });
  const out = await sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 'sess-1', DurationSeconds: 7200 });
  const c = out.Credentials;
  assert.match(c.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
  assert.ok(c.SecretAccessKey.length >= 40 && c.SessionToken.length > 100);
  assert.ok(Math.abs(c.Expiration.getTime() - Date.now() - 7200_000) < 60_000);
  assert.deepEqual(out.AssumedRoleUser, { AssumedRoleId: `${Role.RoleId}:sess-1`, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/sess-1` });
  const key = api.issuedKey(c.AccessKeyId);
  assert.deepEqual(key, { accessKeyId: c.AccessKeyId, secretAccessKey: c.SecretAccessKey, sessionToken: c.SessionToken, accountId: ACCOUNT, expiresAt: c.Expiration.getTime() });
  assert.equal(api.issuedKey('ASIAUNKNOWN000000000'), undefined);
  const asSession = { accessKeyId: c.AccessKeyId };
  assert.deepEqual(await sts('GetCallerIdentity', {}, asSession), { UserId: `${Role.RoleId}:sess-1`, Account: ACCOUNT, Arn: `arn:aws:sts::${ACCOUNT}:assumed-role/app/sess-1` });
  await rejects(iam('GetUser', {}, asSession), 'ValidationError');
  await rejects(sts('GetSessionToken', {}, asSession), 'AccessDenied');
  await rejects(sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 'chained', DurationSeconds: 7200 }, asSession), 'ValidationError', /role chaining/);
  assert.ok((await iam('GetRole', { RoleName: 'app' })).Role.RoleLastUsed.LastUsedDate instanceof Date);
});

test('AssumeRole refuses what AWS refuses', async () => {
  const { iam, sts, api } = world();
  const { Role } = await iam('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  const missing = `arn:aws:iam::${ACCOUNT}:role/missing`;
  await rejects(
    sts('AssumeRole', { RoleArn: missing, RoleSessionName: 's1' }),
    'AccessDenied',
    `User: arn:aws:iam::${ACCOUNT}:root is not authorized to perform: sts:AssumeRole on resource: ${missing}`,
  );
  await rejects(
    sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 's1', DurationSeconds: 7200 }),
    'ValidationError',
    'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.',
  );
  await rejects(sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 'a b' }), 'ValidationError', /roleSessionName/);
  await rejects(sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 's1' }, { accountId: OTHER }), 'AccessDenied', /not authorized/); // another account needs the trust policy to name it
  assert.throws(
    () => api.assumeRole(OTHER, Role.Arn, 's'),
    (e) => isAwsError(e) && e.code === 'AccessDenied',
  );
  const creds = api.assumeRole(ACCOUNT, Role.Arn, 'ecs-task/with/slashes');
  assert.match(creds.accessKeyId, /^ASIA/);
  await iam('CreateRole', {
    RoleName: 'shared',
    AssumeRolePolicyDocument: JSON.stringify({ Version: '2012-10-17', Statement: { Effect: 'Allow', Principal: { AWS: OTHER }, Action: 'sts:AssumeRole' } }),
  });
  const cross = await sts('AssumeRole', { RoleArn: `arn:aws:iam::${ACCOUNT}:role/shared`, RoleSessionName: 'x1' }, { accountId: OTHER });
  assert.equal(api.issuedKey(cross.Credentials.AccessKeyId)?.accountId, ACCOUNT, 'the session acts in the role’s account');
});

test('GetSessionToken issues keys with the caller’s identity, root sessions at most an hour', async () => {
  const { sts } = world();
  const out = await sts('GetSessionToken', { DurationSeconds: 129600 });
  assert.ok(Math.abs(out.Credentials.Expiration.getTime() - Date.now() - 3600_000) < 60_000);
  assert.equal((await sts('GetCallerIdentity', {}, { accessKeyId: out.Credentials.AccessKeyId })).Arn, `arn:aws:iam::${ACCOUNT}:root`);
});

test('AssumeRoleWithWebIdentity takes tokens of the built-in OIDC issuer for roles that trust it', async () => {
  const { store, iam, sts, api } = world();
  const port = 4566;
  const issuer = new LocalIssuer(new GatewayStore(store), () => port);
  const token = await issuer.mint({ sub: 'ci-job', aud: 'sts.amazonaws.com' }, { issuer: issuer.issuer() });
  const trust = JSON.stringify({
    Version: '2012-10-17',
    Statement: [{ Effect: 'Allow', Principal: { Federated: `arn:aws:iam::${ACCOUNT}:oidc-provider/localhost:${port}/_wayfinder/oidc` }, Action: 'sts:AssumeRoleWithWebIdentity' }],
  });
  const { Role } = await iam('CreateRole', { RoleName: 'ci', AssumeRolePolicyDocument: trust });
  await iam('CreateRole', { RoleName: 'notrust', AssumeRolePolicyDocument: TRUST });
  const input = { RoleArn: Role.Arn, RoleSessionName: 'job', WebIdentityToken: token };
  await rejects(sts('AssumeRoleWithWebIdentity', input), 'InvalidIdentityToken'); // no issuer handed over yet
  api.trustWebIdentityIssuer(issuer);
  const out = await sts('AssumeRoleWithWebIdentity', input);
  assert.equal(out.SubjectFromWebIdentityToken, 'ci-job');
  assert.equal(out.Audience, 'sts.amazonaws.com');
  assert.equal(out.Provider, `localhost:${port}/_wayfinder/oidc`);
  assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/job`);
  assert.equal(api.issuedKey(out.Credentials.AccessKeyId)?.accountId, ACCOUNT);

  await rejects(
    sts('AssumeRoleWithWebIdentity', { ...input, RoleArn: `arn:aws:iam::${ACCOUNT}:role/notrust` }),
    'AccessDenied',
    'Not authorized to perform sts:AssumeRoleWithWebIdentity',
  );
  // Once the issuer is registered with client ids, the token's audience must be one of them.
  await iam('CreateOpenIDConnectProvider', { Url: `http://localhost:${port}/_wayfinder/oidc`, ClientIDList: ['my-app'] });
  await rejects(sts('AssumeRoleWithWebIdentity', input), 'InvalidIdentityToken', 'Incorrect token audience');
  const forApp = await issuer.mint({ sub: 'ci-job', aud: ['other', 'my-app'] }, { issuer: issuer.issuer() });
  assert.equal((await sts('AssumeRoleWithWebIdentity', { ...input, WebIdentityToken: forApp })).Audience, 'other');
  await rejects(sts('AssumeRoleWithWebIdentity', { ...input, WebIdentityToken: 'not-a-jwt' }), 'InvalidIdentityToken');
  const [h, p] = token.split('.');
  await rejects(sts('AssumeRoleWithWebIdentity', { ...input, WebIdentityToken: `${h}.${p}.${'A'.repeat(342)}` }), 'InvalidIdentityToken');
  const expired = await issuer.mint({ sub: 'old' }, { issuer: issuer.issuer(), expiresIn: -60 });
  await rejects(
    sts('AssumeRoleWithWebIdentity', { ...input, WebIdentityToken: expired }),
    'ExpiredTokenException',
    /^Token expired: current date\/time .* must be before the expiration date\/time /,
  );
  const foreign = await issuer.mint({ sub: 'x' }, { issuer: 'https://token.actions.githubusercontent.com' });
  await rejects(sts('AssumeRoleWithWebIdentity', { ...input, WebIdentityToken: foreign }), 'InvalidIdentityToken', /No OpenIDConnect provider found/);
});

test('expired keys are refused by the verifier (still known), then purged', async () => {
  const { iam, sts, api, store } = world();
  const { Role } = await iam('CreateRole', { RoleName: 'app', AssumeRolePolicyDocument: TRUST });
  const out = await sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 's1', DurationSeconds: 900 });
  const id = out.Credentials.AccessKeyId;
  const { Sessions } = await import('./sessions.js');
  const { IamStore } = await import('./store.js');
  const sessions = new Sessions(new IamStore(store));
  assert.equal(sessions.purge(Date.now() + 900_000 + 1000), 0, 'kept during the grace period');
  assert.ok(api.issuedKey(id));
  assert.equal(sessions.purge(Date.now() + 900_000 + 2 * 3600_000), 1);
  assert.equal(api.issuedKey(id), undefined);
});

test('access keys: two per user, caller identity of the user, Inactive keys withheld from SigV4, DeleteUser conflict', async () => {
  const { iam, sts, api } = world();
  const { User } = await iam('CreateUser', { UserName: 'ci', Path: '/bots/' });
  const k1 = (await iam('CreateAccessKey', { UserName: 'ci' })).AccessKey;
  assert.match(k1.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
  assert.equal(k1.Status, 'Active');
  await iam('CreateAccessKey', { UserName: 'ci' });
  await rejects(iam('CreateAccessKey', { UserName: 'ci' }), 'LimitExceeded', 'Cannot exceed quota for AccessKeysPerUser: 2');
  assert.equal((await iam('ListAccessKeys', { UserName: 'ci' })).AccessKeyMetadata.length, 2);
  assert.deepEqual(api.accessKey(k1.AccessKeyId), { accessKeyId: k1.AccessKeyId, secretAccessKey: k1.SecretAccessKey, accountId: ACCOUNT });
  const asUser = { accessKeyId: k1.AccessKeyId };
  assert.deepEqual(await sts('GetCallerIdentity', {}, asUser), { UserId: User.UserId, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:user/bots/ci` });
  assert.equal((await iam('GetUser', {}, asUser)).User.UserName, 'ci');
  assert.equal((await iam('ListAccessKeys', {}, asUser)).AccessKeyMetadata.length, 2, 'without a name: the caller’s own keys');
  await iam('UpdateAccessKey', { UserName: 'ci', AccessKeyId: k1.AccessKeyId, Status: 'Inactive' });
  assert.equal(api.accessKey(k1.AccessKeyId), undefined);
  await rejects(iam('DeleteUser', { UserName: 'ci' }), 'DeleteConflict', 'Cannot delete entity, must delete access keys first.');
  for (const k of (await iam('ListAccessKeys', { UserName: 'ci' })).AccessKeyMetadata) await iam('DeleteAccessKey', { UserName: 'ci', AccessKeyId: k.AccessKeyId });
  await rejects(iam('DeleteAccessKey', { UserName: 'ci', AccessKeyId: k1.AccessKeyId }), 'NoSuchEntity', `The Access Key with id ${k1.AccessKeyId} cannot be found.`);
  await iam('DeleteUser', { UserName: 'ci' });
});

test('OpenID Connect providers: https (or loopback http), one per URL, client ids and thumbprints', async () => {
  const { iam } = world();
  const thumb = 'a'.repeat(40);
  const { OpenIDConnectProviderArn: arn } = await iam('CreateOpenIDConnectProvider', {
    Url: 'https://token.actions.githubusercontent.com',
    ClientIDList: ['sts.amazonaws.com'],
    ThumbprintList: [thumb],
  });
  assert.equal(arn, `arn:aws:iam::${ACCOUNT}:oidc-provider/token.actions.githubusercontent.com`);
  await rejects(iam('CreateOpenIDConnectProvider', { Url: 'https://token.actions.githubusercontent.com' }), 'EntityAlreadyExists');
  await rejects(iam('CreateOpenIDConnectProvider', { Url: 'http://example.com' }), 'InvalidInput');
  const local = await iam('CreateOpenIDConnectProvider', { Url: 'http://localhost:4566/_wayfinder/oidc' });
  assert.equal(local.OpenIDConnectProviderArn, `arn:aws:iam::${ACCOUNT}:oidc-provider/localhost:4566/_wayfinder/oidc`);
  await iam('AddClientIDToOpenIDConnectProvider', { OpenIDConnectProviderArn: arn, ClientID: 'other' });
  const got = await iam('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn });
  assert.deepEqual([got.Url, got.ClientIDList, got.ThumbprintList], ['token.actions.githubusercontent.com', ['sts.amazonaws.com', 'other'], [thumb]]);
  assert.equal((await iam('ListOpenIDConnectProviders')).OpenIDConnectProviderList.length, 2);
  await iam('DeleteOpenIDConnectProvider', { OpenIDConnectProviderArn: arn });
  await rejects(iam('GetOpenIDConnectProvider', { OpenIDConnectProviderArn: arn }), 'NoSuchEntity');
});

test('service-linked roles: named by the service, protected from the ordinary calls, deleted by their own call', async () => {
  const { iam } = world();
  const { Role } = await iam('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' });
  assert.equal(Role.RoleName, 'AWSServiceRoleForECS');
  assert.equal(Role.Arn, `arn:aws:iam::${ACCOUNT}:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS`);
  assert.deepEqual((await iam('ListAttachedRolePolicies', { RoleName: 'AWSServiceRoleForECS' })).AttachedPolicies, [
    { PolicyName: 'AmazonECSServiceRolePolicy', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' },
  ]);
  await rejects(iam('CreateServiceLinkedRole', { AWSServiceName: 'ecs.amazonaws.com' }), 'InvalidInput', /has been taken in this account/);
  await rejects(iam('DeleteRole', { RoleName: 'AWSServiceRoleForECS' }), 'UnmodifiableEntity', /protected role 'AWSServiceRoleForECS'/);
  await rejects(
    iam('DetachRolePolicy', { RoleName: 'AWSServiceRoleForECS', PolicyArn: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' }),
    'UnmodifiableEntity',
  );
  const { DeletionTaskId } = await iam('DeleteServiceLinkedRole', { RoleName: 'AWSServiceRoleForECS' });
  assert.match(DeletionTaskId, /^task\/aws-service-role\/ecs\.amazonaws\.com\/AWSServiceRoleForECS\/[0-9a-f-]{36}$/);
  assert.equal((await iam('GetServiceLinkedRoleDeletionStatus', { DeletionTaskId })).Status, 'SUCCEEDED');
  await rejects(iam('GetRole', { RoleName: 'AWSServiceRoleForECS' }), 'NoSuchEntity');
  assert.equal((await iam('CreateServiceLinkedRole', { AWSServiceName: 'autoscaling.amazonaws.com', CustomSuffix: 'web' })).Role.RoleName, 'AWSServiceRoleForAutoScaling_web');
});

test('IAM keys never look like regions to Store.regionsInUse (wayfinder status walks those)', async () => {
  const { store, iam, sts } = world();
  const { Role } = await iam('CreateRole', { RoleName: 'r', Path: '/a/b/', AssumeRolePolicyDocument: TRUST });
  await iam('CreatePolicy', { PolicyName: 'p', Path: '/x/', PolicyDocument: LOGS });
  await iam('CreateInstanceProfile', { InstanceProfileName: 'ip', Path: '/y/' });
  await iam('CreateUser', { UserName: 'u', Path: '/z/' });
  await iam('CreateAccessKey', { UserName: 'u' });
  await iam('CreateOpenIDConnectProvider', { Url: 'https://issuer.example.com/path/to' });
  await sts('AssumeRole', { RoleArn: Role.Arn, RoleSessionName: 's1' });
  assert.deepEqual(store.regionsInUse(), []);
});

test('the lists IaC reads before deleting a user are empty for a user, NoSuchEntity for a stranger', async () => {
  const { iam } = world();
  await iam('CreateUser', { UserName: 'u' });
  assert.deepEqual((await iam('ListGroupsForUser', { UserName: 'u' })).Groups, []);
  assert.deepEqual((await iam('ListUserPolicies', { UserName: 'u' })).PolicyNames, []);
  assert.deepEqual((await iam('ListAttachedUserPolicies', { UserName: 'u' })).AttachedPolicies, []);
  assert.deepEqual((await iam('ListMFADevices', { UserName: 'u' })).MFADevices, []);
  assert.deepEqual((await iam('ListSSHPublicKeys', { UserName: 'u' })).SSHPublicKeys, []);
  assert.deepEqual((await iam('ListSigningCertificates', { UserName: 'u' })).Certificates, []);
  await rejects(iam('GetLoginProfile', { UserName: 'u' }), 'NoSuchEntity', 'Login Profile for User u cannot be found.');
  await rejects(iam('ListGroupsForUser', { UserName: 'stranger' }), 'NoSuchEntity', 'The user with name stranger cannot be found.');
});
