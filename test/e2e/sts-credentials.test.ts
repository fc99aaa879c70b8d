// STS through the aws CLI (v1 and v2), boto3 and @aws-sdk/client-sts against a real Wayfinder: who
// the caller is, temporary credentials for a role or a session, and web identity with tokens of the
// built-in OIDC issuer (docs/iam.md §4).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as ECS from '@aws-sdk/client-ecs';
import * as IAM from '@aws-sdk/client-iam';
import * as STS from '@aws-sdk/client-sts';
import { awsCli, hasAwsCliV2 } from '../support/aws-cli.js';
import { errorOf } from '../support/errors.js';
import { mintToken } from '../support/gateway.js';
import { rawRequest, sdkConfig, signedRequest, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const ACCOUNT = '000000000000';
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });

let server: TestServer;
let iam: IAM.IAMClient;
let sts: STS.STSClient;
before(async () => {
  server = await startTestServer();
  iam = new IAM.IAMClient(sdkConfig(server));
  sts = new STS.STSClient(sdkConfig(server));
  await iam.send(new IAM.CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 7200 }));
});
after(async () => {
  iam.destroy();
  sts.destroy();
  await server.destroy();
});

test('get-caller-identity answers the account root for the built-in key (aws CLI v1/v2, boto3, SDK v3)', async () => {
  const root = { UserId: ACCOUNT, Account: ACCOUNT, Arn: `arn:aws:iam::${ACCOUNT}:root` };
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const r = await awsCli(server.port, ['sts', 'get-caller-identity', '--output', 'json'], { v2 });
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), root);
  }
  const py = await run(
    'python3',
    [
      '-c',
      `import boto3, json
s = boto3.client('sts', endpoint_url='http://127.0.0.1:${server.port}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
r = s.get_caller_identity()
print(json.dumps({k: r[k] for k in ('UserId', 'Account', 'Arn')}))`,
    ],
    { timeout: 60_000 },
  );
  assert.deepEqual(JSON.parse(py.stdout), root);
  const { UserId, Account, Arn } = await sts.send(new STS.GetCallerIdentityCommand({}));
  assert.deepEqual({ UserId, Account, Arn }, root);
  const user = await iam.send(new IAM.GetUserCommand({}));
  assert.equal(user.User!.Arn, root.Arn);
});

test('aws CLI assume-role: ASIA credentials and the assumed-role user; a missing role is AccessDenied', async () => {
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const args = ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/app`, '--role-session-name', 'cli', '--duration-seconds', '7200', '--output', 'json'];
    const r = await awsCli(server.port, args, { v2 });
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout);
    assert.match(out.Credentials.AccessKeyId, /^ASIA[A-Z2-7]{16}$/);
    assert.ok(out.Credentials.SecretAccessKey && out.Credentials.SessionToken);
    const expiresIn = Date.parse(out.Credentials.Expiration) - Date.now();
    assert.ok(expiresIn > 7000_000 && expiresIn <= 7200_000, `expires in ${expiresIn} ms`);
    assert.equal(out.AssumedRoleUser.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/cli`);
    assert.match(out.AssumedRoleUser.AssumedRoleId, /^AROA[A-Z2-7]{17}:cli$/);
    const missing = await awsCli(server.port, ['sts', 'assume-role', '--role-arn', `arn:aws:iam::${ACCOUNT}:role/none`, '--role-session-name', 'cli'], { v2 });
    assert.notEqual(missing.code, 0);
    assert.match(
      missing.stderr,
      /An error occurred \(AccessDenied\) when calling the AssumeRole operation: User: arn:aws:iam::000000000000:root is not authorized to perform: sts:AssumeRole on resource: arn:aws:iam::000000000000:role\/none/,
    );
  }
});

test('SDK v3: AssumeRole past the role’s MaxSessionDuration is a ValidationError; GetSessionToken issues keys', async () => {
  const tooLong = await errorOf(sts.send(new STS.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/app`, RoleSessionName: 'ss', DurationSeconds: 7201 })));
  assert.deepEqual([tooLong.name, tooLong.message, tooLong.status], ['ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.', 400]);
  const denied = await errorOf(sts.send(new STS.AssumeRoleCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/none`, RoleSessionName: 'ss' })));
  assert.deepEqual([denied.name, denied.status], ['AccessDenied', 403]);
  const token = await sts.send(new STS.GetSessionTokenCommand({ DurationSeconds: 900 }));
  assert.match(token.Credentials!.AccessKeyId!, /^ASIA/);
  assert.ok(token.Credentials!.Expiration instanceof Date);
});

