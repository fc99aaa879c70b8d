// The ECS control plane through @aws-sdk/client-ecs: clusters, task definitions, tags, capacity
// providers, and AWS's errors for bad input (never a 500).
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import { signedRequest, startTestServer, type TestServer } from '../support/server.js';
import { codeOf, failureOf } from '../support/errors.js';
import { clients, cloudMapService, defaultNetwork, waitFor, type Clients } from '../support/ecs.js';

let server: TestServer;
let c: Clients;
let ecs: ECS.ECSClient;

before(async () => {
  server = await startTestServer({ taskStableMs: 500 });
  c = clients(server);
  ecs = c.ecs;
});
after(async () => {
  c.destroy();
  await server.destroy();
});

const container = (over: Partial<ECS.ContainerDefinition> = {}): ECS.ContainerDefinition => ({ name: 'app', image: 'busybox', memory: 32, command: ['sleep', '1000'], ...over });

test('clusters: create is idempotent, describe reports MISSING, delete refuses while services or tasks are active', async () => {
  const a = await ecs.send(
    new ECS.CreateClusterCommand({ clusterName: 'api-c1', tags: [{ key: 'team', value: 'core' }], settings: [{ name: 'containerInsights', value: 'enabled' }] }),
  );
  assert.equal(a.cluster!.clusterArn, 'arn:aws:ecs:us-east-1:000000000000:cluster/api-c1');
  assert.equal(a.cluster!.status, 'ACTIVE');
  assert.deepEqual(a.cluster!.tags, [{ key: 'team', value: 'core' }]);
  const again = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'api-c1' }));
  assert.equal(again.cluster!.clusterArn, a.cluster!.clusterArn);
  const d = await ecs.send(new ECS.DescribeClustersCommand({ clusters: ['api-c1', 'nope'], include: ['TAGS'] }));
  assert.equal(d.clusters!.length, 1);
  assert.deepEqual(d.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:cluster/nope', reason: 'MISSING' }]);
  assert.ok((await ecs.send(new ECS.ListClustersCommand({}))).clusterArns!.includes(a.cluster!.clusterArn));
  assert.equal(await codeOf(ecs.send(new ECS.CreateClusterCommand({ clusterName: 'bad name!' }))), 'InvalidParameterException');
  assert.equal(await codeOf(ecs.send(new ECS.ListServicesCommand({ cluster: 'nope' }))), 'ClusterNotFoundException');

  await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-sleeper', containerDefinitions: [container()] }));
  await ecs.send(new ECS.CreateServiceCommand({ cluster: 'api-c1', serviceName: 's', taskDefinition: 'api-sleeper', desiredCount: 1 }));
  assert.equal(await codeOf(ecs.send(new ECS.DeleteClusterCommand({ cluster: 'api-c1' }))), 'ClusterContainsServicesException');
  await ecs.send(new ECS.DeleteServiceCommand({ cluster: 'api-c1', service: 's', force: true }));
  await waitFor('service inactive', async () => (await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'api-c1', services: ['s'] }))).services![0]!.status === 'INACTIVE');
  const run = await ecs.send(new ECS.RunTaskCommand({ cluster: 'api-c1', taskDefinition: 'api-sleeper' }));
  assert.equal(await codeOf(ecs.send(new ECS.DeleteClusterCommand({ cluster: 'api-c1' }))), 'ClusterContainsTasksException');
  await ecs.send(new ECS.StopTaskCommand({ cluster: 'api-c1', task: run.tasks![0]!.taskArn! }));
  await waitFor(
    'task stopped',
    async () => (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'api-c1', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!.lastStatus === 'STOPPED',
  );
  const del = await ecs.send(new ECS.DeleteClusterCommand({ cluster: 'api-c1' }));
  assert.equal(del.cluster!.status, 'INACTIVE');
  assert.equal(await codeOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'api-c1', taskDefinition: 'api-sleeper' }))), 'ClusterNotFoundException');
});

