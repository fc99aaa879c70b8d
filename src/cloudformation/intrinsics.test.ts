import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { cidr, evaluate, evaluateConditions, NO_VALUE, type EvalContext } from './intrinsics.js';
import { parseTemplate } from './template.js';

function context(conditions: Record<string, boolean> = {}): EvalContext {
  return {
    values: { Env: 'prod', Subnets: ['subnet-1', 'subnet-2'], 'AWS::Region': 'eu-west-1', 'AWS::StackName': 'st', 'AWS::AccountId': '000000000000' },
    mappings: { Sizes: { prod: { Cpu: 1024 }, dev: { Cpu: 256 } } },
    conditions,
    ref: (id) => `phys-${id}`,
    getAtt: (id, att) => `${id}.${att}`,
    importValue: (name) => `imported-${name}`,
    azs: (region) => [`${region}a`, `${region}b`],
    region: 'eu-west-1',
  };
}

const CASES: Array<[string, unknown, unknown]> = [
  ['Ref to a parameter', { Ref: 'Env' }, 'prod'],
  ['Ref to a list parameter', { Ref: 'Subnets' }, ['subnet-1', 'subnet-2']],
  ['Ref to a resource', { Ref: 'Vpc' }, 'phys-Vpc'],
  ['Ref to a pseudo parameter', { Ref: 'AWS::Region' }, 'eu-west-1'],
  ['GetAtt, list form', { 'Fn::GetAtt': ['Role', 'Arn'] }, 'Role.Arn'],
  ['GetAtt, dotted string form', { 'Fn::GetAtt': 'Role.Arn' }, 'Role.Arn'],
  ['Join', { 'Fn::Join': ['-', ['a', { Ref: 'Env' }, 'c']] }, 'a-prod-c'],
  ['Join of a list parameter', { 'Fn::Join': [',', { Ref: 'Subnets' }] }, 'subnet-1,subnet-2'],
  ['Select', { 'Fn::Select': ['1', { Ref: 'Subnets' }] }, 'subnet-2'],
  ['Split', { 'Fn::Split': [',', 'a,b,c'] }, ['a', 'b', 'c']],
  [
    'Sub, string form with parameter, pseudo, resource and attribute',
    { 'Fn::Sub': '${AWS::StackName}-${Env}-${Vpc}-${Role.Arn}-${!Literal}' },
    'st-prod-phys-Vpc-Role.Arn-${Literal}',
  ],
  ['Sub, list form with variables', { 'Fn::Sub': ['${A}/${Env}', { A: { Ref: 'Vpc' } }] }, 'phys-Vpc/prod'],
  ['Base64', { 'Fn::Base64': 'hello' }, 'aGVsbG8='],
  ['GetAZs of the stack region', { 'Fn::GetAZs': '' }, ['eu-west-1a', 'eu-west-1b']],
  ['FindInMap', { 'Fn::FindInMap': ['Sizes', { Ref: 'Env' }, 'Cpu'] }, 1024],
  ['FindInMap with DefaultValue', { 'Fn::FindInMap': ['Sizes', 'test', 'Cpu', { DefaultValue: 128 }] }, 128],
  ['ImportValue', { 'Fn::ImportValue': { 'Fn::Sub': '${Env}-VpcId' } }, 'imported-prod-VpcId'],
  ['If true', { 'Fn::If': ['IsProd', 'big', 'small'] }, 'big'],
  ['If false', { 'Fn::If': ['IsDev', 'big', 'small'] }, 'small'],
  ['If with AWS::NoValue removes the key', { A: 1, B: { 'Fn::If': ['IsDev', 2, { Ref: 'AWS::NoValue' }] } }, { A: 1 }],
  ['If with AWS::NoValue removes a list item', ['a', { 'Fn::If': ['IsDev', 'b', { Ref: 'AWS::NoValue' }] }], ['a']],
  ['Equals', { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] }, true],
  ['Not / And / Or', { 'Fn::And': [{ 'Fn::Not': [{ Condition: 'IsDev' }] }, { 'Fn::Or': [{ Condition: 'IsProd' }, { Condition: 'IsDev' }] }] }, true],
  ['Cidr', { 'Fn::Cidr': ['10.0.0.0/16', 3, 8] }, ['10.0.0.0/24', '10.0.1.0/24', '10.0.2.0/24']],
  ['Length', { 'Fn::Length': { Ref: 'Subnets' } }, 2],
  ['ToJsonString', { 'Fn::ToJsonString': { a: { Ref: 'Env' } } }, '{"a":"prod"}'],
  ['nested: Select of Split of a Join', { 'Fn::Select': [0, { 'Fn::Split': ['|', { 'Fn::Join': ['|', ['x', 'y']] }] }] }, 'x'],
];

for (const [name, input, expected] of CASES) {
  test(`intrinsic: ${name}`, () => {
    assert.deepEqual(evaluate(input, context({ IsProd: true, IsDev: false })), expected);
  });
}

