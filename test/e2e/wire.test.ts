// The AWS wire layer, protocol by protocol: signatures, malformed and mistyped input, unknown
// operations, oversized bodies. Every answer must be AWS's code in the protocol's own shape, never a 5xx.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { request } from 'node:http';
import * as E from '@aws-sdk/client-ec2';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import { rawRequest, sdkConfig, signedRequest, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
before(async () => {
  server = await startTestServer();
});
after(() => server.destroy());

const JSON_HEADERS = (target: string) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target });

async function sdkError(p: Promise<unknown>): Promise<{ name: string; status: number; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode ?? 0, message: err.message };
  }
  assert.fail('expected an error');
}

test('a wrong secret is refused in each protocol with its own code and status', async () => {
  const ec2 = await sdkError(new E.EC2Client(sdkConfig(server, 'us-east-1', 'wrong')).send(new E.DescribeVpcsCommand({})));
  assert.deepEqual([ec2.name, ec2.status], ['AuthFailure', 401]);
  const logs = await sdkError(new L.CloudWatchLogsClient(sdkConfig(server, 'us-east-1', 'wrong')).send(new L.DescribeLogGroupsCommand({})));
  assert.deepEqual([logs.name, logs.status], ['InvalidSignatureException', 400]);
  const apigw = await sdkError(new AG.ApiGatewayV2Client(sdkConfig(server, 'us-east-1', 'wrong')).send(new AG.GetApisCommand({})));
  assert.deepEqual([apigw.name, apigw.status], ['InvalidSignatureException', 403]);
  const sd = await sdkError(new SD.ServiceDiscoveryClient(sdkConfig(server, 'us-east-1', 'wrong')).send(new SD.ListNamespacesCommand({})));
  assert.deepEqual([sd.name, sd.status], ['InvalidSignatureException', 400]);
});

