// CloudFormation's size quotas, enforced before anything is made (docs/cloudformation.md "Limits"):
// a call cannot make the server read an endless TemplateURL into memory (a device, a FIFO, an endless
// loopback stream), nor hand it a template beyond AWS's quotas (51,200 bytes inline, 500 resources,
// 200 parameters, outputs and mappings) for the engine to chew on. Each is AWS's ValidationError.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as CF from '@aws-sdk/client-cloudformation';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let cf: CF.CloudFormationClient;
let endless: Server;
let endlessUrl: string;

before(async () => {
  server = await startTestServer();
  cf = new CF.CloudFormationClient(sdkConfig(server));
  // A loopback server that streams a template that never ends.
  endless = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    res.write('{"Resources": {"L": {"Type": "AWS::Logs::LogGroup", "Properties": {"LogGroupName": "');
    const chunk = 'x'.repeat(64 * 1024);
    const pump = () => {
      while (res.write(chunk)) {}
    };
    res.on('drain', pump);
    pump();
  });
  await new Promise<void>((r) => endless.listen(0, '127.0.0.1', r));
  endlessUrl = `http://127.0.0.1:${(endless.address() as AddressInfo).port}/template.json`;
});
after(async () => {
  cf.destroy();
  endless.closeAllConnections();
  endless.close();
  await server.destroy();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; message: string }> {
  try {
    await p;
  } catch (e) {
    return { name: (e as Error).name, message: (e as Error).message };
  }
  throw new Error('expected an error');
}

const logGroups = (n: number) => Object.fromEntries(Array.from({ length: n }, (_, i) => [`L${i}`, { Type: 'AWS::Logs::LogGroup' }]));

describe('TemplateURL is read within AWS quota, while it arrives', () => {
  it('refuses /dev/zero and a FIFO without reading or waiting', async () => {
    const f = await failure(cf.send(new CF.ValidateTemplateCommand({ TemplateURL: 'file:///dev/zero' })));
    assert.deepEqual(f, { name: 'ValidationError', message: 'TemplateURL must be a supported URL.' });
    const dir = mkdtempSync(join(tmpdir(), 'wayfinder-fifo-'));
    execFileSync('mkfifo', [join(dir, 'template.json')]);
    const g = await failure(cf.send(new CF.CreateStackCommand({ StackName: 'fifo', TemplateURL: join(dir, 'template.json') })));
    assert.deepEqual(g, { name: 'ValidationError', message: 'TemplateURL must be a supported URL.' });
  });

  it('refuses a file or a loopback stream over 1,000,000 bytes', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'wayfinder-big-'));
    const big = join(dir, 'big.json');
    writeFileSync(big, JSON.stringify({ Resources: { L: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'x'.repeat(1_000_001) } } } }));
    const f = await failure(cf.send(new CF.ValidateTemplateCommand({ TemplateURL: `file://${big}` })));
    assert.deepEqual(f, { name: 'ValidationError', message: 'Template may not exceed 1000000 bytes in size.' });
    const g = await failure(cf.send(new CF.CreateStackCommand({ StackName: 'endless', TemplateURL: endlessUrl })));
    assert.deepEqual(g, { name: 'ValidationError', message: 'Template may not exceed 1000000 bytes in size.' });
    const stacks = await cf.send(new CF.ListStacksCommand({}));
    assert.deepEqual(stacks.StackSummaries ?? [], [], 'no stack was made');
  });
});

describe("a template's quotas", () => {
  it('refuses a TemplateBody over 51,200 bytes', async () => {
    const body = JSON.stringify({ Resources: { L: { Type: 'AWS::Logs::LogGroup', Properties: { LogGroupName: 'x'.repeat(51_200) } } } });
    for (const call of [new CF.ValidateTemplateCommand({ TemplateBody: body }), new CF.CreateStackCommand({ StackName: 'big', TemplateBody: body })]) {
      const f = await failure(cf.send(call as CF.CreateStackCommand));
      assert.equal(f.name, 'ValidationError');
      assert.match(f.message, /at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to 51200$/);
    }
  });

  it('refuses more than 500 resources and more than 200 parameters, outputs or mappings', async () => {
    // Compact YAML-free JSON, under the inline quota.
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ Resources: logGroups(501) }, 'Template format error: Number of resources, 501, is greater than maximum allowed, 500'],
      [
        { Parameters: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`P${i}`, { Type: 'String' }])), Resources: logGroups(1) },
        'Template format error: Parameter count 201 is greater than max value of 200',
      ],
      [
        { Resources: logGroups(1), Outputs: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`O${i}`, { Value: 'v' }])) },
        'Template format error: Output count 201 is greater than max value of 200',
      ],
      [
        { Mappings: Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`M${i}`, { a: { b: 'c' } }])), Resources: logGroups(1) },
        'Template format error: Mapping count 201 is greater than max value of 200',
      ],
    ];
    for (const [template, message] of cases) {
      const body = JSON.stringify(template);
      assert.ok(body.length <= 51_200, `${message}: the body fits the inline quota`);
      assert.deepEqual(await failure(cf.send(new CF.CreateStackCommand({ StackName: 'many', TemplateBody: body }))), { name: 'ValidationError', message });
    }
    const ok = await cf.send(new CF.ValidateTemplateCommand({ TemplateBody: JSON.stringify({ Resources: logGroups(500) }) }));
    assert.deepEqual(ok.Parameters, [], '500 resources are within the quota');
  });
});
