// ECS fields and calls infrastructure-as-code tools (Terraform's aws provider) set on create and read back
// with describe: each must come back exactly as AWS returns it, so a plan after apply is empty.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as ECS from '@aws-sdk/client-ecs';
import { startTestServer, type TestServer } from '../support/server.js';
import { codeOf } from '../support/errors.js';
import { clients, type Clients } from '../support/ecs.js';

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