const ERRORS: Array<[string, unknown, RegExp]> = [
  ['Select out of range', { 'Fn::Select': [5, ['a']] }, /^Template error: Fn::Select cannot select nonexistent value at index 5$/],
  ['FindInMap of a missing key', { 'Fn::FindInMap': ['Sizes', 'nope', 'Cpu'] }, /^Template error: Unable to get mapping for Sizes::nope::Cpu$/],
  ['an unknown function', { 'Fn::Nope': 1 }, /^Template error: Encountered unsupported function: Fn::Nope/],
  ['Join without a list', { 'Fn::Join': ['-'] }, /^Template error: every Fn::Join object requires two parameters/],
  ['Cidr asking for too many subnets', { 'Fn::Cidr': ['10.0.0.0/24', 4, 7] }, /^Template error: Fn::Cidr: cannot make 4 subnets/],
  // Names that every object has (Object.prototype's) are not the template's conditions, mappings or variables.
  ['If on a condition named constructor', { 'Fn::If': ['constructor', 'yes', 'no'] }, /^Template error: unresolved condition dependency constructor in Fn::If$/],
  ['If on a condition named toString', { 'Fn::If': ['toString', 'yes', 'no'] }, /^Template error: unresolved condition dependency toString in Fn::If$/],
  ['Condition named hasOwnProperty', { 'Fn::Not': [{ Condition: 'hasOwnProperty' }] }, /^Template error: unresolved condition dependency hasOwnProperty$/],
  ['FindInMap through Object.prototype', { 'Fn::FindInMap': ['constructor', 'name', 'length'] }, /^Template error: Unable to get mapping for constructor::name::length$/],
  ['FindInMap of a key named toString', { 'Fn::FindInMap': ['Sizes', 'toString', 'length'] }, /^Template error: Unable to get mapping for Sizes::toString::length$/],
];

for (const [name, input, message] of ERRORS) {
  test(`intrinsic error: ${name}`, () => {
    assert.throws(
      () => evaluate(input, context()),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && message.test(e.message),
    );
  });
}

test('AWS::NoValue at the top is the NO_VALUE marker', () => {
  assert.equal(evaluate({ Ref: 'AWS::NoValue' }, context()), NO_VALUE);
});

test('conditions evaluate in dependency order; a cycle is a template error', () => {
  const base = context();
  const conds = evaluateConditions(
    {
      IsProd: { 'Fn::Equals': [{ Ref: 'Env' }, 'prod'] },
      NotProd: { 'Fn::Not': [{ Condition: 'IsProd' }] },
      Both: { 'Fn::And': [{ Condition: 'IsProd' }, { Condition: 'NotProd' }] },
    },
    base,
  );
  assert.deepEqual(conds, { IsProd: true, NotProd: false, Both: false });
  assert.throws(() => evaluateConditions({ A: { 'Fn::Not': [{ Condition: 'B' }] }, B: { 'Fn::Not': [{ Condition: 'A' }] } }, base), /Circular dependency between conditions/);
});

test('Fn::Sub variables named like Object.prototype members are not variables: the name is a resource Ref', () => {
  assert.equal(evaluate({ 'Fn::Sub': ['${constructor}-${A}', { A: 'a' }] }, context()), 'phys-constructor-a');
});

test('a condition named toString inside Conditions is unresolved, not a function', () => {
  assert.throws(
    () => evaluateConditions({ A: { 'Fn::Not': [{ Condition: 'toString' }] } }, context()),
    (e: unknown) => e instanceof AwsError && e.message === 'Template error: unresolved condition dependency toString',
  );
  assert.deepEqual(evaluateConditions({ A: { 'Fn::Equals': [{ 'Fn::If': ['B', 'x', 'y'] }, 'x'] }, B: { 'Fn::Equals': ['1', '1'] } }, context()), { A: true, B: true });
});

test('Fn::Cidr carves from the network address of the block', () => {
  assert.deepEqual(cidr('192.168.0.0/24', 2, 6), ['192.168.0.0/26', '192.168.0.64/26']);
});

test('YAML short forms become the long forms', () => {
  const t = parseTemplate(`Resources:
  A:
    Type: AWS::Logs::LogGroup
    Properties:
      LogGroupName: !Sub '\${AWS::StackName}-x'
      Other: !Join [ '-', [ !Ref Env, !GetAtt B.Arn, !Select [ 0, !GetAZs '' ] ] ]
      Cond: !If [ C, !Base64 abc, !Ref 'AWS::NoValue' ]
      Map: !FindInMap [ M, !Ref 'AWS::Region', K ]
      Imp: !ImportValue { 'Fn::Sub': 'x' }
      Cidr: !Cidr [ 10.0.0.0/16, 2, 8 ]
      Eq: !Equals [ a, !Not [ !Or [ !And [ x, y ], z ] ] ]
      Split: !Split [ ',', a ]
`);
  assert.deepEqual(t.Resources.A!.Properties, {
    LogGroupName: { 'Fn::Sub': '${AWS::StackName}-x' },
    Other: { 'Fn::Join': ['-', [{ Ref: 'Env' }, { 'Fn::GetAtt': ['B', 'Arn'] }, { 'Fn::Select': [0, { 'Fn::GetAZs': '' }] }]] },
    Cond: { 'Fn::If': ['C', { 'Fn::Base64': 'abc' }, { Ref: 'AWS::NoValue' }] },
    Map: { 'Fn::FindInMap': ['M', { Ref: 'AWS::Region' }, 'K'] },
    Imp: { 'Fn::ImportValue': { 'Fn::Sub': 'x' } },
    Cidr: { 'Fn::Cidr': ['10.0.0.0/16', 2, 8] },
    Eq: { 'Fn::Equals': ['a', { 'Fn::Not': [{ 'Fn::Or': [{ 'Fn::And': ['x', 'y'] }, 'z'] }] }] },
    Split: { 'Fn::Split': [',', 'a'] },
  });
});
