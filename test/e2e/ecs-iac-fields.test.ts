// ECS fields and calls infrastructure-as-code tools (Terraform's aws provider) set on create and read back
// with describe: each must come back exactly as AWS returns it, so a plan after apply is empty.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { codeOf } from '../support/errors.js';
import { clients, defaultNetwork, waitFor, type Clients } from '../support/ecs.js';

let server: TestServer;
let c: Clients;
let ecs: ECS.ECSClient;

before(async () => {
  server = await startTestServer({ taskStableMs: 500 });
  c = clients(server);
  ecs = c.ecs;
  await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac' }));
  await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'iac-idle', containerDefinitions: [{ name: 'app', image: 'busybox', memory: 32, command: ['sleep', '1000'] }] }));
});
after(async () => {
  c.destroy();
  await server.destroy();
});

const describeService = async (name: string) => (await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'iac', services: [name] }))).services![0]!;

test('availabilityZoneRebalancing: ENABLED by default on create, stored as given, kept by an update that omits it', async () => {
  const byDefault = await ecs.send(new ECS.CreateServiceCommand({ cluster: 'iac', serviceName: 'az-default', taskDefinition: 'iac-idle', desiredCount: 0 }));
  assert.equal(byDefault.service!.availabilityZoneRebalancing, 'ENABLED');
  assert.equal((await describeService('az-default')).availabilityZoneRebalancing, 'ENABLED');

  const off = await ecs.send(
    new ECS.CreateServiceCommand({ cluster: 'iac', serviceName: 'az-off', taskDefinition: 'iac-idle', desiredCount: 0, availabilityZoneRebalancing: 'DISABLED' }),
  );
  assert.equal(off.service!.availabilityZoneRebalancing, 'DISABLED');
  assert.equal((await describeService('az-off')).availabilityZoneRebalancing, 'DISABLED');

  const kept = await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'iac', service: 'az-off', desiredCount: 0 }));
  assert.equal(kept.service!.availabilityZoneRebalancing, 'DISABLED');
  const on = await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'iac', service: 'az-off', availabilityZoneRebalancing: 'ENABLED' }));
  assert.equal(on.service!.availabilityZoneRebalancing, 'ENABLED');
  assert.equal((await describeService('az-off')).availabilityZoneRebalancing, 'ENABLED');
  // Not a deployment change: still the one deployment.
  assert.equal(on.service!.deployments!.length, 1);

  assert.equal(
    await codeOf(
      ecs.send(
        new ECS.CreateServiceCommand({
          cluster: 'iac',
          serviceName: 'az-bad',
          taskDefinition: 'iac-idle',
          desiredCount: 0,
          availabilityZoneRebalancing: 'SOMETIMES' as ECS.AvailabilityZoneRebalancing,
        }),
      ),
    ),
    'InvalidParameterException',
  );
});

const ROOT = 'arn:aws:iam::000000000000:root';

