// Reliability sweep, part 2: kill -9 the real `wayfinder up` process while clients create resources
// of all five services; restart it on the same data directory. Every resource whose creation was
// acknowledged is there, nothing half-made is visible (a VPC without its default security group, a
// quick-created API without its route, integration and stage, a Cloud Map operation that never ends),
// and the ECS services converge again. The load is bounded in count and time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from '@aws-sdk/client-ec2';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as ECS from '@aws-sdk/client-ecs';
import * as AG from '@aws-sdk/client-apigatewayv2';
import { sdkConfig } from '../support/server.js';
import { startCli } from '../support/cli.js';
import { waitFor } from '../support/ecs.js';

type Acked =
  | { kind: 'vpc'; id: string }
  | { kind: 'log'; group: string; message: string }
  | { kind: 'namespace-op'; operationId: string; name: string }
  | { kind: 'api'; id: string }
  | { kind: 'taskdef'; arn: string }
  | { kind: 'service'; name: string };

function sdk(port: number) {
  const cfg = sdkConfig({ port });
  return {
    ec2: new E.EC2Client(cfg),
    logs: new L.CloudWatchLogsClient(cfg),
    sd: new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true }),
    ecs: new ECS.ECSClient(cfg),
    apigw: new AG.ApiGatewayV2Client(cfg),
  };
}

