import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import { parseAwsJsonInput, parseEc2Input, parseRestJsonInput, MalformedBodyError, UnknownParameterError } from './parse-input.js';
import { parseQuery } from './query-string.js';
import { WireTypeError } from './shape-reader.js';

const ec2 = loadModel('ec2');
const apigw = loadModel('apigatewayv2');
const ecs = loadModel('ecs');

test('ec2 query: flattened lists of structures, locationName capitalised, types coerced', () => {
  const params = new Map([
    ['Filter.1.Name', 'vpc-id'],
    ['Filter.1.Value.1', 'vpc-1'],
    ['Filter.1.Value.2', 'vpc-2'],
    ['Filter.2.Name', 'tag:Name'],
    ['Filter.2.Value.1', 'x'],
    ['MaxResults', '7'],
  ]);
  assert.deepEqual(parseEc2Input(ec2, ec2.operations.DescribeSubnets!.input, params), {
    Filters: [
      { Name: 'vpc-id', Values: ['vpc-1', 'vpc-2'] },
      { Name: 'tag:Name', Values: ['x'] },
    ],
    MaxResults: 7,
  });
  const sg = parseEc2Input(
    ec2,
    ec2.operations.CreateSecurityGroup!.input,
    new Map([
      ['GroupName', 'g'],
      ['GroupDescription', 'd'],
    ]),
  );
  assert.deepEqual(sg, { GroupName: 'g', Description: 'd' });
});

test('ec2 query: unknown parameters and wrong types are refused', () => {
  assert.throws(() => parseEc2Input(ec2, ec2.operations.DescribeVpcs!.input, new Map([['Bogus', '1']])), UnknownParameterError);
  assert.throws(() => parseEc2Input(ec2, ec2.operations.DescribeVpcs!.input, new Map([['MaxResults', 'ten']])), WireTypeError);
});

test('rest-json: labels, query strings and camelCase body keys become member names', () => {
  const input = parseRestJsonInput(apigw, apigw.operations.GetRoutes!.input, {
    labels: { apiId: 'abc' },
    query: parseQuery('maxResults=5&nextToken=t%2B1'),
    headers: {},
    body: Buffer.alloc(0),
  });
  assert.deepEqual(input, { ApiId: 'abc', MaxResults: '5', NextToken: 't+1' });
  const create = parseRestJsonInput(apigw, apigw.operations.CreateApi!.input, {
    labels: {},
    query: new Map(),
    headers: {},
    body: Buffer.from('{"name":"a","protocolType":"HTTP","corsConfiguration":{"allowOrigins":["*"],"maxAge":5}}'),
  });
  assert.deepEqual(create, { Name: 'a', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], MaxAge: 5 } });
});

test('awsJson: wrong member types and malformed JSON are distinct errors', () => {
  assert.deepEqual(parseAwsJsonInput(ecs, ecs.operations.CreateCluster!.input, Buffer.from('{"clusterName":"c"}')), { clusterName: 'c' });
  assert.throws(() => parseAwsJsonInput(ecs, ecs.operations.CreateService!.input, Buffer.from('{"desiredCount":"3"}')), WireTypeError);
  assert.throws(() => parseAwsJsonInput(ecs, ecs.operations.CreateService!.input, Buffer.from('{"desiredCount":1.5}')), WireTypeError);
  assert.throws(() => parseAwsJsonInput(ecs, ecs.operations.CreateService!.input, Buffer.from('[1,2]')), WireTypeError);
  assert.throws(() => parseAwsJsonInput(ecs, ecs.operations.CreateService!.input, Buffer.from('{"serviceName":')), MalformedBodyError);
  // an empty body is the empty structure
  assert.deepEqual(parseAwsJsonInput(ecs, ecs.operations.ListClusters!.input, Buffer.alloc(0)), {});
});
