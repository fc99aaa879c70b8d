// State survives restarts: a graceful stop, and a kill -9 of the real `wayfinder up` process.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@aws-sdk/client-ec2';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { sdkConfig, startTestServer } from '../support/server.js';
import { startCli } from '../support/cli.js';

test('a restart on the same data directory keeps every resource and log event', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-restart-'));
  try {
    const first = await startTestServer({}, dir);
    const ec2 = new E.EC2Client(sdkConfig(first));
    const logs = new L.CloudWatchLogsClient(sdkConfig(first));
    const { Vpc } = await ec2.send(new E.CreateVpcCommand({ CidrBlock: '10.7.0.0/16' }));
    const { Vpcs: before } = await ec2.send(new E.DescribeVpcsCommand({}));
    await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'keep' }));
    await logs.send(new L.CreateLogStreamCommand({ logGroupName: 'keep', logStreamName: 's' }));
    await logs.send(new L.PutLogEventsCommand({ logGroupName: 'keep', logStreamName: 's', logEvents: [{ timestamp: Date.now(), message: 'survives' }] }));
    const revision = first.store.revision;
    await first.close();

    const second = await startTestServer({}, dir);
    const ec2b = new E.EC2Client(sdkConfig(second));
    const logsb = new L.CloudWatchLogsClient(sdkConfig(second));
    const { Vpcs: afterRestart } = await ec2b.send(new E.DescribeVpcsCommand({}));
    assert.deepEqual(afterRestart!.map((v) => v.VpcId).sort(), before!.map((v) => v.VpcId).sort(), 'same VPCs, default VPC not re-seeded');
    assert.ok(afterRestart!.some((v) => v.VpcId === Vpc!.VpcId));
    const got = await logsb.send(new L.GetLogEventsCommand({ logGroupName: 'keep', logStreamName: 's' }));
    assert.deepEqual(
      got.events!.map((e) => e.message),
      ['survives'],
    );
    assert.equal(second.store.revision, revision);
    await second.destroy();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('wayfinder up: SIGTERM stops gracefully; after kill -9 a restart has every acknowledged write; one server per data dir', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cli-'));
  const args = ['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process'];
  try {
    const a = await startCli(args);
    assert.match(a.output(), /export AWS_ENDPOINT_URL=http:\/\/localhost:\d+/);
    assert.match(a.output(), /127\.0\.0\.1 data-localhost/);
    const second = await startCli(args).then(
      () => 'started',
      (e: Error) => e.message,
    );
    assert.match(second, /another Wayfinder \(pid \d+\) is using/);
    a.child.kill('SIGTERM');
    assert.equal(await a.exited, 0);

    const b = await startCli(args);
    const ec2 = new E.EC2Client(sdkConfig(b));
    const created: string[] = [];
    for (let i = 0; i < 20; i++) created.push((await ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${100 + i}.0.0/16` }))).Vpc!.VpcId!);
    b.child.kill('SIGKILL');
    await b.exited;

    const c = await startCli(args); // the stale pid file of the killed server is taken over
    const ec2c = new E.EC2Client(sdkConfig(c));
    const { Vpcs } = await ec2c.send(new E.DescribeVpcsCommand({ VpcIds: created }));
    assert.equal(Vpcs!.length, created.length);
    c.child.kill('SIGINT');
    assert.equal(await c.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