test('AssumeRoleWithWebIdentity takes a token of the built-in OIDC issuer for a role that trusts it', async () => {
  const provider = `arn:aws:iam::${ACCOUNT}:oidc-provider/localhost:${server.port}/_wayfinder/oidc`;
  const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Federated: provider }, Action: 'sts:AssumeRoleWithWebIdentity' }] });
  const { Role } = await iam.send(new IAM.CreateRoleCommand({ RoleName: 'ci', AssumeRolePolicyDocument: trust }));
  const token = await mintToken(server, { sub: 'pipeline', aud: 'sts.amazonaws.com' });
  const form = (t: string, role = Role!.Arn!) =>
    new URLSearchParams({ Action: 'AssumeRoleWithWebIdentity', Version: '2011-06-15', RoleArn: role, RoleSessionName: 'job', WebIdentityToken: t }).toString();
  const headers = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };
  const ok = await signedRequest(server, { service: 'sts', headers, body: form(token) });
  assert.equal(ok.status, 200, ok.text);
  assert.match(ok.text, /<SubjectFromWebIdentityToken>pipeline<\/SubjectFromWebIdentityToken>/);
  assert.match(ok.text, /<Arn>arn:aws:sts::000000000000:assumed-role\/ci\/job<\/Arn>/);
  assert.match(ok.text, /<AccessKeyId>ASIA[A-Z2-7]{16}<\/AccessKeyId>/);
  const forged = await signedRequest(server, { service: 'sts', headers, body: form(`${token.slice(0, token.lastIndexOf('.'))}.${'A'.repeat(342)}`) });
  assert.equal(forged.status, 400);
  assert.match(forged.text, /<Code>InvalidIdentityToken<\/Code>/);
  const untrusted = await signedRequest(server, { service: 'sts', headers, body: form(token, `arn:aws:iam::${ACCOUNT}:role/app`) });
  assert.equal(untrusted.status, 403);
  assert.match(untrusted.text, /<Code>AccessDenied<\/Code><Message>Not authorized to perform sts:AssumeRoleWithWebIdentity<\/Message>/);
});