test('account settings: AWS defaults as effective settings; PutAccountSettingDefault and PutAccountSetting stored per principal and region', async () => {
  // Nothing set: the effective settings are AWS's defaults, for the root user.
  const defaults = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'containerInsights' }));
  assert.deepEqual(defaults.settings, [{ name: 'containerInsights', value: 'disabled', principalArn: ROOT, type: 'user' }]);
  assert.deepEqual((await ecs.send(new ECS.ListAccountSettingsCommand({}))).settings, []);
  const all: ECS.Setting[] = [];
  let nextToken: string | undefined;
  do {
    const p = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, maxResults: 4, nextToken }));
    assert.ok(p.settings!.length <= 4);
    all.push(...p.settings!);
    nextToken = p.nextToken;
  } while (nextToken);
  const byName = Object.fromEntries(all.map((s) => [s.name, s.value]));
  assert.equal(all.length, 11);
  assert.equal(byName.serviceLongArnFormat, 'enabled');
  assert.equal(byName.fargateTaskRetirementWaitPeriod, '7');
  assert.equal(byName.tagResourceAuthorization, 'on');
  assert.equal(all.find((s) => s.name === 'guardDutyActivate')!.type, 'aws_managed');

  // What Terraform's aws_ecs_account_setting_default does: put the default, read it back as an effective setting.
  const put = await ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }));
  assert.deepEqual(put.setting, { name: 'fargateTaskRetirementWaitPeriod', value: '14', principalArn: ROOT, type: 'user' });
  const read = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'fargateTaskRetirementWaitPeriod' }));
  assert.deepEqual(read.settings, [put.setting]);
  assert.deepEqual((await ecs.send(new ECS.ListAccountSettingsCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '14' }))).settings, [put.setting]);
  assert.deepEqual((await ecs.send(new ECS.ListAccountSettingsCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '0' }))).settings, []);

  // A role's own setting wins for that role only; the others keep the account default.
  const role = 'arn:aws:iam::000000000000:role/deployer';
  await ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'awsvpcTrunking', value: 'enabled' }));
  const own = await ecs.send(new ECS.PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'disabled', principalArn: role }));
  assert.deepEqual(own.setting, { name: 'awsvpcTrunking', value: 'disabled', principalArn: role, type: 'user' });
  const forRole = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'awsvpcTrunking', principalArn: role }));
  assert.equal(forRole.settings![0]!.value, 'disabled');
  const forOther = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'awsvpcTrunking', principalArn: 'arn:aws:iam::000000000000:role/other' }));
  assert.deepEqual(forOther.settings, [{ name: 'awsvpcTrunking', value: 'enabled', principalArn: ROOT, type: 'user' }]);
  assert.deepEqual((await ecs.send(new ECS.ListAccountSettingsCommand({ principalArn: role }))).settings, [own.setting]);

  // DeleteAccountSetting removes the role's own setting: the account default applies again.
  const deleted = await ecs.send(new ECS.DeleteAccountSettingCommand({ name: 'awsvpcTrunking', principalArn: role }));
  assert.deepEqual(deleted.setting, own.setting);
  const after = await ecs.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'awsvpcTrunking', principalArn: role }));
  assert.equal(after.settings![0]!.value, 'enabled');

  // Settings are per region.
  const west = new ECS.ECSClient(sdkConfig(server, 'us-west-2'));
  const westRead = await west.send(new ECS.ListAccountSettingsCommand({ effectiveSettings: true, name: 'fargateTaskRetirementWaitPeriod' }));
  assert.equal(westRead.settings![0]!.value, '7');
  west.destroy();
});

test('account settings: the containerInsights default applies to new clusters', async () => {
  await ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'enhanced' }));
  const created = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac-insights' }));
  assert.deepEqual(created.cluster!.settings, [{ name: 'containerInsights', value: 'enhanced' }]);
  const own = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac-insights-off', settings: [{ name: 'containerInsights', value: 'disabled' }] }));
  assert.deepEqual(own.cluster!.settings, [{ name: 'containerInsights', value: 'disabled' }]);
  await ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'disabled' }));
});

test('account settings: bad input gets InvalidParameterException', async () => {
  const bad = async (sent: Promise<unknown>) => assert.equal(await codeOf(sent), 'InvalidParameterException');
  await bad(ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'containerInsights', value: 'sometimes' })));
  await bad(ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'noSuchSetting' as ECS.SettingName, value: 'enabled' })));
  await bad(ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '3' })));
  await bad(ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'guardDutyActivate', value: 'on' })));
  await bad(ecs.send(new ECS.PutAccountSettingCommand({ name: 'fargateTaskRetirementWaitPeriod', value: '0', principalArn: 'arn:aws:iam::000000000000:role/deployer' })));
  await bad(ecs.send(new ECS.PutAccountSettingCommand({ name: 'awsvpcTrunking', value: 'enabled', principalArn: 'not-an-arn' })));
  await bad(ecs.send(new ECS.ListAccountSettingsCommand({ value: 'enabled' })));
  await bad(ecs.send(new ECS.ListAccountSettingsCommand({ maxResults: 11 })));
  // What Terraform's destroy of aws_ecs_account_setting_default tolerates for the long ARN formats.
  const e = await ecs.send(new ECS.PutAccountSettingDefaultCommand({ name: 'serviceLongArnFormat', value: 'disabled' })).catch((x: Error) => x);
  assert.ok(e instanceof ECS.InvalidParameterException);
  assert.match(e.message, /You can no longer disable/);
});

