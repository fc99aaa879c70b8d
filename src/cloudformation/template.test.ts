import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { resolveParameters } from './parameters.js';
import { parseTemplate } from './template.js';

const TEMPLATE_ERRORS: Array<[string, string, string]> = [
  ['no Resources', '{"Description":"x"}', 'Template format error: At least one Resources member must be defined.'],
  ['an unknown top-level section', '{"Resources":{"A":{"Type":"AWS::Logs::LogGroup"}},"Output":{}}', 'Template format error: Invalid template property or properties [Output]'],
  ['a resource without Type', '{"Resources":{"A":{"Properties":{}}}}', 'Template format error: [/Resources/A] Every Resources object must contain a Type member.'],
  [
    'a bad format version',
    '{"AWSTemplateFormatVersion":"2012-01-01","Resources":{"A":{"Type":"X"}}}',
    'Template format error: "2012-01-01" is not a supported value for AWSTemplateFormatVersion.',
  ],
  ['broken YAML', 'Resources:\n  A: [', 'Template format error: YAML not well-formed. (line 2, column 7)'],
  ['a YAML key twice in one map', 'Resources:\n  A:\n    Type: X\n  A:\n    Type: Y\n', 'Template format error: YAML not well-formed. (line 4, column 3)'],
  [
    'a parameter named __proto__',
    '{"Parameters":{"__proto__":{"Type":"String"}},"Resources":{"A":{"Type":"X"}}}',
    'Template format error: Parameter name __proto__ is non alphanumeric.',
  ],
  [
    'a resource Condition that only Object.prototype has',
    '{"Resources":{"A":{"Type":"X","Condition":"toString"}}}',
    'Template format error: Unresolved dependencies [toString]. Cannot reference resources in the Conditions block of the template',
  ],
  [
    'an output Condition that only Object.prototype has',
    '{"Resources":{"A":{"Type":"X"}},"Outputs":{"O":{"Value":"v","Condition":"constructor"}}}',
    'Template format error: Unresolved dependencies [constructor]. Cannot reference resources in the Conditions block of the template',
  ],
  [
    'an AllowedPattern that is not a regular expression',
    '{"Parameters":{"P":{"Type":"String","AllowedPattern":"(a"}},"Resources":{"A":{"Type":"X"}}}',
    'Template format error: AllowedPattern of parameter P is not a valid regular expression',
  ],
  [
    'an AllowedPattern that only parses once wrapped',
    '{"Parameters":{"P":{"Type":"String","AllowedPattern":"a)|(b"}},"Resources":{"A":{"Type":"X"}}}',
    'Template format error: AllowedPattern of parameter P is not a valid regular expression',
  ],
  ['an unknown parameter type', '{"Parameters":{"P":{"Type":"Strin"}},"Resources":{"A":{"Type":"X"}}}', 'Template format error: Unrecognized parameter type: Strin'],
  [
    'an output without Value',
    '{"Resources":{"A":{"Type":"X"}},"Outputs":{"O":{}}}',
    'Template format error: Every Outputs member must contain a Value object, the Outputs member O does not.',
  ],
];

for (const [name, body, message] of TEMPLATE_ERRORS) {
  test(`template error: ${name}`, () => {
    assert.throws(
      () => parseTemplate(body),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && e.message === message,
    );
  });
}

const PARAMS = parseTemplate(
  JSON.stringify({
    Parameters: {
      Env: { Type: 'String', AllowedValues: ['dev', 'prod'], Default: 'dev' },
      Name: { Type: 'String', AllowedPattern: '[a-z]+', MinLength: 2, MaxLength: 5 },
      Count: { Type: 'Number', MinValue: 1, MaxValue: 10, Default: 2 },
      Ports: { Type: 'List<Number>', Default: '80,443' },
      Secret: { Type: 'String', NoEcho: true, Default: 's3cr3t' },
      Described: { Type: 'String', AllowedPattern: '\\d+', ConstraintDescription: 'digits only', Default: '1' },
    },
    Resources: { A: { Type: 'X' } },
  }),
);

