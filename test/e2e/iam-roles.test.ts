// IAM through the aws CLI (v1 and v2), boto3 and @aws-sdk/client-iam against a real Wayfinder:
// roles, attached and inline policies, managed policy versions, AWS's error codes and paging.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as IAM from '@aws-sdk/client-iam';
import { awsCli, hasAwsCliV2 } from '../support/aws-cli.js';
import { errorOf } from '../support/errors.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
const TRUST = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }] });
const EXEC_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

let server: TestServer;
let iam: IAM.IAMClient;
before(async () => {
  server = await startTestServer();
  iam = new IAM.IAMClient(sdkConfig(server));
});
after(async () => {
  iam.destroy();
  await server.destroy();
});

// biome-ignore lint/suspicious/noExplicitAny: the CLI's JSON output, read member by member
async function cli(args: string[], v2 = false): Promise<any> {
  const r = await awsCli(server.port, [...args, '--output', 'json'], { v2 });
  assert.equal(r.code, 0, `aws ${args.join(' ')}: ${r.stderr}`);
  return r.stdout.trim() ? JSON.parse(r.stdout) : {};
}

test('aws CLI: create-role, get-role, attach-role-policy, list-attached-role-policies, then clean up', async () => {
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const name = `exec-v${v2 ? 2 : 1}`;
    const created = await cli(['iam', 'create-role', '--role-name', name, '--path', '/ecs/', '--assume-role-policy-document', TRUST, '--tags', 'Key=team,Value=core'], v2);
    assert.match(created.Role.RoleId, /^AROA[A-Z2-7]{17}$/);
    assert.equal(created.Role.Arn, `arn:aws:iam::000000000000:role/ecs/${name}`);
    const { Role } = await cli(['iam', 'get-role', '--role-name', name], v2);
    // The CLI decodes the URL-encoded document IAM returns and prints it as JSON.
    assert.deepEqual(Role.AssumeRolePolicyDocument, JSON.parse(TRUST));
    assert.deepEqual(Role.Tags, [{ Key: 'team', Value: 'core' }]);
    assert.equal(Role.MaxSessionDuration, 3600);
    await cli(['iam', 'attach-role-policy', '--role-name', name, '--policy-arn', EXEC_POLICY], v2);
    const attached = await cli(['iam', 'list-attached-role-policies', '--role-name', name], v2);
    assert.deepEqual(attached.AttachedPolicies, [{ PolicyName: 'AmazonECSTaskExecutionRolePolicy', PolicyArn: EXEC_POLICY }]);
    const refused = await awsCli(server.port, ['iam', 'delete-role', '--role-name', name], { v2 });
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /An error occurred \(DeleteConflict\) when calling the DeleteRole operation: Cannot delete entity, must detach all policies first\./);
    await cli(['iam', 'detach-role-policy', '--role-name', name, '--policy-arn', EXEC_POLICY], v2);
    await cli(['iam', 'delete-role', '--role-name', name], v2);
  }
});

test('aws CLI: errors come back with IAM’s codes and messages', async () => {
  await cli(['iam', 'create-role', '--role-name', 'dup', '--assume-role-policy-document', TRUST]);
  const cases: Array<[string[], RegExp]> = [
    [['iam', 'get-role', '--role-name', 'missing'], /\(NoSuchEntity\) when calling the GetRole operation: The role with name missing cannot be found\./],
    [
      ['iam', 'create-role', '--role-name', 'DUP', '--assume-role-policy-document', TRUST],
      /\(EntityAlreadyExists\) when calling the CreateRole operation: Role with name DUP already exists\./,
    ],
    [
      ['iam', 'create-role', '--role-name', 'bad', '--assume-role-policy-document', '{"Version":"2012-10-17"'],
      /\(MalformedPolicyDocument\) when calling the CreateRole operation: This policy contains invalid Json/,
    ],
    [
      ['iam', 'put-role-policy', '--role-name', 'dup', '--policy-name', 'p', '--policy-document', '{"Version":"2012-10-17","Statement":{"Effect":"Allow","Action":"logs:*"}}'],
      /\(MalformedPolicyDocument\) when calling the PutRolePolicy operation: Policy statement must contain resources\./,
    ],
  ];
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    for (const [args, expected] of cases) {
      const r = await awsCli(server.port, args, { v2 });
      assert.notEqual(r.code, 0, args.join(' '));
      assert.match(r.stderr, expected, `aws v${v2 ? 2 : 1} ${args.join(' ')}`);
    }
  }
  await cli(['iam', 'delete-role', '--role-name', 'dup']);
  // The CLI checks MaxSessionDuration's range itself; the SDK for JavaScript leaves it to the service.
  const short = await errorOf(iam.send(new IAM.CreateRoleCommand({ RoleName: 'r', AssumeRolePolicyDocument: TRUST, MaxSessionDuration: 60 })));
  assert.equal(short.name, 'ValidationError');
  assert.match(short.message, /Value '60' at 'maxSessionDuration' failed to satisfy constraint: Member must have value greater than or equal to 3600/i);
  assert.equal(short.status, 400);
});