test('capacity providers: FARGATE and FARGATE_SPOT exist; a cluster can use them; unknown ones are refused', async () => {
  const d = await ecs.send(new ECS.DescribeCapacityProvidersCommand({}));
  assert.deepEqual(
    d.capacityProviders!.map((p) => p.name),
    ['FARGATE', 'FARGATE_SPOT'],
  );
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'api-cp' }));
  const put = await ecs.send(
    new ECS.PutClusterCapacityProvidersCommand({
      cluster: 'api-cp',
      capacityProviders: ['FARGATE'],
      defaultCapacityProviderStrategy: [{ capacityProvider: 'FARGATE', weight: 1 }],
    }),
  );
  assert.deepEqual(put.cluster!.capacityProviders, ['FARGATE']);
  assert.equal(
    await codeOf(ecs.send(new ECS.PutClusterCapacityProvidersCommand({ cluster: 'api-cp', capacityProviders: ['MINE'], defaultCapacityProviderStrategy: [] }))),
    'InvalidParameterException',
  );
  const missing = await ecs.send(new ECS.DescribeCapacityProvidersCommand({ capacityProviders: ['MINE'] }));
  assert.equal(missing.failures![0]!.reason, 'MISSING');
  await ecs.send(new ECS.UpdateClusterCommand({ cluster: 'api-cp', settings: [{ name: 'containerInsights', value: 'disabled' }] }));
  assert.equal(
    await codeOf(
      ecs.send(
        new ECS.CreateCapacityProviderCommand({
          name: 'mine',
          autoScalingGroupProvider: { autoScalingGroupArn: 'arn:aws:autoscaling:us-east-1:000000000000:autoScalingGroup:x:autoScalingGroupName/asg' },
        }),
      ),
    ),
    'UnsupportedFeatureException',
  );
  assert.equal(await codeOf(ecs.send(new ECS.DeleteCapacityProviderCommand({ capacityProvider: 'FARGATE' }))), 'InvalidParameterException');
  assert.deepEqual((await ecs.send(new ECS.ListContainerInstancesCommand({ cluster: 'api-cp' }))).containerInstanceArns, []);
  assert.equal((await ecs.send(new ECS.DescribeContainerInstancesCommand({ cluster: 'api-cp', containerInstances: ['ci-1'] }))).failures![0]!.reason, 'MISSING');
});

