import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { checkRules, checkRuleShapes, ruleValue, type RuleEnv } from './rules.js';

const env: RuleEnv = {
  parameters: [
    { key: 'Env', value: 'prod', noEcho: false, type: 'String' },
    { key: 'Size', value: 'm1.small', noEcho: false, type: 'String' },
    { key: 'Vpc', value: 'vpc-1', noEcho: false, type: 'AWS::EC2::VPC::Id' },
    { key: 'Subnets', value: 'subnet-a,subnet-b', noEcho: false, type: 'List<AWS::EC2::Subnet::Id>' },
    { key: 'Single', value: 'subnet-c', noEcho: false, type: 'AWS::EC2::Subnet::Id' },
  ],
  pseudo: { 'AWS::Region': 'us-east-1' },
  conditions: { IsProd: true },
  inventory: {
    byType: {
      'AWS::EC2::VPC::Id': [
        { id: 'vpc-1', attributes: { DefaultSecurityGroup: 'sg-1', 'Tags.team': 'blue' } },
        { id: 'vpc-2', attributes: {} },
      ],
      'AWS::EC2::Subnet::Id': [
        { id: 'subnet-a', attributes: { VpcId: 'vpc-1', AvailabilityZone: 'us-east-1a' } },
        { id: 'subnet-b', attributes: { VpcId: 'vpc-1', AvailabilityZone: 'us-east-1b' } },
        { id: 'subnet-c', attributes: { VpcId: 'vpc-2', AvailabilityZone: 'us-east-1a' } },
      ],
    },
  },
};