const PARAM_ERRORS: Array<[string, Record<string, string>, string]> = [
  ['a value outside AllowedValues', { Name: 'abc', Env: 'qa' }, "Parameter 'Env' must be one of AllowedValues"],
  ['a value not matching AllowedPattern', { Name: 'ABC' }, "Parameter 'Name' must match pattern [a-z]+"],
  ['too short', { Name: 'a' }, "Parameter 'Name' must contain at least 2 characters"],
  ['too long', { Name: 'abcdef' }, "Parameter 'Name' must contain at most 5 characters"],
  ['not a number', { Name: 'ab', Count: 'x' }, "Parameter 'Count' must be a number."],
  ['below MinValue', { Name: 'ab', Count: '0' }, "Parameter 'Count' must be a number not less than 1"],
  ['above MaxValue', { Name: 'ab', Count: '11' }, "Parameter 'Count' must be a number not greater than 10"],
  ['a list item not a number', { Name: 'ab', Ports: '80,x' }, "Parameter 'Ports' must be a number."],
  ['ConstraintDescription replaces the message', { Name: 'ab', Described: 'x' }, "Parameter 'Described' failed to satisfy constraint: digits only"],
  ['a missing value', {}, 'Parameters: [Name] must have values'],
  ['an undeclared parameter', { Name: 'ab', Other: 'x' }, 'Parameters: [Other] do not exist in the template'],
  ['a name that is a property of every object', { Name: 'ab', constructor: 'x' }, 'Parameters: [constructor] do not exist in the template'],
  ['AllowedPattern matching only a part of the value', { Name: 'ab1' }, "Parameter 'Name' must match pattern [a-z]+"],
];

for (const [name, given, message] of PARAM_ERRORS) {
  test(`parameter error: ${name}`, async () => {
    const supplied = Object.entries(given).map(([ParameterKey, ParameterValue]) => ({ ParameterKey, ParameterValue }));
    await assert.rejects(
      () => resolveParameters(PARAMS, supplied),
      (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && e.message === message,
    );
  });
}

test('parameters: defaults, supplied values, previous values and NoEcho', async () => {
  const first = await resolveParameters(PARAMS, [{ ParameterKey: 'Name', ParameterValue: 'web' }]);
  assert.deepEqual(
    first.map((p) => [p.key, p.value, p.noEcho]),
    [
      ['Env', 'dev', false],
      ['Name', 'web', false],
      ['Count', '2', false],
      ['Ports', '80,443', false],
      ['Secret', 's3cr3t', true],
      ['Described', '1', false],
    ],
  );
  const next = await resolveParameters(
    PARAMS,
    [
      { ParameterKey: 'Name', UsePreviousValue: true },
      { ParameterKey: 'Env', ParameterValue: 'prod' },
    ],
    first,
  );
  assert.equal(next.find((p) => p.key === 'Name')!.value, 'web');
  assert.equal(next.find((p) => p.key === 'Env')!.value, 'prod');
});

// A backtracking AllowedPattern is the template author's: its match runs in a worker thread that is
// ended when it overruns, so the server answers (and keeps answering others) instead of hanging.
test('an AllowedPattern that backtracks exponentially is refused with a ValidationError, not run to the end', { timeout: 120_000 }, async () => {
  const t = parseTemplate(JSON.stringify({ Parameters: { P: { Type: 'String', AllowedPattern: '(a+)+$' } }, Resources: { A: { Type: 'X' } } }));
  await assert.rejects(
    () => resolveParameters(t, [{ ParameterKey: 'P', ParameterValue: `${'a'.repeat(5000)}!` }]),
    (e: unknown) => e instanceof AwsError && e.code === 'ValidationError' && /^Parameter 'P' could not be checked against its AllowedPattern within \d+ ms/.test(e.message),
  );
  // The same pattern on a value it matches, and on a short one it does not, answers as AWS does.
  assert.equal((await resolveParameters(t, [{ ParameterKey: 'P', ParameterValue: 'aaaa' }]))[0]!.value, 'aaaa');
  await assert.rejects(
    () => resolveParameters(t, [{ ParameterKey: 'P', ParameterValue: 'aab' }]),
    (e: unknown) => e instanceof AwsError && e.message === "Parameter 'P' must match pattern (a+)+$",
  );
});

test('each item of a CommaDelimitedList is matched against AllowedPattern', async () => {
  const t = parseTemplate(JSON.stringify({ Parameters: { L: { Type: 'CommaDelimitedList', AllowedPattern: '\\w+' } }, Resources: { A: { Type: 'X' } } }));
  assert.equal((await resolveParameters(t, [{ ParameterKey: 'L', ParameterValue: 'dev, test' }]))[0]!.value, 'dev, test');
  await assert.rejects(
    () => resolveParameters(t, [{ ParameterKey: 'L', ParameterValue: 'dev,te-st' }]),
    (e: unknown) => e instanceof AwsError && e.message === "Parameter 'L' must match pattern \\w+",
  );
});