test('task definitions: revisions, describe by family / family:revision / ARN, list, families, deregister, delete', async () => {
  const r1 = await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-td', containerDefinitions: [container()], tags: [{ key: 'k', value: 'v' }] }));
  const r2 = await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-td', containerDefinitions: [container({ command: ['sleep', '2000'] })] }));
  assert.equal(r1.taskDefinition!.revision, 1);
  assert.equal(r2.taskDefinition!.revision, 2);
  assert.equal(r2.taskDefinition!.taskDefinitionArn, 'arn:aws:ecs:us-east-1:000000000000:task-definition/api-td:2');
  assert.equal(r1.taskDefinition!.containerDefinitions![0]!.essential, true, 'essential defaults to true');
  assert.deepEqual(r1.taskDefinition!.compatibilities, ['EC2']);
  assert.equal((await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'api-td' }))).taskDefinition!.revision, 2);
  const byRev = await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'api-td:1', include: ['TAGS'] }));
  assert.deepEqual(byRev.tags, [{ key: 'k', value: 'v' }]);
  assert.equal((await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: r1.taskDefinition!.taskDefinitionArn! }))).taskDefinition!.revision, 1);
  const unknown = await failureOf(ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'api-nope' })));
  assert.deepEqual(unknown, { name: 'ClientException', message: 'Unable to describe task definition.' });

  const dereg = await ecs.send(new ECS.DeregisterTaskDefinitionCommand({ taskDefinition: 'api-td:2' }));
  assert.equal(dereg.taskDefinition!.status, 'INACTIVE');
  assert.equal((await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'api-td' }))).taskDefinition!.revision, 1, 'family alone → latest ACTIVE');
  assert.equal((await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: 'api-td:2' }))).taskDefinition!.status, 'INACTIVE', 'still describable');
  assert.deepEqual((await ecs.send(new ECS.ListTaskDefinitionsCommand({ familyPrefix: 'api-td' }))).taskDefinitionArns, [r1.taskDefinition!.taskDefinitionArn]);
  assert.deepEqual((await ecs.send(new ECS.ListTaskDefinitionsCommand({ familyPrefix: 'api-td', status: 'INACTIVE' }))).taskDefinitionArns, [r2.taskDefinition!.taskDefinitionArn]);
  assert.ok((await ecs.send(new ECS.ListTaskDefinitionFamiliesCommand({ familyPrefix: 'api-t' }))).families!.includes('api-td'));
  assert.equal(await codeOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'default', taskDefinition: 'api-td:2' }))), 'ClusterNotFoundException');
  await ecs.send(new ECS.CreateClusterCommand({}));
  assert.deepEqual(await failureOf(ecs.send(new ECS.RunTaskCommand({ taskDefinition: 'api-td:2' }))), { name: 'ClientException', message: 'TaskDefinition is inactive' });

  const del = await ecs.send(new ECS.DeleteTaskDefinitionsCommand({ taskDefinitions: ['api-td:1', 'api-td:2'] }));
  assert.equal(del.failures![0]!.arn, r1.taskDefinition!.taskDefinitionArn);
  assert.match(del.failures![0]!.reason!, /still in ACTIVE status/);
  assert.equal(del.taskDefinitions![0]!.status, 'DELETE_IN_PROGRESS');
});

test('task definitions: AWS’s validation errors', async () => {
  const reg = (input: Partial<ECS.RegisterTaskDefinitionCommandInput>) =>
    failureOf(ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-bad', containerDefinitions: [container()], ...input })));
  assert.equal((await reg({ family: 'bad family' })).name, 'ClientException');
  assert.equal((await reg({ containerDefinitions: [] })).name, 'ClientException');
  assert.deepEqual(await reg({ containerDefinitions: [{ name: 'app', image: 'x', command: ['true'] }] }), {
    name: 'ClientException',
    message: "Invalid setting for container 'app'. At least one of 'memory' or 'memoryReservation' must be specified.",
  });
  assert.equal((await reg({ containerDefinitions: [container({ image: undefined })] })).message, 'Container.image should not be null or empty.');
  assert.equal((await reg({ containerDefinitions: [container({ essential: false })] })).name, 'ClientException');
  assert.equal((await reg({ requiresCompatibilities: ['FARGATE'], cpu: '256', memory: '512' })).message, "Fargate only supports network mode 'awsvpc'.");
  assert.match(
    (await reg({ requiresCompatibilities: ['FARGATE'], networkMode: 'awsvpc', cpu: '256', memory: '4096' })).message,
    /^No Fargate configuration exists for given values: 256 CPU, 4096 memory/,
  );
  assert.equal((await reg({ networkMode: 'awsvpc', containerDefinitions: [container({ portMappings: [{ containerPort: 80, hostPort: 8080 }] })] })).name, 'ClientException');
  assert.equal((await reg({ containerDefinitions: [container({ healthCheck: { command: ['CMD-SHELL', 'true'], interval: 1 } })] })).name, 'ClientException');
  const ok = await ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'api-fargate',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'web', image: 'x', portMappings: [{ containerPort: 80 }] }],
    }),
  );
  assert.deepEqual(ok.taskDefinition!.compatibilities, ['EC2', 'FARGATE']);
  assert.equal(ok.taskDefinition!.containerDefinitions![0]!.portMappings![0]!.hostPort, 80, 'awsvpc host port = container port');
});

