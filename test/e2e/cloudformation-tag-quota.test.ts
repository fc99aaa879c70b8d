// AWS's own `aws:` tags do not count toward a resource's 50-tag quota. A resource CloudFormation made
// holds its 3 system tags beside up to 50 of the user's: the user can tag it up to 50 with each
// service's own TagResource, and the 51st is refused with that service's error. Through the aws CLI
// against a real server. Tagging and untagging such a resource checks only the user's tags: the
// system tags it holds are not the caller's to be refused.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../support/server.js';
import { awsCli, awsJson, describeStack, failureReport, output, templateFile } from '../support/cloudformation.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

const cli = (args: string[]) => awsCli(server, args);
const json = <T = Record<string, unknown>>(args: string[]) => awsJson<T>(server, args);

const fortySeven = Array.from({ length: 47 }, (_, i) => `{Key: k${i}, Value: v${i}}`).join(', ');
const fortySevenMap = Array.from({ length: 47 }, (_, i) => `k${i}: v${i}`).join(', ');

const TEMPLATE = `Resources:
  LogGroup:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: /quota/tags
      Tags: [${fortySeven}]
  Vpc:
    Type: AWS::EC2::VPC
    Properties:
      CidrBlock: 10.60.0.0/16
      Tags: [${fortySeven}]
  Cluster:
    Type: AWS::ECS::Cluster
    Properties:
      ClusterName: quota-tags
      Tags: [${fortySeven}]
  Repo:
    Type: AWS::ECR::Repository
    Properties:
      RepositoryName: quota/tags
      Tags: [${fortySeven}]
  Role:
    Type: AWS::IAM::Role
    Properties:
      RoleName: quota-tags
      AssumeRolePolicyDocument:
        Version: '2012-10-17'
        Statement: [{Effect: Allow, Principal: {Service: ecs-tasks.amazonaws.com}, Action: 'sts:AssumeRole'}]
      Tags: [${fortySeven}]
  Api:
    Type: AWS::ApiGatewayV2::Api
    Properties:
      Name: quota-tags
      ProtocolType: HTTP
      Tags: {${fortySevenMap}}
Outputs:
  LogGroupArn: {Value: !GetAtt LogGroup.Arn}
  VpcId: {Value: !Ref Vpc}
  ClusterArn: {Value: !GetAtt Cluster.Arn}
  RepoArn: {Value: !GetAtt Repo.Arn}
  ApiId: {Value: !Ref Api}
`;

type KV = { Key: string; Value: string };
const userAndSystem = (keys: string[]) => ({ user: keys.filter((k) => !k.startsWith('aws:')).length, system: keys.filter((k) => k.startsWith('aws:')).length });

