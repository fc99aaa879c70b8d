import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isAwsError } from '../kernel/errors.js';
import { federatedPrincipals, policySize, validatePolicyDocument, type PolicyKind } from './policy-document.js';

const ECS_TRUST = JSON.stringify({
  Version: '2012-10-17',
  Statement: [{ Effect: 'Allow', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Action: 'sts:AssumeRole' }],
});
const READ_LOGS = JSON.stringify({ Version: '2012-10-17', Statement: { Sid: 'Logs1', Effect: 'Allow', Action: ['logs:Get*', 'logs:Describe*'], Resource: '*' } });

/** The MalformedPolicyDocument message validating `doc` answers, or 'valid'. */
function outcome(doc: unknown, kind: PolicyKind): string {
  try {
    validatePolicyDocument(typeof doc === 'string' ? doc : JSON.stringify(doc), kind);
    return 'valid';
  } catch (e) {
    assert.ok(isAwsError(e), String(e));
    assert.equal(e.code, 'MalformedPolicyDocument');
    return e.message;
  }
}

const statement = (s: object) => ({ Version: '2012-10-17', Statement: [s] });

test('well-formed identity and trust policies pass, in both versions and with a single Statement object', () => {
  assert.equal(outcome(ECS_TRUST, 'trust'), 'valid');
  assert.equal(outcome(READ_LOGS, 'identity'), 'valid');
  assert.equal(outcome({ Version: '2008-10-17', Statement: { Effect: 'Deny', NotAction: 'iam:*', NotResource: 'arn:aws:iam::123456789012:role/x' } }, 'identity'), 'valid');
  assert.equal(
    outcome(
      statement({
        Effect: 'Allow',
        Action: 's3:GetObject',
        Resource: 'arn:aws:s3:::b/*',
        Condition: { StringEquals: { 'aws:PrincipalTag/team': ['a', 'b'] }, Bool: { 'aws:SecureTransport': true } },
      }),
      'identity',
    ),
    'valid',
  );
  assert.equal(outcome(statement({ Effect: 'Allow', Principal: { AWS: ['arn:aws:iam::123456789012:root', '123456789012'] }, Action: 'sts:AssumeRole' }), 'trust'), 'valid');
  assert.equal(outcome(statement({ Effect: 'Allow', Principal: '*', Action: 'sts:AssumeRole' }), 'trust'), 'valid');
});

test('documents that are not JSON, or not a policy, answer IAM’s syntax messages', () => {
  assert.equal(outcome('{"Version": "2012-10-17", ', 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome('not json', 'trust'), 'This policy contains invalid Json');
  assert.equal(outcome('[]', 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome({ Version: '2012-10-17' }, 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome({ Version: '2012-10-17', Statement: [] }, 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome({ Version: '2012-10-17', Statement: [], Extra: 1 }, 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome({ Version: '2012-10-17', Statement: ['x'] }, 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'logs:*', Resource: '*', Bogus: 1 }), 'identity'), 'Syntax errors in policy.');
});

test('an unknown Version fails legacy parsing', () => {
  assert.equal(outcome({ Version: '2012-10-18', Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 'identity'), 'The policy failed legacy parsing');
  assert.equal(outcome({ Version: 2012, Statement: { Effect: 'Allow', Action: '*', Resource: '*' } }, 'identity'), 'The policy failed legacy parsing');
});

test('Effect, Action and Resource are required and checked', () => {
  assert.equal(outcome(statement({ Action: '*', Resource: '*' }), 'identity'), 'Missing required field Effect');
  assert.equal(outcome(statement({ Effect: 'Allowed', Action: '*', Resource: '*' }), 'identity'), 'Invalid effect: Allowed');
  assert.equal(outcome(statement({ Effect: 'Allow', Resource: '*' }), 'identity'), 'Policy statement must contain actions.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'logs:*' }), 'identity'), 'Policy statement must contain resources.');
  assert.equal(
    outcome(statement({ Effect: 'Allow', Action: 'GetObject', Resource: '*' }), 'identity'),
    'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.',
  );
  assert.equal(outcome(statement({ Effect: 'Allow', Action: [], Resource: '*' }), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: [1], Resource: '*' }), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'a:b', NotAction: 'c:d', Resource: '*' }), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'a:b', Resource: 'bucket' }), 'identity'), 'Resource bucket must be in ARN format or "*".');
});