test('services: AWS’s errors for awsvpc networking, serviceRegistries per network mode, deletes and missing services', async () => {
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'api-val' }));
  const net = await defaultNetwork(c.ec2);
  const cm = await cloudMapService(c.sd, net.vpcId, { namespace: 'api-val.internal', service: 'srv' });
  const aOnly = await cloudMapService(c.sd, net.vpcId, { namespace: 'api-val-a.internal', service: 'a', records: ['A'] });
  const vpcTd = (
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({ family: 'api-vpc', networkMode: 'awsvpc', containerDefinitions: [container({ portMappings: [{ containerPort: 80 }] })] }),
    )
  ).taskDefinition!.taskDefinitionArn!;
  const bridgeTd = (await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-bridge', containerDefinitions: [container({ portMappings: [{ containerPort: 80 }] })] })))
    .taskDefinition!.taskDefinitionArn!;
  const awsvpc = { awsvpcConfiguration: { subnets: [net.subnets[0]!] } };
  const create = (input: Partial<ECS.CreateServiceCommandInput>) =>
    failureOf(ecs.send(new ECS.CreateServiceCommand({ cluster: 'api-val', serviceName: 'v', desiredCount: 0, taskDefinition: vpcTd, ...input })));

  assert.deepEqual(await create({}), { name: 'InvalidParameterException', message: "Network Configuration must be provided when networkMode 'awsvpc' is specified." });
  assert.deepEqual(await create({ taskDefinition: bridgeTd, networkConfiguration: awsvpc }), {
    name: 'InvalidParameterException',
    message: 'Network Configuration is not valid for the given networkMode of this task definition.',
  });
  assert.match((await create({ networkConfiguration: { awsvpcConfiguration: { subnets: ['subnet-00000000000000000'] } } })).message, /subnet-00000000000000000.*does not exist/);
  assert.match(
    (await create({ networkConfiguration: { awsvpcConfiguration: { subnets: [net.subnets[0]!], securityGroups: ['sg-00000000000000000'] } } })).message,
    /does not exist/,
  );
  assert.equal(
    (
      await create({
        networkConfiguration: awsvpc,
        serviceRegistries: [
          { registryArn: cm.serviceArn, port: 80 },
          { registryArn: cm.serviceArn, port: 80 },
        ],
      })
    ).message,
    'serviceRegistries can have at most 1 items.',
  );
  assert.match(
    (await create({ networkConfiguration: awsvpc, serviceRegistries: [{ registryArn: cm.serviceArn }] })).message,
    /a value for 'port' or values for 'containerName' and 'containerPort' must be specified/,
  );
  assert.match(
    (await create({ networkConfiguration: awsvpc, serviceRegistries: [{ registryArn: cm.serviceArn, port: 80, containerName: 'app', containerPort: 80 }] })).message,
    /cannot include both 'port' and 'containerName'/,
  );
  assert.match(
    (await create({ networkConfiguration: awsvpc, serviceRegistries: [{ registryArn: aOnly.serviceArn, port: 80 }] })).message,
    /^The values specified for serviceRegistries do not require a value for 'port'/,
  );
  assert.match(
    (await create({ taskDefinition: bridgeTd, serviceRegistries: [{ registryArn: cm.serviceArn, port: 80 }] })).message,
    /^When specifying 'host' or 'bridge' for networkMode, values for 'containerName' and 'containerPort' must be specified from the task definition/,
  );
  assert.match(
    (await create({ taskDefinition: bridgeTd, serviceRegistries: [{ registryArn: cm.serviceArn, containerName: 'app', containerPort: 81 }] })).message,
    /did not have a container port 81 defined/,
  );
  assert.match(
    (await create({ networkConfiguration: awsvpc, serviceRegistries: [{ registryArn: cm.serviceArn.replace(/srv-[a-z0-9]+$/, 'srv-nope0000000000') }] })).message,
    /does not exist/,
  );
  assert.equal((await create({ networkConfiguration: awsvpc, desiredCount: undefined })).name, 'InvalidParameterException');
  assert.equal(
    (await create({ networkConfiguration: awsvpc, launchType: 'FARGATE', capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] })).name,
    'InvalidParameterException',
  );
  assert.equal((await create({ networkConfiguration: awsvpc, deploymentConfiguration: { minimumHealthyPercent: 150 } })).name, 'InvalidParameterException');
  assert.deepEqual(await create({ networkConfiguration: awsvpc, taskDefinition: 'api-none' }), { name: 'ClientException', message: 'Unable to describe task definition.' });
  assert.equal((await create({ taskDefinition: bridgeTd, launchType: 'FARGATE' })).message, 'Task definition does not support launch_type FARGATE.');

  const ok = await ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'api-val',
      serviceName: 'v',
      desiredCount: 1,
      taskDefinition: vpcTd,
      networkConfiguration: awsvpc,
      serviceRegistries: [{ registryArn: cm.serviceArn, containerName: 'app', containerPort: 80 }],
    }),
  );
  assert.equal(ok.service!.status, 'ACTIVE');
  assert.equal(ok.service!.deploymentConfiguration!.maximumPercent, 200);
  assert.equal(ok.service!.deploymentConfiguration!.minimumHealthyPercent, 100);
  assert.match(ok.service!.deployments![0]!.id!, /^ecs-svc\/\d{19}$/);
  assert.deepEqual(await create({ networkConfiguration: awsvpc }), { name: 'InvalidParameterException', message: 'Creation of service was not idempotent.' });
  assert.deepEqual(await failureOf(ecs.send(new ECS.DeleteServiceCommand({ cluster: 'api-val', service: 'v' }))), {
    name: 'InvalidParameterException',
    message: 'The service cannot be stopped while it is scaled above 0.',
  });
  assert.deepEqual(await failureOf(ecs.send(new ECS.UpdateServiceCommand({ cluster: 'api-val', service: 'nope', desiredCount: 1 }))), {
    name: 'ServiceNotFoundException',
    message: 'Service not found.',
  });
  const d = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'api-val', services: ['v', 'nope'] }));
  assert.deepEqual(d.failures, [{ arn: 'arn:aws:ecs:us-east-1:000000000000:service/api-val/nope', reason: 'MISSING' }]);
  const byNs = await ecs.send(new ECS.ListServicesByNamespaceCommand({ namespace: 'api-val.internal' }));
  assert.deepEqual(byNs.serviceArns, [ok.service!.serviceArn]);
  assert.equal(await codeOf(ecs.send(new ECS.ListServicesByNamespaceCommand({ namespace: 'nope.internal' }))), 'NamespaceNotFoundException');
  // A service ARN names its cluster: another cluster's ARN is not this cluster's service of that name.
  const elsewhere = ok.service!.serviceArn!.replace('/api-val/', '/other/');
  const mixed = await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'api-val', services: [elsewhere, ok.service!.serviceArn!] }));
  assert.deepEqual([mixed.services!.map((s) => s.serviceName), mixed.failures], [['v'], [{ arn: elsewhere, reason: 'MISSING' }]]);
  assert.equal(await codeOf(ecs.send(new ECS.UpdateServiceCommand({ cluster: 'api-val', service: elsewhere, desiredCount: 1 }))), 'ServiceNotFoundException');
  await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'api-val', service: 'v', desiredCount: 0 }));
  await ecs.send(new ECS.DeleteServiceCommand({ cluster: 'api-val', service: 'v' }));
  assert.equal(await codeOf(ecs.send(new ECS.UpdateServiceCommand({ cluster: 'api-val', service: 'v', desiredCount: 1 }))), 'ServiceNotActiveException');
});