test('AssumeRoleWithWebIdentity goes unsigned, as the model says (auth: none): SDK v3 and the aws CLI', async () => {
  const token = await mintToken(server, { sub: 'pipeline' });
  const out = await sts.send(new STS.AssumeRoleWithWebIdentityCommand({ RoleArn: `arn:aws:iam::${ACCOUNT}:role/ci`, RoleSessionName: 'sdk', WebIdentityToken: token }));
  assert.equal(out.AssumedRoleUser!.Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/ci/sdk`);
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const args = [
      'sts',
      'assume-role-with-web-identity',
      '--role-arn',
      `arn:aws:iam::${ACCOUNT}:role/ci`,
      '--role-session-name',
      'cli',
      '--web-identity-token',
      token,
      '--output',
      'json',
    ];
    // No credentials at all: the CLI sends this call unsigned.
    const r = await awsCli(server.port, args, { v2, env: { AWS_ACCESS_KEY_ID: '', AWS_SECRET_ACCESS_KEY: '' } });
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).SubjectFromWebIdentityToken, 'pipeline');
  }
  // Other calls still need a signature.
  const unsigned = await rawRequest(server, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  assert.equal(unsigned.status, 403);
  assert.match(unsigned.text, /<Code>MissingAuthenticationToken<\/Code>/);
});

test('temporary credentials sign calls to other services: ECS ListClusters with an assumed role’s keys', async () => {
  const roleArn = `arn:aws:iam::${ACCOUNT}:role/app`;
  const { Credentials } = await sts.send(new STS.AssumeRoleCommand({ RoleArn: roleArn, RoleSessionName: 'ecs-caller' }));
  const creds = { accessKeyId: Credentials!.AccessKeyId!, secretAccessKey: Credentials!.SecretAccessKey!, sessionToken: Credentials!.SessionToken! };
  const ecs = new ECS.ECSClient({ ...sdkConfig(server), credentials: creds });
  const asRole = new STS.STSClient({ ...sdkConfig(server), credentials: creds });
  const wrongToken = new ECS.ECSClient({ ...sdkConfig(server), credentials: { ...creds, sessionToken: 'not-the-token' } });
  try {
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'temp-creds' }));
    const { clusterArns } = await ecs.send(new ECS.ListClustersCommand({}));
    assert.ok(clusterArns!.includes(`arn:aws:ecs:us-east-1:${ACCOUNT}:cluster/temp-creds`));
    assert.equal((await asRole.send(new STS.GetCallerIdentityCommand({}))).Arn, `arn:aws:sts::${ACCOUNT}:assumed-role/app/ecs-caller`);
    assert.notEqual((await errorOf(wrongToken.send(new ECS.ListClustersCommand({})))).name, 'no error');
  } finally {
    ecs.destroy();
    asRole.destroy();
    wrongToken.destroy();
  }
});

test('accounts: a role and the keys it issues live in their account; a user’s access key acts in the account that created it', async () => {
  const in111 = { ...sdkConfig(server), credentials: { accessKeyId: '111111111111', secretAccessKey: 'any' } };
  const iam111 = new IAM.IAMClient(in111);
  const sts111 = new STS.STSClient(in111);
  const ecs111 = new ECS.ECSClient(in111);
  const clients: Array<{ destroy(): void }> = [];
  try {
    await ecs111.send(new ECS.CreateClusterCommand({ clusterName: 'only-in-111' }));
    const { Role } = await iam111.send(new IAM.CreateRoleCommand({ RoleName: 'app', AssumeRolePolicyDocument: TRUST }));
    assert.equal(Role!.Arn, 'arn:aws:iam::111111111111:role/app', 'the same name as the default account’s role, in another namespace');
    const { Credentials: c } = await sts111.send(new STS.AssumeRoleCommand({ RoleArn: Role!.Arn, RoleSessionName: 'in-111' }));
    const asRole = new ECS.ECSClient({ ...sdkConfig(server), credentials: { accessKeyId: c!.AccessKeyId!, secretAccessKey: c!.SecretAccessKey!, sessionToken: c!.SessionToken! } });
    assert.deepEqual((await asRole.send(new ECS.ListClustersCommand({}))).clusterArns, ['arn:aws:ecs:us-east-1:111111111111:cluster/only-in-111']);
    asRole.destroy();

    await iam111.send(new IAM.CreateUserCommand({ UserName: 'ci' }));
    const { AccessKey: k } = await iam111.send(new IAM.CreateAccessKeyCommand({ UserName: 'ci' }));
    const asUser = { ...sdkConfig(server), credentials: { accessKeyId: k!.AccessKeyId!, secretAccessKey: k!.SecretAccessKey! } };
    const stsUser = new STS.STSClient(asUser);
    const ecsUser = new ECS.ECSClient(asUser);
    clients.push(stsUser, ecsUser);
    const who = await stsUser.send(new STS.GetCallerIdentityCommand({}));
    assert.deepEqual([who.Account, who.Arn], ['111111111111', 'arn:aws:iam::111111111111:user/ci']);
    assert.deepEqual((await ecsUser.send(new ECS.ListClustersCommand({}))).clusterArns, ['arn:aws:ecs:us-east-1:111111111111:cluster/only-in-111']);
    const wrongSecret = await errorOf(
      new STS.STSClient({ ...asUser, credentials: { ...asUser.credentials, secretAccessKey: 'guess' } }).send(new STS.GetCallerIdentityCommand({})),
    );
    assert.equal(wrongSecret.name, 'SignatureDoesNotMatch', 'a key IAM created is verified with its secret');
  } finally {
    iam111.destroy();
    sts111.destroy();
    ecs111.destroy();
    for (const c of clients) c.destroy();
  }
});

test('an IAM user’s access key signs like any known key: its calls act as the user, a wrong secret is refused', async () => {
  await iam.send(new IAM.CreateUserCommand({ UserName: 'deployer' }));
  const { AccessKey } = await iam.send(new IAM.CreateAccessKeyCommand({ UserName: 'deployer' }));
  const creds = { accessKeyId: AccessKey!.AccessKeyId!, secretAccessKey: AccessKey!.SecretAccessKey! };
  const who = await new STS.STSClient({ ...sdkConfig(server), credentials: creds }).send(new STS.GetCallerIdentityCommand({}));
  assert.equal(who.Arn, `arn:aws:iam::${ACCOUNT}:user/deployer`);
  const wrong = new ECS.ECSClient({ ...sdkConfig(server), credentials: { ...creds, secretAccessKey: 'not-the-secret' } });
  assert.equal((await errorOf(wrong.send(new ECS.ListClustersCommand({})))).name, 'InvalidSignatureException');
});