test('EC2 auth errors are EC2 XML with RequestID; awsJson errors carry __type and both message casings', async () => {
  const r = await signedRequest(server, {
    service: 'ec2',
    secret: 'wrong',
    headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' },
    body: 'Action=DescribeVpcs&Version=2016-11-15',
  });
  assert.equal(r.status, 401);
  assert.match(
    r.text,
    /^<\?xml version="1\.0" encoding="UTF-8"\?>\n<Response><Errors><Error><Code>AuthFailure<\/Code><Message>[^<]+<\/Message><\/Error><\/Errors><RequestID>[0-9a-f-]{36}<\/RequestID><\/Response>$/,
  );
  const unsigned = await rawRequest(server, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeVpcs&Version=2016-11-15' });
  assert.equal(unsigned.status, 401);
  assert.match(unsigned.text, /<Code>MissingAuthenticationToken<\/Code>/);
  const json = await rawRequest(server, { headers: JSON_HEADERS('Logs_20140328.DescribeLogGroups'), body: '{}' });
  assert.equal(json.status, 400);
  assert.equal(json.headers.get('content-type'), 'application/x-amz-json-1.1');
  assert.deepEqual(JSON.parse(json.text), { __type: 'MissingAuthenticationTokenException', message: 'Missing Authentication Token', Message: 'Missing Authentication Token' });
  const rest = await rawRequest(server, { method: 'GET', path: '/v2/apis' });
  assert.equal(rest.status, 403);
  assert.equal(rest.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
});

test('stale signatures are refused, of unknown keys too (which --auth on takes unverified otherwise; accounts.test.ts)', async () => {
  const unknown = await rawRequest(server, {
    headers: {
      ...JSON_HEADERS('Logs_20140328.DescribeLogGroups'),
      authorization: 'AWS4-HMAC-SHA256 Credential=AKIAUNKNOWN/20261126/us-east-1/logs/aws4_request, SignedHeaders=host;x-amz-date;x-amz-target, Signature=' + '0'.repeat(64),
      'x-amz-date': '20261126T000000Z',
    },
    body: '{}',
  });
  assert.equal(JSON.parse(unknown.text).__type, 'InvalidSignatureException');
  assert.match(JSON.parse(unknown.text).message, /Signature expired/);
  const stale = await signedRequest(server, { service: 'logs', headers: JSON_HEADERS('Logs_20140328.DescribeLogGroups'), body: '{}', date: new Date(Date.now() - 20 * 60_000) });
  assert.equal(stale.status, 400);
  assert.equal(JSON.parse(stale.text).__type, 'InvalidSignatureException');
  assert.match(JSON.parse(stale.text).message, /Signature expired/);
  const ec2Stale = await signedRequest(server, {
    service: 'ec2',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: 'Action=DescribeVpcs&Version=2016-11-15',
    date: new Date(Date.now() - 20 * 60_000),
  });
  assert.match(ec2Stale.text, /<Code>RequestExpired<\/Code>/);
});

test('malformed JSON, wrong member types and constraint violations are 400s in the service’s codes', async () => {
  const cases: Array<[string, string, string]> = [
    ['Logs_20140328.CreateLogGroup', '{"logGroupName":', 'SerializationException'],
    ['Logs_20140328.CreateLogGroup', '{"logGroupName":5}', 'SerializationException'],
    ['Logs_20140328.CreateLogGroup', '"just a string"', 'SerializationException'],
    ['Logs_20140328.CreateLogGroup', '{}', 'InvalidParameterException'],
    ['AmazonEC2ContainerServiceV20141113.CreateService', '{"serviceName":"s","desiredCount":"two"}', 'SerializationException'],
    ['AmazonEC2ContainerServiceV20141113.CreateService', '{"serviceName":"s","launchType":"MOON"}', 'InvalidParameterException'],
    ['Route53AutoNaming_v20170314.CreateService', '{"DnsConfig":{}}', 'InvalidInput'],
    ['Route53AutoNaming_v20170314.CreateService', '{"Name":["x"]}', 'SerializationException'],
  ];
  for (const [target, body, expected] of cases) {
    const service = target.startsWith('Logs') ? 'logs' : target.startsWith('Amazon') ? 'ecs' : 'servicediscovery';
    const r = await signedRequest(server, { service, headers: JSON_HEADERS(target), body });
    assert.equal(r.status, 400, `${target} ${body}: ${r.text}`);
    assert.equal(JSON.parse(r.text).__type, expected, `${target} ${body}: ${r.text}`);
  }
  const rest = await signedRequest(server, { service: 'apigateway', path: '/v2/apis', headers: { 'content-type': 'application/json' }, body: '{"name":' });
  assert.equal(rest.status, 400);
  assert.equal(rest.headers.get('x-amzn-errortype'), 'BadRequestException');
  const long = await sdkError(new AG.ApiGatewayV2Client(sdkConfig(server)).send(new AG.CreateApiCommand({ Name: 'x'.repeat(200), ProtocolType: 'HTTP' })));
  assert.deepEqual([long.name, long.status], ['BadRequestException', 400]);
  const ecsType = await sdkError(new ECS.ECSClient(sdkConfig(server)).send(new ECS.ListTasksCommand({ desiredStatus: 'NOPE' as never })));
  assert.equal(ecsType.name, 'InvalidParameterException');
});

test('EC2 query input: unknown parameters, bad types, missing and unknown actions', async () => {
  const form = (body: string) => signedRequest(server, { service: 'ec2', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body });
  const expectCode = async (body: string, code: string) => {
    const r = await form(body);
    assert.equal(r.status, 400, `${body}: ${r.text}`);
    assert.match(r.text, new RegExp(`<Code>${code.replace('.', '\\.')}</Code>`), body);
  };
  await expectCode('Action=DescribeVpcs&Version=2016-11-15&Bogus=1', 'UnknownParameter');
  await expectCode('Action=DescribeVpcs&Version=2016-11-15&MaxResults=lots', 'InvalidParameterValue');
  await expectCode('Action=CreateSubnet&Version=2016-11-15&CidrBlock=10.0.0.0/24', 'MissingParameter');
  await expectCode('Action=LaunchRockets&Version=2016-11-15', 'InvalidAction');
  await expectCode('Version=2016-11-15', 'MissingAction');
  await expectCode('Action=DescribeVpcs&Version=2016-11-15&Filter.1.Name=colour&Filter.1.Value.1=x', 'InvalidParameterValue');
  // A bad %-escape in the URL of an EC2 request: EC2's MalformedQueryString, in EC2's XML.
  const scope = 'AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/ec2/aws4_request, SignedHeaders=host, Signature=00';
  const malformed = await rawRequest(server, { method: 'GET', path: '/?Action=DescribeVpcs&Version=2016-11-15&x=%ZZ', headers: { authorization: scope } });
  assert.equal(malformed.status, 400, malformed.text);
  assert.match(malformed.text, /<Code>MalformedQueryString<\/Code>/);
});

test('unknown targets and operations answer UnknownOperationException; unknown /v2 paths 404', async () => {
  const t = await signedRequest(server, { service: 'logs', headers: JSON_HEADERS('Nope_2020.Thing'), body: '{}' });
  assert.equal(JSON.parse(t.text).__type, 'UnknownOperationException');
  const op = await signedRequest(server, { service: 'logs', headers: JSON_HEADERS('Logs_20140328.MakeCoffee'), body: '{}' });
  assert.equal(JSON.parse(op.text).__type, 'UnknownOperationException');
  const path = await signedRequest(server, { service: 'apigateway', method: 'GET', path: '/v2/nowhere' });
  assert.equal(path.status, 404);
  const nothing = await rawRequest(server, { method: 'GET', path: '/' });
  assert.equal(nothing.status, 404);
  assert.match(JSON.parse(nothing.text).message, /_wayfinder\/health/);
});

test('bodies over the limit are refused with 413 before being read whole (declared or chunked)', async () => {
  const big = Buffer.alloc(3 * 1024 * 1024, 0x61);
  const declared = await rawRequest(server, { headers: JSON_HEADERS('Logs_20140328.PutLogEvents'), body: big });
  assert.equal(declared.status, 413);
  assert.equal(JSON.parse(declared.text).__type, 'RequestEntityTooLarge');
  // chunked: no Content-Length, the server stops at the limit
  const status = await new Promise<number>((resolve, reject) => {
    const req = request(
      { host: '127.0.0.1', port: server.port, method: 'POST', path: '/', headers: { ...JSON_HEADERS('Logs_20140328.PutLogEvents'), 'transfer-encoding': 'chunked' } },
      (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      },
    );
    req.on('error', reject);
    let sent = 0;
    const chunk = Buffer.alloc(64 * 1024, 0x62);
    const pump = () => {
      while (sent < 8 * 1024 * 1024) {
        sent += chunk.length;
        if (!req.write(chunk)) return req.once('drain', pump);
      }
      req.end();
    };
    req.on('response', () => req.destroy());
    pump();
  });
  assert.equal(status, 413);
  // the server is still fine afterwards
  assert.equal((await rawRequest(server, { method: 'GET', path: '/_wayfinder/health' })).status, 200);
});

test('the data- host prefix of DiscoverInstances and any Host reach the control plane', async () => {
  const r = await signedRequest(server, { service: 'logs', headers: { ...JSON_HEADERS('Logs_20140328.DescribeLogGroups'), host: 'data-localhost:4566' }, body: '{}' });
  assert.equal(r.status, 200);
});

test('auth off accepts unsigned and wrongly signed requests, and takes the region from the scope', async () => {
  const open = await startTestServer({ auth: 'off' });
  try {
    const unsigned = await rawRequest(open, { headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=DescribeAvailabilityZones&Version=2016-11-15' });
    assert.equal(unsigned.status, 200);
    assert.match(unsigned.text, /<zoneName>us-east-1a<\/zoneName>/);
    const { AvailabilityZones } = await new E.EC2Client(sdkConfig(open, 'eu-west-2', 'whatever')).send(new E.DescribeAvailabilityZonesCommand({}));
    assert.equal(AvailabilityZones![0]!.RegionName, 'eu-west-2');
  } finally {
    await open.destroy();
  }
});

test('a configured key pair signs requests like the built-in one; its wrong secret is refused', async () => {
  const keyed = await startTestServer({
    credentials: [
      { accessKeyId: 'test', secretAccessKey: 'test', accountId: '000000000000' },
      { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cret', accountId: '000000000000' },
    ],
  });
  try {
    const cfg = { endpoint: `http://127.0.0.1:${keyed.port}`, region: 'us-east-1', maxAttempts: 1 };
    const ok = new L.CloudWatchLogsClient({ ...cfg, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 's3cret' } });
    await ok.send(new L.CreateLogGroupCommand({ logGroupName: 'by-example-key' }));
    const wrong = await sdkError(
      new L.CloudWatchLogsClient({ ...cfg, credentials: { accessKeyId: 'AKIAEXAMPLE', secretAccessKey: 'nope' } }).send(new L.DescribeLogGroupsCommand({})),
    );
    assert.equal(wrong.name, 'InvalidSignatureException');
  } finally {
    await keyed.destroy();
  }
});