test('tags on clusters, services, task definitions and tasks', async () => {
  const cl = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'api-tags' }));
  const arn = cl.cluster!.clusterArn!;
  await ecs.send(
    new ECS.TagResourceCommand({
      resourceArn: arn,
      tags: [
        { key: 'a', value: '1' },
        { key: 'b', value: '2' },
      ],
    }),
  );
  await ecs.send(new ECS.UntagResourceCommand({ resourceArn: arn, tagKeys: ['a'] }));
  assert.deepEqual((await ecs.send(new ECS.ListTagsForResourceCommand({ resourceArn: arn }))).tags, [{ key: 'b', value: '2' }]);
  const td = (await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'api-tagged', containerDefinitions: [container()] }))).taskDefinition!.taskDefinitionArn!;
  await ecs.send(new ECS.TagResourceCommand({ resourceArn: td, tags: [{ key: 'x', value: 'y' }] }));
  assert.deepEqual((await ecs.send(new ECS.ListTagsForResourceCommand({ resourceArn: td }))).tags, [{ key: 'x', value: 'y' }]);
  assert.equal(
    await codeOf(ecs.send(new ECS.TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:cluster/none', tags: [{ key: 'a', value: 'b' }] }))),
    'ClusterNotFoundException',
  );
  assert.equal(await codeOf(ecs.send(new ECS.ListTagsForResourceCommand({ resourceArn: 'not-an-arn' }))), 'InvalidParameterException');
  assert.equal(await codeOf(ecs.send(new ECS.TagResourceCommand({ resourceArn: arn, tags: [{ key: 'aws:x', value: 'b' }] }))), 'InvalidParameterException');
});