test('capacity providers: FARGATE and FARGATE_SPOT built in; a cluster associates them; services and tasks use a strategy', async () => {
  const providers = await ecs.send(new ECS.DescribeCapacityProvidersCommand({}));
  assert.deepEqual(
    providers.capacityProviders!.map((p) => [p.name, p.capacityProviderArn, p.status]),
    [
      ['FARGATE', 'arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE', 'ACTIVE'],
      ['FARGATE_SPOT', 'arn:aws:ecs:us-east-1:000000000000:capacity-provider/FARGATE_SPOT', 'ACTIVE'],
    ],
  );

  // What aws_ecs_cluster + aws_ecs_cluster_capacity_providers do, read back through DescribeClusters.
  const strategy = [{ capacityProvider: 'FARGATE', weight: 1, base: 1 }];
  const created = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac-cp', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: strategy }));
  assert.deepEqual(created.cluster!.capacityProviders, ['FARGATE']);
  assert.deepEqual(created.cluster!.defaultCapacityProviderStrategy, strategy);
  const { subnets } = await defaultNetwork(c.ec2);
  const awsvpc = { awsvpcConfiguration: { subnets: [subnets[0]!] } };
  await ecs.send(
    new ECS.RegisterTaskDefinitionCommand({
      family: 'iac-fargate',
      networkMode: 'awsvpc',
      requiresCompatibilities: ['FARGATE'],
      cpu: '256',
      memory: '512',
      containerDefinitions: [{ name: 'app', image: 'busybox', command: ['sleep', '1000'] }],
    }),
  );
  const service = (name: string, over: Partial<ECS.CreateServiceRequest> = {}) =>
    ecs.send(new ECS.CreateServiceCommand({ cluster: 'iac-cp', serviceName: name, taskDefinition: 'iac-fargate', desiredCount: 0, networkConfiguration: awsvpc, ...over }));

  // Neither a launch type nor a strategy: the cluster's default strategy, and no launchType.
  const byDefault = await service('cp-default');
  assert.deepEqual(byDefault.service!.capacityProviderStrategy, strategy);
  assert.equal(byDefault.service!.launchType, undefined);
  assert.equal(byDefault.service!.platformVersion, 'LATEST');

  // A provider the cluster has not associated is refused until PutClusterCapacityProviders adds it.
  const spot = [{ capacityProvider: 'FARGATE_SPOT', weight: 2 }];
  const refused = await service('cp-spot', { capacityProviderStrategy: spot }).catch((e: Error) => e);
  assert.ok(refused instanceof ECS.InvalidParameterException);
  assert.match(refused.message, /not associated with the cluster/);
  const put = await ecs.send(
    new ECS.PutClusterCapacityProvidersCommand({ cluster: 'iac-cp', capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: strategy }),
  );
  assert.deepEqual(put.cluster!.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
  const described = (await ecs.send(new ECS.DescribeClustersCommand({ clusters: ['iac-cp'] }))).clusters![0]!;
  assert.deepEqual(described.capacityProviders, ['FARGATE', 'FARGATE_SPOT']);
  assert.deepEqual(described.defaultCapacityProviderStrategy, strategy);
  await service('cp-spot', { capacityProviderStrategy: spot });
  const spotService = (await ecs.send(new ECS.DescribeServicesCommand({ cluster: 'iac-cp', services: ['cp-spot'] }))).services![0]!;
  assert.deepEqual(spotService.capacityProviderStrategy, spot);
  assert.equal(spotService.launchType, undefined);

  // RunTask with a strategy: the task names its capacity provider and runs on Fargate.
  const run = await ecs.send(
    new ECS.RunTaskCommand({ cluster: 'iac-cp', taskDefinition: 'iac-fargate', networkConfiguration: awsvpc, capacityProviderStrategy: [{ capacityProvider: 'FARGATE' }] }),
  );
  assert.equal(run.tasks![0]!.capacityProviderName, 'FARGATE');
  assert.equal(run.tasks![0]!.launchType, 'FARGATE');

  // A provider in use stays associated.
  assert.equal(
    await codeOf(ecs.send(new ECS.PutClusterCapacityProvidersCommand({ cluster: 'iac-cp', capacityProviders: ['FARGATE'], defaultCapacityProviderStrategy: strategy }))),
    'ResourceInUseException',
  );
  // Unknown providers, a strategy naming a provider the list lacks, two bases: InvalidParameterException.
  for (const bad of [
    { capacityProviders: ['MINE'], defaultCapacityProviderStrategy: [] },
    { capacityProviders: ['FARGATE', 'FARGATE_SPOT'], defaultCapacityProviderStrategy: [{ capacityProvider: 'MINE' }] },
    {
      capacityProviders: ['FARGATE', 'FARGATE_SPOT'],
      defaultCapacityProviderStrategy: [
        { capacityProvider: 'FARGATE', base: 1 },
        { capacityProvider: 'FARGATE_SPOT', base: 1 },
      ],
    },
  ]) {
    assert.equal(await codeOf(ecs.send(new ECS.PutClusterCapacityProvidersCommand({ cluster: 'iac-cp', ...bad }))), 'InvalidParameterException');
  }

  await ecs.send(new ECS.StopTaskCommand({ cluster: 'iac-cp', task: run.tasks![0]!.taskArn! }));
  await waitFor(
    'task stopped',
    async () => (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'iac-cp', tasks: [run.tasks![0]!.taskArn!] }))).tasks![0]!.lastStatus === 'STOPPED',
  );
});