test('on resources CloudFormation made, 50 tags of the user fit beside the 3 system tags; the 51st is refused', async () => {
  const deploy = await cli(['cloudformation', 'deploy', '--stack-name', 'quota', '--capabilities', 'CAPABILITY_NAMED_IAM', '--template-file', templateFile(TEMPLATE)]);
  assert.equal(deploy.code, 0, await failureReport(server, 'quota', deploy.stderr));
  const stack = await describeStack(server, 'quota');
  const logGroupArn = output(stack, 'LogGroupArn').replace(/:\*$/, '');
  const apiArn = `arn:aws:apigateway:us-east-1::/apis/${output(stack, 'ApiId')}`;

  // Per service: how to add user tags k<from>..k<to-1>, and how to list the keys the resource holds.
  const services: Record<string, { tag: (from: number, to: number) => string[]; untag: (key: string) => string[]; keys: () => Promise<string[]>; tooMany: RegExp }> = {
    logs: {
      tag: (a, b) => ['logs', 'tag-resource', '--resource-arn', logGroupArn, '--tags', range(a, b, (i) => `k${i}=v${i}`).join(',')],
      untag: (k) => ['logs', 'untag-resource', '--resource-arn', logGroupArn, '--tag-keys', k],
      keys: async () => Object.keys((await json<{ tags: Record<string, string> }>(['logs', 'list-tags-for-resource', '--resource-arn', logGroupArn])).tags),
      tooMany: /TooManyTagsException/,
    },
    ec2: {
      tag: (a, b) => ['ec2', 'create-tags', '--resources', output(stack, 'VpcId'), '--tags', ...range(a, b, (i) => `Key=k${i},Value=v${i}`)],
      untag: (k) => ['ec2', 'delete-tags', '--resources', output(stack, 'VpcId'), '--tags', `Key=${k}`],
      keys: async () => (await json<{ Tags: KV[] }>(['ec2', 'describe-tags', '--filters', `Name=resource-id,Values=${output(stack, 'VpcId')}`])).Tags.map((t) => t.Key),
      tooMany: /TagLimitExceeded/,
    },
    ecs: {
      tag: (a, b) => ['ecs', 'tag-resource', '--resource-arn', output(stack, 'ClusterArn'), '--tags', ...range(a, b, (i) => `key=k${i},value=v${i}`)],
      untag: (k) => ['ecs', 'untag-resource', '--resource-arn', output(stack, 'ClusterArn'), '--tag-keys', k],
      keys: async () => (await json<{ tags: Array<{ key: string }> }>(['ecs', 'list-tags-for-resource', '--resource-arn', output(stack, 'ClusterArn')])).tags.map((t) => t.key),
      tooMany: /InvalidParameterException.*exceeds the limit of 50 tags/,
    },
    ecr: {
      tag: (a, b) => ['ecr', 'tag-resource', '--resource-arn', output(stack, 'RepoArn'), '--tags', ...range(a, b, (i) => `Key=k${i},Value=v${i}`)],
      untag: (k) => ['ecr', 'untag-resource', '--resource-arn', output(stack, 'RepoArn'), '--tag-keys', k],
      keys: async () => (await json<{ tags: KV[] }>(['ecr', 'list-tags-for-resource', '--resource-arn', output(stack, 'RepoArn')])).tags.map((t) => t.Key),
      tooMany: /TooManyTagsException/,
    },
    iam: {
      tag: (a, b) => ['iam', 'tag-role', '--role-name', 'quota-tags', '--tags', ...range(a, b, (i) => `Key=k${i},Value=v${i}`)],
      untag: (k) => ['iam', 'untag-role', '--role-name', 'quota-tags', '--tag-keys', k],
      keys: async () => (await json<{ Tags: KV[] }>(['iam', 'list-role-tags', '--role-name', 'quota-tags'])).Tags.map((t) => t.Key),
      tooMany: /LimitExceeded/,
    },
    apigatewayv2: {
      tag: (a, b) => ['apigatewayv2', 'tag-resource', '--resource-arn', apiArn, '--tags', range(a, b, (i) => `k${i}=v${i}`).join(',')],
      untag: (k) => ['apigatewayv2', 'untag-resource', '--resource-arn', apiArn, '--tag-keys', k],
      keys: async () => Object.keys((await json<{ Tags: Record<string, string> }>(['apigatewayv2', 'get-tags', '--resource-arn', apiArn])).Tags),
      tooMany: /BadRequestException.*Too many tags/,
    },
  };
  for (const [name, s] of Object.entries(services)) {
    assert.deepEqual(userAndSystem(await s.keys()), { user: 47, system: 3 }, `${name}: as CloudFormation made it`);
    const up = await cli(s.tag(47, 50));
    assert.equal(up.code, 0, `${name}: three more tags of the user: ${up.stderr}`);
    assert.deepEqual(userAndSystem(await s.keys()), { user: 50, system: 3 }, `${name}: after TagResource`);
    const over = await cli(s.tag(50, 51));
    assert.match(over.stderr, s.tooMany, `${name}: the 51st tag of the user`);
    assert.equal((await cli(s.tag(0, 1))).code, 0, `${name}: a new value for a key it has is not a new tag`);
    assert.deepEqual(userAndSystem(await s.keys()), { user: 50, system: 3 }, `${name}: nothing lost`);
    const untag = await cli(s.untag('k1'));
    assert.equal(untag.code, 0, `${name}: untagging a tag of the user: ${untag.stderr}`);
    assert.deepEqual(userAndSystem(await s.keys()), { user: 49, system: 3 }, `${name}: after UntagResource`);
  }

  assert.equal((await cli(['cloudformation', 'delete-stack', '--stack-name', 'quota'])).code, 0);
  assert.equal((await cli(['cloudformation', 'wait', 'stack-delete-complete', '--stack-name', 'quota'])).code, 0);
});

function range(from: number, to: number, f: (i: number) => string): string[] {
  return Array.from({ length: to - from }, (_, i) => f(from + i));
}

test('EC2 counts the tags a create call brings: 50 are taken, 51 are TagLimitExceeded and nothing is made', async () => {
  const spec = (n: number) => `ResourceType=vpc,Tags=[${range(0, n, (i) => `{Key=c${i},Value=v}`).join(',')}]`;
  const before = (await json<{ Vpcs: unknown[] }>(['ec2', 'describe-vpcs'])).Vpcs.length;
  const over = await cli(['ec2', 'create-vpc', '--cidr-block', '10.61.0.0/16', '--tag-specifications', spec(51)]);
  assert.match(over.stderr, /TagLimitExceeded/);
  assert.equal((await json<{ Vpcs: unknown[] }>(['ec2', 'describe-vpcs'])).Vpcs.length, before);
  const made = await json<{ Vpc: { VpcId: string; Tags: KV[] } }>(['ec2', 'create-vpc', '--cidr-block', '10.61.0.0/16', '--tag-specifications', spec(50)]);
  assert.equal(made.Vpc.Tags.length, 50);
  assert.equal((await cli(['ec2', 'delete-vpc', '--vpc-id', made.Vpc.VpcId])).code, 0);
});