test('identity policies name no principal; trust policies need one and name no resource', () => {
  assert.equal(outcome(statement({ Effect: 'Allow', Action: '*', Resource: '*', Principal: '*' }), 'identity'), 'Policy document should not specify a principal.');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole' }), 'trust'), 'Missing required field Principal');
  assert.equal(
    outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'ecs-tasks.amazonaws.com' }, Resource: '*' }), 'trust'),
    'Has prohibited field Resource',
  );
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Robot: 'x' } }), 'trust'), 'Invalid principal in policy: "Robot"');
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { AWS: 'bob' } }), 'trust'), 'Invalid principal in policy: "AWS":"bob"');
  assert.equal(
    outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: { Service: 'not a service' } }), 'trust'),
    'Invalid principal in policy: "SERVICE":"not a service"',
  );
  assert.equal(outcome(statement({ Effect: 'Allow', Action: 'sts:AssumeRole', Principal: {} }), 'trust'), 'Syntax errors in policy.');
});

test('Sids: alphanumeric in identity policies, unique in any policy', () => {
  assert.equal(
    outcome(statement({ Sid: 'has space', Effect: 'Allow', Action: '*', Resource: '*' }), 'identity'),
    'Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*',
  );
  assert.equal(outcome(statement({ Sid: 'trust-1', Effect: 'Allow', Action: 'sts:AssumeRole', Principal: '*' }), 'trust'), 'valid');
  const twice = { Version: '2012-10-17', Statement: [1, 2].map(() => ({ Sid: 'Same', Effect: 'Allow', Action: '*', Resource: '*' })) };
  assert.equal(outcome(twice, 'identity'), 'Statement IDs (SID) in a single policy must be unique');
});

test('Condition must be operator → { vendor:key → value(s) }', () => {
  const withCondition = (Condition: unknown) => statement({ Effect: 'Allow', Action: '*', Resource: '*', Condition });
  assert.equal(outcome(withCondition('x'), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(withCondition({ StringEquals: 'x' }), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(withCondition({ StringEquals: { team: 'a' } }), 'identity'), 'Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  assert.equal(outcome(withCondition({ StringEquals: { 'aws:x': { nested: 1 } } }), 'identity'), 'Syntax errors in policy.');
  assert.equal(outcome(withCondition({ 'ForAnyValue:StringLike': { 'aws:TagKeys': ['a*'] } }), 'identity'), 'valid');
});

test('size counts characters other than white space, as IAM’s quotas do', () => {
  assert.equal(policySize('{ "a" :\n\t"b c" }'), 10);
  assert.equal(policySize(JSON.stringify(JSON.parse(READ_LOGS), null, 4)), READ_LOGS.length);
});

test('federatedPrincipals lists the Federated principals allowed to assume with a web identity', () => {
  const doc = JSON.stringify({
    Version: '2012-10-17',
    Statement: [
      { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/localhost:4566/_wayfinder/oidc' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      { Effect: 'Deny', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/denied' }, Action: 'sts:AssumeRoleWithWebIdentity' },
      { Effect: 'Allow', Principal: { Federated: 'arn:aws:iam::123456789012:oidc-provider/other' }, Action: 'sts:AssumeRole' },
    ],
  });
  assert.deepEqual(federatedPrincipals(doc), ['arn:aws:iam::123456789012:oidc-provider/localhost:4566/_wayfinder/oidc']);
  assert.deepEqual(federatedPrincipals('nope'), []);
});
