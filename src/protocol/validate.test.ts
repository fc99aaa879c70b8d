import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadModel } from './model.js';
import { validate, validationMessage } from './validate.js';

const ecs = loadModel('ecs');
const sd = loadModel('servicediscovery');
const apigw = loadModel('apigatewayv2');

test('required members, enums and lengths are reported in AWS wording', () => {
  const errors = validate(sd, { shape: 'CreateServiceRequest' }, { DnsConfig: { DnsRecords: [{ Type: 'MX', TTL: 10 }] } });
  assert.ok(errors.includes("Value null at 'Name' failed to satisfy constraint: Member must not be null"), errors.join('\n'));
  assert.ok(
    errors.some((e) => e.startsWith("Value 'MX' at 'DnsConfig.DnsRecords.1.Type' failed to satisfy constraint: Member must satisfy enum value set")),
    errors.join('\n'),
  );
  assert.match(validationMessage(errors), /^\d+ validation errors detected: /);
});

test('numeric ranges and string patterns are enforced', () => {
  const errors = validate(sd, { shape: 'CreateServiceRequest' }, { Name: 'ok', HealthCheckCustomConfig: { FailureThreshold: 11 } });
  assert.ok(
    errors.some((e) => /FailureThreshold' failed to satisfy constraint: Member must have value less than or equal to 10/.test(e)),
    errors.join('\n'),
  );
  const bad = validate(sd, { shape: 'CreateServiceRequest' }, { Name: 'bad name!' });
  assert.ok(
    bad.some((e) => e.includes('regular expression pattern')),
    bad.join('\n'),
  );
});

test('rest-json members are reported by their wire (camelCase) names', () => {
  const errors = validate(apigw, { shape: 'CreateApiRequest' }, { Name: 'x'.repeat(129), ProtocolType: 'HTTP' });
  assert.deepEqual(errors, ["Value '" + 'x'.repeat(64) + "…' at 'name' failed to satisfy constraint: Member must have length less than or equal to 128"]);
});

test('a map is shown as AWS shows one, {key=value, …}, cut as a long string is', () => {
  const logs = loadModel('logs');
  const tags = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, `v${i}`]));
  const errors = validate(logs, { shape: 'CreateLogGroupRequest' }, { logGroupName: 'g', tags });
  assert.deepEqual(errors, [
    "Value '{k0=v0, k1=v1, k2=v2, k3=v3, k4=v4, k5=v5, k6=v6, k7=v7, k8=v8, …' at 'tags' failed to satisfy constraint: Member must have length less than or equal to 50",
  ]);
});

test('valid input has no errors', () => {
  assert.deepEqual(validate(ecs, { shape: 'CreateClusterRequest' }, { clusterName: 'default' }), []);
});

test('awsquery services name members in lower camel case, as IAM and STS do', () => {
  const iam = loadModel('iam');
  const long = 'r'.repeat(65);
  const errors = validate(iam, iam.operations.GetRole!.input!, { RoleName: long }, 'awsquery');
  assert.equal(errors.length, 1);
  assert.match(errors[0]!, /^Value 'r+…' at 'roleName' failed to satisfy constraint: Member must have length less than or equal to 64$/);
});