test('malformed ECS requests get AWS errors, not 500s', async () => {
  for (const [target, body] of [
    ['CreateService', '{"serviceName": 5}'],
    ['RunTask', '{}'],
    ['DescribeTasks', '{"tasks": "x"}'],
    ['ListTasks', '{"desiredStatus": "SLEEPING"}'],
    ['StopTask', '{"task": "0123"}'],
  ] as const) {
    const r = await signedRequest(server, {
      service: 'ecs',
      headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AmazonEC2ContainerServiceV20141113.${target}` },
      body,
    });
    assert.ok(r.status >= 400 && r.status < 500, `${target}: ${r.status} ${r.text}`);
  }
});

test('references to another region are refused: a Cloud Map registry and a task definition ARN', async () => {
  const west = clients({ port: server.port }, 'us-west-2');
  try {
    const { vpcId } = await defaultNetwork(west.ec2);
    const registry = await cloudMapService(west.sd, vpcId, { namespace: 'west.internal', service: 'w' });
    const { taskDefinition } = await west.ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'west-only',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [container()],
      }),
    );
    assert.equal(await codeOf(ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: taskDefinition!.taskDefinitionArn! }))), 'ClientException');
    assert.equal(
      await codeOf(ecs.send(new ECS.TagResourceCommand({ resourceArn: taskDefinition!.taskDefinitionArn!, tags: [{ key: 'k', value: 'v' }] }))),
      'ResourceNotFoundException',
    );
    assert.equal(await codeOf(ecs.send(new ECS.ListTagsForResourceCommand({ resourceArn: taskDefinition!.taskDefinitionArn! }))), 'ResourceNotFoundException');
    const east = await defaultNetwork(c.ec2);
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'east',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [container({ portMappings: [{ containerPort: 80 }] })],
      }),
    );
    const failure = await failureOf(
      ecs.send(
        new ECS.CreateServiceCommand({
          serviceName: 'cross',
          taskDefinition: 'east',
          desiredCount: 1,
          networkConfiguration: { awsvpcConfiguration: { subnets: [east.subnets[0]!] } },
          serviceRegistries: [{ registryArn: registry.serviceArn, port: 80 }],
        }),
      ),
    );
    assert.equal(failure.name, 'InvalidParameterException');
    assert.match(failure.message, /not in the service's region/);
  } finally {
    west.destroy();
  }
});