test('SDK v3: ListRoles pages with Marker and MaxItems, and the paginator walks every page', async () => {
  const names = Array.from({ length: 7 }, (_, i) => `page-${i}`);
  for (const n of names) await iam.send(new IAM.CreateRoleCommand({ RoleName: n, Path: '/paged/', AssumeRolePolicyDocument: TRUST }));
  const first = await iam.send(new IAM.ListRolesCommand({ PathPrefix: '/paged/', MaxItems: 3 }));
  assert.equal(first.IsTruncated, true);
  assert.deepEqual(
    first.Roles!.map((r) => r.RoleName),
    names.slice(0, 3),
  );
  assert.equal(decodeURIComponent(first.Roles![0]!.AssumeRolePolicyDocument!), TRUST);
  const seen: string[] = [];
  for await (const page of IAM.paginateListRoles({ client: iam, pageSize: 2 }, { PathPrefix: '/paged/' })) seen.push(...page.Roles!.map((r) => r.RoleName!));
  assert.deepEqual(seen, names);
  const bad = await errorOf(iam.send(new IAM.ListRolesCommand({ Marker: 'not-a-marker' })));
  assert.equal(bad.name, 'ValidationError');
  for (const n of names) await iam.send(new IAM.DeleteRoleCommand({ RoleName: n }));
});

test('SDK v3: customer managed policies with versions, attachment counts and the 5-version limit', async () => {
  const doc = (action: string) => JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: action, Resource: '*' }] });
  const { Policy } = await iam.send(new IAM.CreatePolicyCommand({ PolicyName: 'app-logs', PolicyDocument: doc('logs:*'), Description: 'logs' }));
  assert.match(Policy!.PolicyId!, /^ANPA/);
  for (let i = 2; i <= 5; i++) await iam.send(new IAM.CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn, PolicyDocument: doc(`ecs:Action${i}`), SetAsDefault: i === 5 }));
  const limit = await errorOf(iam.send(new IAM.CreatePolicyVersionCommand({ PolicyArn: Policy!.Arn, PolicyDocument: doc('ecs:*') })));
  assert.deepEqual([limit.name, limit.status], ['LimitExceededException', 409]); // the SDK names the modelled error by its shape
  const v = await iam.send(new IAM.GetPolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: 'v5' }));
  assert.equal(decodeURIComponent(v.PolicyVersion!.Document!), doc('ecs:Action5'));
  await iam.send(new IAM.CreateRoleCommand({ RoleName: 'holder', AssumeRolePolicyDocument: TRUST }));
  await iam.send(new IAM.AttachRolePolicyCommand({ RoleName: 'holder', PolicyArn: Policy!.Arn }));
  const got = await iam.send(new IAM.GetPolicyCommand({ PolicyArn: Policy!.Arn }));
  assert.deepEqual([got.Policy!.AttachmentCount, got.Policy!.DefaultVersionId, got.Policy!.Description], [1, 'v5', 'logs']);
  assert.equal((await errorOf(iam.send(new IAM.DeletePolicyCommand({ PolicyArn: Policy!.Arn })))).name, 'DeleteConflictException');
  const entities = await iam.send(new IAM.ListEntitiesForPolicyCommand({ PolicyArn: Policy!.Arn }));
  assert.deepEqual(
    entities.PolicyRoles!.map((r) => r.RoleName),
    ['holder'],
  );
  const local = await iam.send(new IAM.ListPoliciesCommand({ Scope: 'Local' }));
  assert.deepEqual(
    local.Policies!.map((p) => p.PolicyName),
    ['app-logs'],
  );
  const aws = await iam.send(new IAM.ListPoliciesCommand({ Scope: 'AWS' }));
  for (const name of ['AdministratorAccess', 'AmazonECSTaskExecutionRolePolicy', 'AmazonECS_FullAccess', 'CloudWatchLogsFullAccess']) {
    assert.ok(
      aws.Policies!.some((p) => p.PolicyName === name),
      name,
    );
  }
  assert.equal((await errorOf(iam.send(new IAM.DeletePolicyCommand({ PolicyArn: 'arn:aws:iam::aws:policy/AdministratorAccess' })))).name, 'AccessDenied');
  await iam.send(new IAM.DetachRolePolicyCommand({ RoleName: 'holder', PolicyArn: Policy!.Arn }));
  for (const id of ['v1', 'v2', 'v3', 'v4']) await iam.send(new IAM.DeletePolicyVersionCommand({ PolicyArn: Policy!.Arn, VersionId: id }));
  await iam.send(new IAM.DeletePolicyCommand({ PolicyArn: Policy!.Arn }));
  await iam.send(new IAM.DeleteRoleCommand({ RoleName: 'holder' }));
});