test('kill -9 during create load: every acknowledged resource survives whole, services converge', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-crash-'));
  const args = [
    '--port',
    '0',
    '--dns-port',
    '0',
    '--data-dir',
    dir,
    '--runtime',
    'process',
    '--operation-delay-ms',
    '100',
    '--health-delay-ms',
    '100',
    '--task-stable-ms',
    '200',
    '--vpc-link-delay-ms',
    '100',
  ];
  try {
    const first = await startCli(args);
    const a = sdk(first.port);
    const { Subnets } = await a.ec2.send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const subnet = Subnets![0]!.SubnetId!;
    await a.ecs.send(new ECS.CreateClusterCommand({ clusterName: 'crash' }));

    const acked: Acked[] = [];
    let n = 0;
    let attempts = 0;
    let killed = false;
    const creators: Array<() => Promise<Acked>> = [
      async () => ({ kind: 'vpc', id: (await a.ec2.send(new E.CreateVpcCommand({ CidrBlock: `10.${n++ % 250}.0.0/16` }))).Vpc!.VpcId! }),
      async () => {
        const group = `/crash/g${n++}`;
        await a.logs.send(new L.CreateLogGroupCommand({ logGroupName: group }));
        await a.logs.send(new L.CreateLogStreamCommand({ logGroupName: group, logStreamName: 's' }));
        const message = `event ${n}`;
        await a.logs.send(new L.PutLogEventsCommand({ logGroupName: group, logStreamName: 's', logEvents: [{ timestamp: Date.now(), message }] }));
        return { kind: 'log', group, message };
      },
      async () => {
        const name = `ns${n++}`;
        return { kind: 'namespace-op', name, operationId: (await a.sd.send(new SD.CreateHttpNamespaceCommand({ Name: name }))).OperationId! };
      },
      async () => ({ kind: 'api', id: (await a.apigw.send(new AG.CreateApiCommand({ Name: `api${n++}`, ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/' }))).ApiId! }),
      async () => {
        const td = await a.ecs.send(
          new ECS.RegisterTaskDefinitionCommand({
            family: 'crash',
            networkMode: 'awsvpc',
            requiresCompatibilities: ['FARGATE'],
            cpu: '256',
            memory: '512',
            containerDefinitions: [{ name: 'c', image: 'unused', command: ['sleep', '600'] }],
          }),
        );
        return { kind: 'taskdef', arn: td.taskDefinition!.taskDefinitionArn! };
      },
      async () => {
        const name = `svc${n++}`;
        if (acked.filter((x) => x.kind === 'service').length >= 4) return { kind: 'taskdef', arn: 'skip' };
        await a.ecs.send(
          new ECS.CreateServiceCommand({
            cluster: 'crash',
            serviceName: name,
            taskDefinition: 'crash',
            desiredCount: 1,
            networkConfiguration: { awsvpcConfiguration: { subnets: [subnet] } },
          }),
        );
        return { kind: 'service', name };
      },
    ];
    await creators[4]!(); // a task definition exists before services are created
    const workers = Array.from({ length: 6 }, async (_, w) => {
      for (let i = 0; !killed && i < 200; i++) {
        attempts++;
        try {
          const r = await creators[(w + i) % creators.length]!();
          if (!(r.kind === 'taskdef' && r.arn === 'skip')) acked.push(r);
        } catch {
          /* in flight when the server died: not acknowledged */
        }
      }
    });
    await new Promise((r) => setTimeout(r, 2500));
    killed = true;
    first.child.kill('SIGKILL');
    await first.exited;
    await Promise.all(workers);
    for (const cl of Object.values(a)) cl.destroy();

    const second = await startCli(args);
    const b = sdk(second.port);
    const found: Record<string, [number, number]> = {};
    const count = (kind: string, ok: boolean) => {
      const f = (found[kind] ??= [0, 0]);
      f[0]++;
      if (ok) f[1]++;
    };
    for (const r of acked) {
      switch (r.kind) {
        case 'vpc': {
          const { Vpcs } = await b.ec2.send(new E.DescribeVpcsCommand({ VpcIds: [r.id] }));
          const { SecurityGroups } = await b.ec2.send(
            new E.DescribeSecurityGroupsCommand({
              Filters: [
                { Name: 'vpc-id', Values: [r.id] },
                { Name: 'group-name', Values: ['default'] },
              ],
            }),
          );
          count('vpc', Vpcs?.length === 1 && SecurityGroups?.length === 1);
          break;
        }
        case 'log': {
          const { events } = await b.logs.send(new L.GetLogEventsCommand({ logGroupName: r.group, logStreamName: 's' }));
          count('log', events?.[0]?.message === r.message);
          break;
        }
        case 'namespace-op': {
          const done = await waitFor(
            'operation',
            async () => {
              const { Operation } = await b.sd.send(new SD.GetOperationCommand({ OperationId: r.operationId }));
              return Operation?.Status === 'SUCCESS' ? Operation.Targets!.NAMESPACE : undefined;
            },
            10_000,
          ).catch(() => undefined);
          const ns = done ? (await b.sd.send(new SD.GetNamespaceCommand({ Id: done }))).Namespace : undefined;
          count('namespace', ns?.Name === r.name);
          break;
        }
        case 'api': {
          const [routes, integrations, stages] = await Promise.all([
            b.apigw.send(new AG.GetRoutesCommand({ ApiId: r.id })),
            b.apigw.send(new AG.GetIntegrationsCommand({ ApiId: r.id })),
            b.apigw.send(new AG.GetStagesCommand({ ApiId: r.id })),
          ]);
          count('api', routes.Items?.length === 1 && integrations.Items?.length === 1 && stages.Items?.[0]?.StageName === '$default');
          break;
        }
        case 'taskdef': {
          const { taskDefinition } = await b.ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: r.arn }));
          count('taskdef', taskDefinition?.taskDefinitionArn === r.arn);
          break;
        }
        case 'service': {
          const running = await waitFor(
            'service converges',
            async () => {
              const { services } = await b.ecs.send(new ECS.DescribeServicesCommand({ cluster: 'crash', services: [r.name] }));
              return services?.[0]?.runningCount === 1 ? true : undefined;
            },
            30_000,
          ).catch(() => false);
          count('service', running === true);
          break;
        }
      }
    }
    // Nothing half-made: every API and every VPC that exists at all is whole, acknowledged or not.
    const { Items: apis = [] } = await b.apigw.send(new AG.GetApisCommand({}));
    for (const api of apis) {
      const { Items: routes = [] } = await b.apigw.send(new AG.GetRoutesCommand({ ApiId: api.ApiId }));
      assert.equal(routes.length, 1, `API ${api.ApiId} is whole`);
    }
    const { Vpcs = [] } = await b.ec2.send(new E.DescribeVpcsCommand({}));
    const { SecurityGroups = [] } = await b.ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: ['default'] }] }));
    assert.equal(SecurityGroups.length, Vpcs.length, 'every VPC has its default security group');

    const summary = Object.entries(found)
      .map(([k, [acknowledged, ok]]) => `${k} ${ok}/${acknowledged}`)
      .join(', ');
    console.log(`kill -9: ${attempts} create attempts, ${acked.length} acknowledged; found after restart: ${summary}`);
    assert.ok(acked.length > 20, `only ${acked.length} creations were acknowledged before the kill`);
    for (const [kind, [acknowledged, ok]] of Object.entries(found)) assert.equal(ok, acknowledged, `${kind}: ${ok} of ${acknowledged} found whole`);
    for (const cl of Object.values(b)) cl.destroy();
    second.child.kill('SIGTERM');
    assert.equal(await second.exited, 0);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
