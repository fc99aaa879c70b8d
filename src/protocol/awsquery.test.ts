import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseQueryInput, queryErrorShape, writeQueryErrorXml, writeQueryXml } from './awsquery.js';
import { loadModel } from './model.js';
import { parseQuery } from './query-string.js';

const iam = loadModel('iam');
const sts = loadModel('sts');
const cfn = loadModel('cloudformation');

/** The pairs of a form body, as the dispatcher hands them over. */
const form = (body: string) => new Map(new URLSearchParams(body));

test('awsquery input: member names as written, lists as Name.member.N, types from the model', () => {
  const params = form(
    'Action=CreateRole&Version=2010-05-08&RoleName=web&Path=%2Fapp%2F&MaxSessionDuration=7200' +
      '&AssumeRolePolicyDocument=%7B%22Version%22%3A%222012-10-17%22%7D' +
      '&Tags.member.1.Key=team&Tags.member.1.Value=blue&Tags.member.2.Key=env&Tags.member.2.Value=dev',
  );
  assert.deepEqual(parseQueryInput(iam, iam.operations.CreateRole!.input, params), {
    RoleName: 'web',
    Path: '/app/',
    MaxSessionDuration: 7200,
    AssumeRolePolicyDocument: '{"Version":"2012-10-17"}',
    Tags: [
      { Key: 'team', Value: 'blue' },
      { Key: 'env', Value: 'dev' },
    ],
  });
});

test('awsquery input: list items sorted by index, a bare `Name=` is an empty list, unknown names ignored', () => {
  const params = form('RoleArn=arn%3Aaws%3Aiam%3A%3A000000000000%3Arole%2Fr&RoleSessionName=s&PolicyArns.member.2.arn=b&PolicyArns.member.1.arn=a&NotInModel=1');
  const input = parseQueryInput(sts, sts.operations.AssumeRole!.input, params);
  assert.deepEqual(input.PolicyArns, [{ arn: 'a' }, { arn: 'b' }]);
  assert.equal('NotInModel' in input, false);
  const empty = parseQueryInput(sts, sts.operations.AssumeRole!.input, form('RoleArn=x&RoleSessionName=s&PolicyArns='));
  assert.deepEqual(empty.PolicyArns, []);
});

test('awsquery input: maps as Name.entry.N.key / .value; booleans and numbers typed', () => {
  const params = form(
    'TypeName=AWS%3A%3AS3%3A%3ABucket&ResourcesToImport.member.1.ResourceType=AWS%3A%3AS3%3A%3ABucket' +
      '&ResourcesToImport.member.1.LogicalResourceId=B&ResourcesToImport.member.1.ResourceIdentifier.entry.1.key=BucketName' +
      '&ResourcesToImport.member.1.ResourceIdentifier.entry.1.value=b1&StackName=s&ChangeSetName=c&IncludeNestedStacks=true',
  );
  const input = parseQueryInput(cfn, cfn.operations.CreateChangeSet!.input, params);
  assert.deepEqual(input.ResourcesToImport, [{ ResourceType: 'AWS::S3::Bucket', LogicalResourceId: 'B', ResourceIdentifier: { BucketName: 'b1' } }]);
  assert.equal(input.IncludeNestedStacks, true);
});

test('awsquery output: <OpResponse><OpResult>, <member> list items, ISO timestamps, escaped text, ResponseMetadata', () => {
  const xml = writeQueryXml(
    iam,
    'ListRoles',
    {
      Roles: [{ RoleName: 'a&b', Path: '/', RoleId: 'AROAEXAMPLE', Arn: 'arn:aws:iam::000000000000:role/a&b', CreateDate: new Date(Date.UTC(2026, 0, 2)) }],
      IsTruncated: false,
    },
    'req-1',
  );
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ListRolesResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ListRolesResult>' +
      '<Roles><member><Path>/</Path><RoleName>a&amp;b</RoleName><RoleId>AROAEXAMPLE</RoleId><Arn>arn:aws:iam::000000000000:role/a&amp;b</Arn>' +
      '<CreateDate>2026-01-02T00:00:00Z</CreateDate></member></Roles><IsTruncated>false</IsTruncated></ListRolesResult>' +
      '<ResponseMetadata><RequestId>req-1</RequestId></ResponseMetadata></ListRolesResponse>',
  );
});

test('awsquery output: maps as <entry><key/><value/></entry>; an operation without output has only ResponseMetadata', () => {
  const summary = writeQueryXml(iam, 'GetAccountSummary', { SummaryMap: { Roles: 3 } }, 'r');
  assert.match(summary, /<GetAccountSummaryResult><SummaryMap><entry><key>Roles<\/key><value>3<\/value><\/entry><\/SummaryMap><\/GetAccountSummaryResult>/);
  assert.equal(
    writeQueryXml(iam, 'DeleteRole', undefined, 'r'),
    '<?xml version="1.0" encoding="UTF-8"?>\n<DeleteRoleResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><ResponseMetadata><RequestId>r</RequestId></ResponseMetadata></DeleteRoleResponse>',
  );
});

test('awsquery errors: the wire code maps back to its shape (and status); ErrorResponse names Sender or Receiver', () => {
  assert.equal(queryErrorShape(iam, 'NoSuchEntity'), 'NoSuchEntityException');
  assert.equal(iam.shapes.NoSuchEntityException!.error?.httpStatusCode, 404);
  assert.equal(queryErrorShape(iam, 'NotACode'), undefined);
  const xml = writeQueryErrorXml(iam, 'NoSuchEntity', 'The role with name x cannot be found.', 404, 'r');
  assert.equal(
    xml,
    '<?xml version="1.0" encoding="UTF-8"?>\n<ErrorResponse xmlns="https://iam.amazonaws.com/doc/2010-05-08/"><Error><Type>Sender</Type>' +
      '<Code>NoSuchEntity</Code><Message>The role with name x cannot be found.</Message></Error><RequestId>r</RequestId></ErrorResponse>',
  );
  assert.match(writeQueryErrorXml(sts, 'InternalFailure', 'x', 500, 'r'), /<Type>Receiver<\/Type>/);
});

test('awsquery input from a URL query string reads the same as from a form body', () => {
  const fromQuery = parseQuery('RoleName=web&Tags.member.1.Key=k&Tags.member.1.Value=v');
  const params = new Map([...fromQuery].map(([k, v]) => [k, v[0]!]));
  assert.deepEqual(parseQueryInput(iam, iam.operations.TagRole!.input, params), { RoleName: 'web', Tags: [{ Key: 'k', Value: 'v' }] });
});
