// Group commit (src/store/wal-barrier.ts): many writes answered together share one fsync, yet each call gets
// its own answer or AWS error, and every answered write is still there after a kill -9 of the real
// `wayfinder up` process right after the answers arrived. (A kill -9 leaves the page cache to the kernel;
// what the fsync adds, surviving a power cut, no test on one machine can show.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ECS from '@aws-sdk/client-ecs';
import * as EC2 from '@aws-sdk/client-ec2';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig } from '../support/server.js';
import { startCli } from '../support/cli.js';

const SERVICES = 60;
const VPCS = 15;
const GROUPS = 15;

type Outcome = { ok: true; value: string } | { ok: false; code: string };
const outcome = (p: Promise<string>): Promise<Outcome> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (e: Error) => ({ ok: false as const, code: e.name }),
  );

test('concurrent writes answered in one batch each get their own answer or error, and every answered one survives kill -9', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-durability-'));
  const args = ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--log-level', 'error'];
  try {
    const a = await startCli(args);
    const ecs = new ECS.ECSClient(sdkConfig(a));
    const ec2 = new EC2.EC2Client(sdkConfig(a));
    const logs = new L.CloudWatchLogsClient(sdkConfig(a));
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'dur' }));
    await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'dur', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 16, command: ['sleep', '60'] }] }));
    await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/dur/taken' }));

    // All sent at once: good writes of three services, and bad ones among them that must fail alone.
    const createService = (cluster: string, name: string) =>
      outcome(ecs.send(new ECS.CreateServiceCommand({ cluster, serviceName: name, taskDefinition: 'dur', desiredCount: 0 })).then((r) => r.service!.serviceName!));
    const calls: Array<{ what: string; expect: string; run: Promise<Outcome> }> = [];
    for (let i = 0; i < SERVICES; i++) calls.push({ what: `service s-${i}`, expect: `s-${i}`, run: createService('dur', `s-${i}`) });
    calls.push({ what: 'service in a cluster that does not exist', expect: 'ClusterNotFoundException', run: createService('nope', 'lost') });
    calls.push({ what: 'service with a bad name', expect: 'InvalidParameterException', run: createService('dur', 'bad name!') });
    calls.push({
      what: 'service of an unknown task definition',
      expect: 'ClientException',
      run: outcome(
        ecs.send(new ECS.CreateServiceCommand({ cluster: 'dur', serviceName: 'no-td', taskDefinition: 'missing', desiredCount: 0 })).then((r) => r.service!.serviceName!),
      ),
    });
    for (let i = 0; i < VPCS; i++) {
      const cidr = `10.${60 + i}.0.0/16`;
      calls.push({ what: `vpc ${cidr}`, expect: cidr, run: outcome(ec2.send(new EC2.CreateVpcCommand({ CidrBlock: cidr })).then((r) => r.Vpc!.CidrBlock!)) });
    }
    for (let i = 0; i < GROUPS; i++) {
      const name = `/dur/g${i}`;
      calls.push({ what: `log group ${name}`, expect: name, run: outcome(logs.send(new L.CreateLogGroupCommand({ logGroupName: name })).then(() => name)) });
    }
    calls.push({
      what: 'log group that exists',
      expect: 'ResourceAlreadyExistsException',
      run: outcome(logs.send(new L.CreateLogGroupCommand({ logGroupName: '/dur/taken' })).then(() => '/dur/taken')),
    });
    const answers = await Promise.all(calls.map((c) => c.run));
    // kill -9 at once: nothing gets a chance to flush or close.
    a.child.kill('SIGKILL');
    await a.exited;
    for (const c of [ecs, ec2, logs]) c.destroy();

    calls.forEach((c, i) => {
      const got = answers[i]!;
      assert.equal(got.ok ? got.value : got.code, c.expect, c.what);
    });

    const b = await startCli(args);
    const ecsB = new ECS.ECSClient(sdkConfig(b));
    const ec2B = new EC2.EC2Client(sdkConfig(b));
    const logsB = new L.CloudWatchLogsClient(sdkConfig(b));
    try {
      const found: string[] = [];
      for (let i = 0; i < SERVICES; i += 10) {
        const names = Array.from({ length: Math.min(10, SERVICES - i) }, (_, j) => `s-${i + j}`);
        const { services, failures } = await ecsB.send(new ECS.DescribeServicesCommand({ cluster: 'dur', services: names }));
        assert.deepEqual(failures, [], 'every answered service is there');
        found.push(...services!.filter((s) => s.status === 'ACTIVE').map((s) => s.serviceName!));
      }
      assert.equal(found.length, SERVICES);
      const { failures } = await ecsB.send(new ECS.DescribeServicesCommand({ cluster: 'dur', services: ['bad name!', 'no-td'] }));
      assert.equal(failures!.length, 2, 'a refused CreateService stored nothing');
      const { Vpcs } = await ec2B.send(new EC2.DescribeVpcsCommand({}));
      const cidrs = new Set(Vpcs!.map((v) => v.CidrBlock));
      for (let i = 0; i < VPCS; i++) assert.ok(cidrs.has(`10.${60 + i}.0.0/16`), `vpc 10.${60 + i}.0.0/16 is there`);
      const { logGroups } = await logsB.send(new L.DescribeLogGroupsCommand({ logGroupNamePrefix: '/dur/' }));
      assert.deepEqual(logGroups!.map((g) => g.logGroupName).sort(), [...Array.from({ length: GROUPS }, (_, i) => `/dur/g${i}`), '/dur/taken'].sort());
    } finally {
      for (const c of [ecsB, ec2B, logsB]) c.destroy();
      b.child.kill('SIGINT');
      assert.equal(await b.exited, 0);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
