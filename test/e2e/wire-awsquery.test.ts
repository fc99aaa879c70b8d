// The awsquery protocol (IAM, STS, CloudFormation) beside EC2's query dialect on the one endpoint:
// each form request reaches the service its credential scope names, errors come back in the
// `<ErrorResponse>` shape every query SDK reads, and a query service Wayfinder does not serve is told
// so honestly instead of being handed to EC2 (docs/aws-behavior.md §1.1, §1.8).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import * as STS from '@aws-sdk/client-sts';
import { awsCli, hasAwsCliV2 } from '../support/aws-cli.js';
import { rawRequest, sdkConfig, signedRequest, startTestServer, type TestServer } from '../support/server.js';

const run = promisify(execFile);
let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

const FORM = { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' };

test('a query service Wayfinder does not serve gets 501 NotImplemented in the awsquery shape, read by the aws CLI and boto3', async () => {
  const r = await signedRequest(server, { service: 'sns', headers: FORM, body: 'Action=ListTopics&Version=2010-03-31' });
  assert.equal(r.status, 501);
  assert.match(
    r.text,
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<ErrorResponse><Error><Type>Receiver<\/Type><Code>NotImplemented<\/Code><Message>Wayfinder does not serve the AWS service &apos;sns&apos;[^<]*<\/Message><\/Error><RequestId>[0-9a-f-]{36}<\/RequestId><\/ErrorResponse>$/,
  );
  for (const v2 of hasAwsCliV2() ? [false, true] : [false]) {
    const cli = await awsCli(server.port, ['sns', 'list-topics'], { v2 });
    assert.notEqual(cli.code, 0);
    assert.match(
      cli.stderr,
      /An error occurred \(NotImplemented\) when calling the ListTopics operation: Wayfinder does not serve the AWS service 'sns'/,
      `aws CLI v${v2 ? 2 : 1}`,
    );
  }
  const py = await run(
    'python3',
    [
      '-c',
      `import boto3, botocore
try:
    boto3.client('elb', endpoint_url='http://127.0.0.1:${server.port}', region_name='us-east-1', aws_access_key_id='test', aws_secret_access_key='test').describe_load_balancers()
except botocore.exceptions.ClientError as e:
    print(e.response['Error']['Code'], e.response['ResponseMetadata']['HTTPStatusCode'])`,
    ],
    { timeout: 60_000 },
  );
  assert.equal(py.stdout.trim(), 'NotImplemented 501');
});

test('awsquery errors: an unsigned request, a wrong secret and an unknown action, each in its code and status', async () => {
  const unsigned = await rawRequest(server, { headers: FORM, body: 'Action=GetCallerIdentity&Version=2011-06-15' });
  assert.equal(unsigned.status, 403);
  assert.match(
    unsigned.text,
    /^<\?xml[^>]*>\n<ErrorResponse xmlns="https:\/\/sts\.amazonaws\.com\/doc\/2011-06-15\/"><Error><Type>Sender<\/Type><Code>MissingAuthenticationToken<\/Code>/,
  );
  try {
    await new STS.STSClient(sdkConfig(server, 'us-east-1', 'wrong')).send(new STS.GetCallerIdentityCommand({}));
    assert.fail('a wrong secret was accepted');
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    assert.deepEqual([err.name, err.$metadata?.httpStatusCode], ['SignatureDoesNotMatch', 403]);
  }
  const unknown = await signedRequest(server, { service: 'sts', headers: FORM, body: 'Action=NoSuchAction&Version=2011-06-15' });
  assert.equal(unknown.status, 400);
  assert.match(unknown.text, /<Code>InvalidAction<\/Code><Message>Could not find operation NoSuchAction for version 2011-06-15<\/Message>/);
  const missing = await signedRequest(server, { service: 'iam', headers: FORM, body: 'Version=2010-05-08' });
  assert.match(missing.text, /<ErrorResponse[^>]*><Error><Type>Sender<\/Type><Code>MissingAction<\/Code>/);
});

test('EC2 keeps its own dialect and error shape on the same endpoint', async () => {
  const vpcs = await awsCli(server.port, ['ec2', 'describe-vpcs', '--query', 'Vpcs[?IsDefault].CidrBlock', '--output', 'text'], { v2: hasAwsCliV2() });
  assert.equal(vpcs.code, 0, vpcs.stderr);
  assert.equal(vpcs.stdout.trim(), '172.31.0.0/16');
  const bad = await signedRequest(server, { service: 'ec2', headers: FORM, body: 'Action=NoSuchAction&Version=2016-11-15' });
  assert.match(bad.text, /^<\?xml[^>]*>\n<Response><Errors><Error><Code>InvalidAction<\/Code>/);
});