test('cluster settings and configuration: stored, returned by create and update, and by DescribeClusters when include asks', async () => {
  const configuration: ECS.ClusterConfiguration = {
    executeCommandConfiguration: {
      kmsKeyId: 'arn:aws:kms:us-east-1:000000000000:key/1234abcd-12ab-34cd-56ef-1234567890ab',
      logging: 'OVERRIDE',
      logConfiguration: { cloudWatchLogGroupName: '/ecs/exec', cloudWatchEncryptionEnabled: true },
    },
  };
  const created = await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac-config', settings: [{ name: 'containerInsights', value: 'enabled' }], configuration }));
  assert.deepEqual(created.cluster!.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  assert.deepEqual(created.cluster!.configuration, configuration);

  // What Terraform's aws_ecs_cluster reads: include TAGS, CONFIGURATIONS, SETTINGS.
  const describe = async (include?: ECS.ClusterField[]) => (await ecs.send(new ECS.DescribeClustersCommand({ clusters: ['iac-config'], include }))).clusters![0]!;
  const full = await describe(['TAGS', 'CONFIGURATIONS', 'SETTINGS']);
  assert.deepEqual(full.settings, [{ name: 'containerInsights', value: 'enabled' }]);
  assert.deepEqual(full.configuration, configuration);
  // Without include, neither is returned.
  const bare = await describe();
  assert.equal(bare.settings, undefined);
  assert.equal(bare.configuration, undefined);
  assert.equal((await describe(['SETTINGS'])).configuration, undefined);
  assert.equal((await describe(['CONFIGURATIONS'])).settings, undefined);

  const newConfig: ECS.ClusterConfiguration = { executeCommandConfiguration: { logging: 'DEFAULT' } };
  const updated = await ecs.send(new ECS.UpdateClusterCommand({ cluster: 'iac-config', settings: [{ name: 'containerInsights', value: 'enhanced' }], configuration: newConfig }));
  assert.deepEqual(updated.cluster!.settings, [{ name: 'containerInsights', value: 'enhanced' }]);
  assert.deepEqual(updated.cluster!.configuration, newConfig);
  const viaSettings = await ecs.send(new ECS.UpdateClusterSettingsCommand({ cluster: 'iac-config', settings: [{ name: 'containerInsights', value: 'disabled' }] }));
  assert.deepEqual(viaSettings.cluster!.settings, [{ name: 'containerInsights', value: 'disabled' }]);
  const after = await describe(['CONFIGURATIONS', 'SETTINGS']);
  assert.deepEqual(after.settings, [{ name: 'containerInsights', value: 'disabled' }]);
  assert.deepEqual(after.configuration, newConfig);

  for (const bad of [
    { executeCommandConfiguration: { logging: 'OVERRIDE' as const } },
    { executeCommandConfiguration: { logging: 'DEFAULT' as const, logConfiguration: { cloudWatchLogGroupName: 'x' } } },
  ]) {
    assert.equal(await codeOf(ecs.send(new ECS.UpdateClusterCommand({ cluster: 'iac-config', configuration: bad }))), 'InvalidParameterException');
    assert.equal(await codeOf(ecs.send(new ECS.CreateClusterCommand({ clusterName: 'iac-config-bad', configuration: bad }))), 'InvalidParameterException');
  }
  assert.equal(
    await codeOf(ecs.send(new ECS.UpdateClusterSettingsCommand({ cluster: 'iac-config', settings: [{ name: 'containerInsights', value: 'sometimes' }] }))),
    'InvalidParameterException',
  );
});

test('services and tasks: enableExecuteCommand, propagateTags and enableECSManagedTags are stored, returned and applied to the tasks', async () => {
  await ecs.send(new ECS.TagResourceCommand({ resourceArn: 'arn:aws:ecs:us-east-1:000000000000:task-definition/iac-idle:1', tags: [{ key: 'from', value: 'td' }] }));
  const created = await ecs.send(
    new ECS.CreateServiceCommand({
      cluster: 'iac',
      serviceName: 'tagged',
      taskDefinition: 'iac-idle',
      desiredCount: 1,
      tags: [{ key: 'from', value: 'service' }],
      propagateTags: 'SERVICE',
      enableECSManagedTags: true,
      enableExecuteCommand: true,
    }),
  );
  for (const s of [created.service!, await describeService('tagged')]) {
    assert.equal(s.propagateTags, 'SERVICE');
    assert.equal(s.enableECSManagedTags, true);
    assert.equal(s.enableExecuteCommand, true);
  }
  // Defaults as AWS returns them.
  const plain = await describeService('az-default');
  assert.deepEqual([plain.propagateTags, plain.enableECSManagedTags, plain.enableExecuteCommand], ['NONE', false, false]);

  const taskArn = await waitFor('the service task', async () => (await ecs.send(new ECS.ListTasksCommand({ cluster: 'iac', serviceName: 'tagged' }))).taskArns![0]);
  const task = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'iac', tasks: [taskArn], include: ['TAGS'] }))).tasks![0]!;
  assert.equal(task.enableExecuteCommand, true);
  assert.deepEqual(task.tags, [
    { key: 'from', value: 'service' },
    { key: 'aws:ecs:clusterName', value: 'iac' },
    { key: 'aws:ecs:serviceName', value: 'tagged' },
  ]);

  const updated = await ecs.send(
    new ECS.UpdateServiceCommand({ cluster: 'iac', service: 'tagged', propagateTags: 'TASK_DEFINITION', enableECSManagedTags: false, enableExecuteCommand: false }),
  );
  assert.deepEqual([updated.service!.propagateTags, updated.service!.enableECSManagedTags, updated.service!.enableExecuteCommand], ['TASK_DEFINITION', false, false]);
  const after = await describeService('tagged');
  assert.deepEqual([after.propagateTags, after.enableECSManagedTags, after.enableExecuteCommand], ['TASK_DEFINITION', false, false]);
  await ecs.send(new ECS.UpdateServiceCommand({ cluster: 'iac', service: 'tagged', desiredCount: 0 }));

  // RunTask: the task definition's tags under the task's own, plus the cluster name ECS adds.
  const run = await ecs.send(
    new ECS.RunTaskCommand({
      cluster: 'iac',
      taskDefinition: 'iac-idle',
      tags: [{ key: 'from', value: 'run' }],
      propagateTags: 'TASK_DEFINITION',
      enableECSManagedTags: true,
      enableExecuteCommand: true,
    }),
  );
  const ran = (await ecs.send(new ECS.DescribeTasksCommand({ cluster: 'iac', tasks: [run.tasks![0]!.taskArn!], include: ['TAGS'] }))).tasks![0]!;
  assert.equal(ran.enableExecuteCommand, true);
  assert.deepEqual(ran.tags, [
    { key: 'from', value: 'run' },
    { key: 'aws:ecs:clusterName', value: 'iac' },
  ]);
  await ecs.send(new ECS.StopTaskCommand({ cluster: 'iac', task: run.tasks![0]!.taskArn! }));
  assert.equal(await codeOf(ecs.send(new ECS.RunTaskCommand({ cluster: 'iac', taskDefinition: 'iac-idle', propagateTags: 'SERVICE' }))), 'InvalidParameterException');
  assert.equal(
    await codeOf(
      ecs.send(new ECS.CreateServiceCommand({ cluster: 'iac', serviceName: 'bad-tags', taskDefinition: 'iac-idle', desiredCount: 0, propagateTags: 'ALL' as ECS.PropagateTags })),
    ),
    'InvalidParameterException',
  );
});
