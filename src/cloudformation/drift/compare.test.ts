import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareProperties } from './compare.js';

type Case = [name: string, expected: Record<string, unknown>, actual: Record<string, unknown>, readable: string[] | undefined, differences: string[]];

// Each difference as `path type expected→actual`.
const CASES: Case[] = [
  ['equal scalars, a number written as text', { RetentionInDays: '7' }, { retentionInDays: 7 }, undefined, []],
  ['a changed scalar', { RetentionInDays: 7 }, { retentionInDays: 30 }, undefined, ['/RetentionInDays NOT_EQUAL 7→30']],
  ['a readable property removed', { RetentionInDays: 7 }, { logGroupName: 'g' }, ['RetentionInDays'], ['/RetentionInDays REMOVE 7→null']],
  ['a property the reader cannot read is not compared', { KmsKeyId: 'k' }, {}, ['RetentionInDays'], []],
  ['only what the template sets is compared', { DesiredCount: 1 }, { desiredCount: 1, runningCount: 0, launchType: 'FARGATE' }, undefined, []],
  ['nested objects compare what the template sets', { A: { B: 1, C: 'x' } }, { a: { b: 1, c: 'y', d: 2 } }, undefined, ['/A/C NOT_EQUAL x→y']],
  ['lists of scalars are sets', { Subnets: ['s-1', 's-2'] }, { subnets: ['s-2', 's-1'] }, undefined, []],
  ['a list of scalars with one item gone', { Subnets: ['s-1', 's-2'] }, { subnets: ['s-2'] }, undefined, ['/Subnets/0 REMOVE s-1→null']],
  ['a list of scalars with one item added', { Subnets: ['s-1'] }, { subnets: ['s-1', 's-9'] }, undefined, ['/Subnets/1 ADD null→s-9']],
  [
    'list items matched in any order, defaults ignored',
    {
      Ingress: [
        { IpProtocol: 'tcp', FromPort: 80 },
        { IpProtocol: 'udp', FromPort: 53 },
      ],
    },
    {
      ingress: [
        { IpProtocol: 'udp', FromPort: 53, CidrIp: 'x' },
        { IpProtocol: 'tcp', FromPort: 80 },
      ],
    },
    undefined,
    [],
  ],
  [
    'an object item changed in place names the member',
    { ContainerDefinitions: [{ Name: 'web', Image: 'a:1' }] },
    { containerDefinitions: [{ name: 'web', image: 'a:2', essential: true }] },
    undefined,
    ['/ContainerDefinitions/0/Image NOT_EQUAL a:1→a:2'],
  ],
  [
    'tags compare by key; others (aws:*) are not drift',
    { Tags: [{ Key: 'team', Value: 'a' }] },
    {
      tags: [
        { key: 'aws:cloudformation:stack-name', value: 's' },
        { key: 'team', value: 'a' },
      ],
    },
    undefined,
    [],
  ],
  ['a tag changed', { Tags: [{ Key: 'team', Value: 'a' }] }, { Tags: { team: 'b' } }, undefined, ['/Tags/team NOT_EQUAL a→b']],
  ['a tag removed', { Tags: [{ Key: 'team', Value: 'a' }] }, { Tags: [] }, ['Tags'], ['/Tags/team REMOVE a→null']],
  [
    'an IAM policy document as URL-encoded JSON text',
    { AssumeRolePolicyDocument: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] } },
    { AssumeRolePolicyDocument: encodeURIComponent(JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'sts:AssumeRole' }] })) },
    undefined,
    [],
  ],
  ['booleans as text', { EnableDnsSupport: 'true' }, { EnableDnsSupport: true }, undefined, []],
  ['an object where a scalar is', { A: { B: 1 } }, { A: 'text' }, undefined, ['/A NOT_EQUAL {"B":1}→text']],
];

for (const [name, expected, actual, readable, want] of CASES) {
  test(`drift compare: ${name}`, () => {
    const got = compareProperties(expected, actual, readable).map((d) => `${d.PropertyPath} ${d.DifferenceType} ${d.ExpectedValue}→${d.ActualValue}`);
    assert.deepEqual(got, want);
  });
}