const CASES: Array<[string, unknown, unknown]> = [
  ['Ref of a parameter', { Ref: 'Env' }, 'prod'],
  ['Ref of a list parameter', { Ref: 'Subnets' }, ['subnet-a', 'subnet-b']],
  ['Ref of a pseudo parameter', { Ref: 'AWS::Region' }, 'us-east-1'],
  ['Equals, true', { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, true],
  ['Equals, false', { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, false],
  ['Not', { 'Fn::Not': [{ 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }] }, true],
  ['And', { 'Fn::And': [{ 'Fn::Equals': ['a', 'a'] }, { 'Fn::Equals': ['a', 'b'] }] }, false],
  ['Or', { 'Fn::Or': [{ 'Fn::Equals': ['a', 'a'] }, { 'Fn::Equals': ['a', 'b'] }] }, true],
  ['If over a template condition', { 'Fn::If': ['IsProd', 'big', 'small'] }, 'big'],
  ['Contains, true', { 'Fn::Contains': [['m1.small', 'm1.medium'], { Ref: 'Size' }] }, true],
  ['Contains, false', { 'Fn::Contains': [['t2.micro'], { Ref: 'Size' }] }, false],
  ['Contains over numbers as text', { 'Fn::Contains': [['1', '2', '3'], 2] }, true],
  ['EachMemberEquals, true', { 'Fn::EachMemberEquals': [{ 'Fn::ValueOf': ['Subnets', 'VpcId'] }, { Ref: 'Vpc' }] }, true],
  ['EachMemberEquals, false', { 'Fn::EachMemberEquals': [['a', 'b'], 'a'] }, false],
  ['EachMemberIn, true', { 'Fn::EachMemberIn': [{ Ref: 'Subnets' }, ['subnet-a', 'subnet-b', 'subnet-c']] }, true],
  ['EachMemberIn, false', { 'Fn::EachMemberIn': [['subnet-a', 'subnet-x'], ['subnet-a']] }, false],
  ['RefAll', { 'Fn::RefAll': 'AWS::EC2::VPC::Id' }, ['vpc-1', 'vpc-2']],
  ['RefAll of a type with none', { 'Fn::RefAll': 'AWS::EC2::SecurityGroup::Id' }, []],
  ['ValueOf of a single parameter', { 'Fn::ValueOf': ['Single', 'VpcId'] }, 'vpc-2'],
  ['ValueOf of a list parameter', { 'Fn::ValueOf': ['Subnets', 'AvailabilityZone'] }, ['us-east-1a', 'us-east-1b']],
  ['ValueOf of a tag', { 'Fn::ValueOf': ['Vpc', 'Tags.team'] }, 'blue'],
  ['ValueOfAll over every parameter of the type', { 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] }, ['vpc-1', 'vpc-1', 'vpc-2']],
  ['EachMemberIn of ValueOfAll and RefAll', { 'Fn::EachMemberIn': [{ 'Fn::ValueOfAll': ['AWS::EC2::Subnet::Id', 'VpcId'] }, { 'Fn::RefAll': 'AWS::EC2::VPC::Id' }] }, true],
];

for (const [name, expr, want] of CASES) {
  test(`rule function: ${name}`, () => assert.deepEqual(ruleValue(expr, env), want));
}

const ERRORS: Array<[string, unknown, RegExp]> = [
  ['Ref of a resource', { Ref: 'Bucket' }, /^Template error: Unresolved dependencies \[Bucket\]/],
  ['a function rules do not have', { 'Fn::GetAtt': ['A', 'B'] }, /^Template error: Unsupported function in Rules: Fn::GetAtt/],
  ['Equals with one argument', { 'Fn::Equals': ['a'] }, /^Template error: Fn::Equals requires a list argument with two elements/],
  ['Contains of a non-list', { 'Fn::Contains': ['a', 'a'] }, /^Template error: Fn::Contains: expected a list of strings/],
  ['Not of a string', { 'Fn::Not': ['a'] }, /^Template error: Fn::Not: every rule function must evaluate to true or false/],
  // Names an object has by inheritance are neither pseudo parameters nor conditions.
  ['Ref of an inherited name', { 'Fn::Equals': [{ Ref: 'toString' }, 'x'] }, /^Template error: Unresolved dependencies \[toString\]/],
  ['If over an inherited name', { 'Fn::If': ['constructor', 'a', 'b'] }, /^Template error: unresolved condition dependency constructor in Fn::If/],
];

for (const [name, expr, message] of ERRORS) {
  test(`rule function error: ${name}`, () => {
    assert.throws(
      () => ruleValue(expr, env),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && message.test(e.message),
    );
  });
}

const RULES: Array<[string, Record<string, unknown>, string | undefined]> = [
  ['every assertion true', { R: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, AssertDescription: 'prod only' }] } }, undefined],
  [
    'a false assertion names its AssertDescription',
    { R: { Assertions: [{ Assert: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, AssertDescription: 'Env must be dev' }] } },
    'Env must be dev',
  ],
  [
    'a false RuleCondition skips the assertions',
    { R: { RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'dev'] }, Assertions: [{ Assert: { 'Fn::Equals': ['a', 'b'] }, AssertDescription: 'never' }] } },
    undefined,
  ],
  [
    'a true RuleCondition checks them',
    {
      R: {
        RuleCondition: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
        Assertions: [{ Assert: { 'Fn::Contains': [['t2.micro'], { Ref: 'Size' }] }, AssertDescription: 'In prod, t2.micro only' }],
      },
    },
    'In prod, t2.micro only',
  ],
  [
    'the second of two assertions fails',
    {
      R: {
        Assertions: [
          { Assert: { 'Fn::Equals': ['a', 'a'] }, AssertDescription: 'first' },
          { Assert: { 'Fn::EachMemberEquals': [{ 'Fn::ValueOf': ['Subnets', 'VpcId'] }, 'vpc-2'] }, AssertDescription: 'Subnets must be in vpc-2' },
        ],
      },
    },
    'Subnets must be in vpc-2',
  ],
  ['a false assertion without a description', { Named: { Assertions: [{ Assert: { 'Fn::Equals': ['a', 'b'] } }] } }, 'Template error: rule Named failed an assertion'],
];

for (const [name, rules, message] of RULES) {
  test(`rules: ${name}`, () => {
    if (message === undefined) checkRules(rules, env);
    else
      assert.throws(
        () => checkRules(rules, env),
        (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && e.message === message,
      );
  });
}

const SHAPES: Array<[string, Record<string, unknown>, RegExp]> = [
  ['no Assertions', { R: { RuleCondition: { 'Fn::Equals': ['a', 'a'] } } }, /Rule R must contain an Assertions list/],
  ['an assertion without Assert', { R: { Assertions: [{ AssertDescription: 'x' }] } }, /must contain an Assert/],
  ['an unknown member', { R: { Assertions: [{ Assert: true }], Extra: 1 } }, /unsupported properties \[Extra\]/],
];

for (const [name, rules, message] of SHAPES) {
  test(`rule shapes: ${name}`, () => {
    assert.throws(
      () => checkRuleShapes(rules),
      (e: unknown) => e instanceof AwsError && /^Template format error: /.test(e.message) && message.test(e.message),
    );
  });
}