test('boto3: inline policies, instance profiles and tags round-trip', async () => {
  const script = `
import boto3, json
iam = boto3.client('iam', endpoint_url='http://127.0.0.1:${server.port}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test')
trust = ${JSON.stringify(TRUST)}
iam.create_role(RoleName='py-role', AssumeRolePolicyDocument=trust, MaxSessionDuration=7200)
doc = {'Version': '2012-10-17', 'Statement': [{'Effect': 'Allow', 'Action': ['logs:CreateLogStream', 'logs:PutLogEvents'], 'Resource': '*'}]}
iam.put_role_policy(RoleName='py-role', PolicyName='logs', PolicyDocument=json.dumps(doc))
got = iam.get_role_policy(RoleName='py-role', PolicyName='logs')
iam.create_instance_profile(InstanceProfileName='py-profile')
iam.add_role_to_instance_profile(InstanceProfileName='py-profile', RoleName='py-role')
profiles = iam.list_instance_profiles_for_role(RoleName='py-role')['InstanceProfiles']
iam.tag_role(RoleName='py-role', Tags=[{'Key': 'env', 'Value': 'dev'}])
tags = iam.list_role_tags(RoleName='py-role')['Tags']
try:
    iam.delete_role(RoleName='py-role')
    conflict = 'none'
except iam.exceptions.DeleteConflictException as e:
    conflict = e.response['Error']['Code']
iam.remove_role_from_instance_profile(InstanceProfileName='py-profile', RoleName='py-role')
iam.delete_instance_profile(InstanceProfileName='py-profile')
iam.delete_role_policy(RoleName='py-role', PolicyName='logs')
iam.delete_role(RoleName='py-role')
print(json.dumps({'doc': got['PolicyDocument'] == doc, 'profiles': [p['InstanceProfileName'] for p in profiles], 'roleInProfile': profiles[0]['Roles'][0]['RoleName'], 'tags': tags, 'conflict': conflict}))
`;
  const { stdout } = await run('python3', ['-c', script], { timeout: 60_000 });
  assert.deepEqual(JSON.parse(stdout), { doc: true, profiles: ['py-profile'], roleInProfile: 'py-role', tags: [{ Key: 'env', Value: 'dev' }], conflict: 'DeleteConflict' });
});

test('aws CLI: users and access keys, OpenID Connect providers and the ECS service-linked role', async () => {
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const user = `ci-v${v2 ? 2 : 1}`;
    const created = await cli(['iam', 'create-user', '--user-name', user, '--path', '/bots/'], v2);
    assert.equal(created.User.Arn, `arn:aws:iam::000000000000:user/bots/${user}`);
    const { AccessKey } = await cli(['iam', 'create-access-key', '--user-name', user], v2);
    assert.match(AccessKey.AccessKeyId, /^AKIA[A-Z2-7]{16}$/);
    assert.deepEqual(
      (await cli(['iam', 'list-access-keys', '--user-name', user], v2)).AccessKeyMetadata.map((k: { AccessKeyId: string }) => k.AccessKeyId),
      [AccessKey.AccessKeyId],
    );
    const conflict = await awsCli(server.port, ['iam', 'delete-user', '--user-name', user], { v2 });
    assert.match(conflict.stderr, /\(DeleteConflict\) when calling the DeleteUser operation: Cannot delete entity, must delete access keys first\./);
    await cli(['iam', 'delete-access-key', '--user-name', user, '--access-key-id', AccessKey.AccessKeyId], v2);
    await cli(['iam', 'delete-user', '--user-name', user], v2);
  }
  const root = await cli(['iam', 'get-user']);
  assert.equal(root.User.Arn, 'arn:aws:iam::000000000000:root');

  const provider = await cli([
    'iam',
    'create-open-id-connect-provider',
    '--url',
    'https://token.actions.githubusercontent.com',
    '--client-id-list',
    'sts.amazonaws.com',
    '--thumbprint-list',
    'a'.repeat(40),
  ]);
  assert.equal(provider.OpenIDConnectProviderArn, 'arn:aws:iam::000000000000:oidc-provider/token.actions.githubusercontent.com');
  const got = await cli(['iam', 'get-open-id-connect-provider', '--open-id-connect-provider-arn', provider.OpenIDConnectProviderArn]);
  assert.deepEqual([got.Url, got.ClientIDList], ['token.actions.githubusercontent.com', ['sts.amazonaws.com']]);
  await cli(['iam', 'delete-open-id-connect-provider', '--open-id-connect-provider-arn', provider.OpenIDConnectProviderArn]);

  const slr = await cli(['iam', 'create-service-linked-role', '--aws-service-name', 'ecs.amazonaws.com']);
  assert.equal(slr.Role.Arn, 'arn:aws:iam::000000000000:role/aws-service-role/ecs.amazonaws.com/AWSServiceRoleForECS');
  const protectedRole = await awsCli(server.port, ['iam', 'delete-role', '--role-name', 'AWSServiceRoleForECS']);
  assert.match(protectedRole.stderr, /\(UnmodifiableEntity\) when calling the DeleteRole operation/);
  const { DeletionTaskId } = await cli(['iam', 'delete-service-linked-role', '--role-name', 'AWSServiceRoleForECS']);
  assert.equal((await cli(['iam', 'get-service-linked-role-deletion-status', '--deletion-task-id', DeletionTaskId])).Status, 'SUCCEEDED');
});
