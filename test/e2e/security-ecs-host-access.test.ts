// Task definitions that would reach into the machine Wayfinder runs on are refused at RegisterTaskDefinition with a
// ClientException that says why (AWS's own message when the definition requires FARGATE, which AWS refuses too),
// and nothing is registered. Settings that no runtime applies are accepted, as AWS accepts them, and named once in
// a warning in Wayfinder's log.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as ECS from '@aws-sdk/client-ecs';
import { failureOf } from '../support/errors.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';
import { startCli } from '../support/cli.js';
import { waitFor } from '../support/ecs.js';

type Td = ECS.RegisterTaskDefinitionCommandInput;
type Container = ECS.ContainerDefinition;

const ec2Td = (family: string, container: Partial<Container> = {}, task: Partial<Td> = {}): Td => ({
  family,
  networkMode: 'bridge',
  containerDefinitions: [{ name: 'web', image: 'busybox', memory: 64, command: ['sleep', '60'], ...container }],
  ...task,
});
const fargateTd = (family: string, container: Partial<Container> = {}, task: Partial<Td> = {}): Td => ({
  ...ec2Td(family, container),
  networkMode: 'awsvpc',
  requiresCompatibilities: ['FARGATE'],
  cpu: '256',
  memory: '512',
  ...task,
});

describe('RegisterTaskDefinition refuses settings that reach into the host', () => {
  let server: TestServer;
  let ecs: ECS.ECSClient;
  before(async () => {
    server = await startTestServer();
    ecs = new ECS.ECSClient(sdkConfig(server));
  });
  after(async () => {
    ecs.destroy();
    await server.destroy();
  });

  const refused = async (td: Td, message: string) => {
    assert.deepEqual(await failureOf(ecs.send(new ECS.RegisterTaskDefinitionCommand(td))), { name: 'ClientException', message });
    // Nothing was registered: the family has no revision at all.
    const { taskDefinitionArns } = await ecs.send(new ECS.ListTaskDefinitionsCommand({ familyPrefix: td.family }));
    assert.deepEqual(taskDefinitionArns, [], `${td.family} left a task definition behind`);
  };

  it('EC2-compatible definitions: Wayfinder says what it does not run, and why', async () => {
    await refused(
      ec2Td('priv', { privileged: true }),
      "Wayfinder does not run privileged containers: container 'web' sets privileged, which would give it root access to the machine Wayfinder runs on.",
    );
    await refused(
      ec2Td('hostvol', { mountPoints: [{ sourceVolume: 'root', containerPath: '/host' }] }, { volumes: [{ name: 'root', host: { sourcePath: '/' } }] }),
      "Wayfinder does not mount host paths into tasks: volume 'root' sets host.sourcePath '/'. Leave host unset for a Docker-managed volume.",
    );
    await refused(
      ec2Td('bindvol', {}, { volumes: [{ name: 'etc', dockerVolumeConfiguration: { scope: 'task', driver: 'local', driverOpts: { type: 'none', o: 'bind', device: '/etc' } } }] }),
      "Wayfinder does not mount host paths into tasks: volume 'etc' passes driverOpts that bind a host path through the local volume driver.",
    );
    await refused(
      ec2Td('pidhost', {}, { pidMode: 'host' }),
      "Wayfinder does not share the host's process namespace: pidMode 'host' would let the task see and signal every process of the machine Wayfinder runs on. Leave pidMode unset or use 'task'.",
    );
    await refused(
      ec2Td('ipchost', {}, { ipcMode: 'host' }),
      "Wayfinder does not share the host's IPC namespace: ipcMode 'host' would let the task reach the shared memory of the machine Wayfinder runs on. Leave ipcMode unset or use 'task' or 'none'.",
    );
    await refused(
      ec2Td('nethost', {}, { networkMode: 'host' }),
      "Wayfinder does not run tasks on the host's network: networkMode 'host' would let the task use every port and loopback service of the machine Wayfinder runs on. Use 'awsvpc' or 'bridge'.",
    );
    await refused(
      ec2Td('capadd', { linuxParameters: { capabilities: { add: ['SYS_PTRACE', 'SYS_ADMIN'] } } }),
      "Wayfinder does not add Linux capabilities: container 'web' adds SYS_ADMIN. Only SYS_PTRACE, which Fargate allows too, is accepted.",
    );
    await refused(
      ec2Td('devices', { linuxParameters: { devices: [{ hostPath: '/dev/sda' }] } }),
      "Wayfinder does not pass host devices into containers: container 'web' maps the host device '/dev/sda'.",
    );
    await refused(
      ec2Td('unconfined', { dockerSecurityOptions: ['apparmor:unconfined'] }),
      "Wayfinder does not switch off container confinement: container 'web' sets dockerSecurityOptions 'apparmor:unconfined'.",
    );
  });

  it('FARGATE definitions: AWS’s own Fargate refusals', async () => {
    await refused(fargateTd('fg-priv', { privileged: true }), "Fargate requires that the 'privileged' setting be 'false'");
    await refused(fargateTd('fg-hostvol', {}, { volumes: [{ name: 'root', host: { sourcePath: '/' } }] }), 'Fargate compatible task definitions do not support sourcePath');
    await refused(fargateTd('fg-pid', {}, { pidMode: 'host' }), "Tasks using the Fargate launch type do not support pidMode 'host'. The supported value for pidMode is 'task'.");
    await refused(fargateTd('fg-ipc', {}, { ipcMode: 'host' }), 'Tasks using the Fargate launch type do not support ipcMode.');
    await refused(fargateTd('fg-net', {}, { networkMode: 'host' }), "Fargate only supports network mode 'awsvpc'.");
    await refused(fargateTd('fg-cap', { linuxParameters: { capabilities: { add: ['NET_ADMIN'] } } }), 'NET_ADMIN is not allowed on Fargate.');
    await refused(fargateTd('fg-dev', { linuxParameters: { devices: [{ hostPath: '/dev/kmsg' }] } }), 'Fargate compatible task definitions do not support devices');
  });

  it('what stays inside the container is accepted, as on Fargate: SYS_PTRACE, pidMode task, dropped capabilities, no-new-privileges', async () => {
    const { taskDefinition } = await ecs.send(
      new ECS.RegisterTaskDefinitionCommand(
        fargateTd(
          'fg-ok',
          { linuxParameters: { capabilities: { add: ['SYS_PTRACE'], drop: ['ALL'] } }, dockerSecurityOptions: ['no-new-privileges'], readonlyRootFilesystem: true },
          { pidMode: 'task' },
        ),
      ),
    );
    assert.deepEqual(taskDefinition?.compatibilities, ['EC2', 'FARGATE']);
    assert.equal(taskDefinition?.pidMode, 'task');
    assert.deepEqual(taskDefinition?.containerDefinitions?.[0]?.linuxParameters?.capabilities, { add: ['SYS_PTRACE'], drop: ['ALL'] });
  });
});

it('settings no runtime applies are accepted and named once in a warning in Wayfinder’s log', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-ignored-'));
  const cli = await startCli(['--port', '0', '--dns-port', '0', '--data-dir', dir, '--runtime', 'process', '--log-level', 'warn']);
  const ecs = new ECS.ECSClient(sdkConfig({ port: cli.port }));
  try {
    const { taskDefinition } = await ecs.send(
      new ECS.RegisterTaskDefinitionCommand(
        ec2Td(
          'ignored',
          { readonlyRootFilesystem: true, mountPoints: [{ sourceVolume: 'scratch', containerPath: '/scratch' }], ulimits: [{ name: 'nofile', softLimit: 64, hardLimit: 64 }] },
          { volumes: [{ name: 'scratch' }] },
        ),
      ),
    );
    assert.equal(taskDefinition?.containerDefinitions?.[0]?.readonlyRootFilesystem, true, 'stored as given, as AWS does');
    const line = await waitFor(
      'the warning',
      () =>
        cli
          .output()
          .split('\n')
          .find((l) => l.includes('does not apply these task definition settings')),
      10_000,
      50,
    );
    const logged = JSON.parse(line) as { level: number; ignored: string[]; taskDefinition: string };
    assert.equal(logged.level, 40, 'logged at warn');
    assert.equal(logged.taskDefinition, taskDefinition?.taskDefinitionArn);
    assert.deepEqual(logged.ignored, [
      'volumes',
      'containerDefinitions[web].memory',
      'containerDefinitions[web].mountPoints',
      'containerDefinitions[web].readonlyRootFilesystem',
      'containerDefinitions[web].ulimits',
    ]);
    // A definition with nothing ignored but its task-level cpu and memory logs one line of its own.
    await ecs.send(new ECS.RegisterTaskDefinitionCommand(fargateTd('plain', { memory: undefined })));
    const lines = await waitFor(
      'the second warning',
      () => {
        const found = cli
          .output()
          .split('\n')
          .filter((l) => l.includes('does not apply these task definition settings'));
        return found.length >= 2 && found;
      },
      10_000,
      50,
    );
    assert.equal(lines.length, 2, 'one line per registration');
    assert.deepEqual((JSON.parse(lines[1]!) as { ignored: string[] }).ignored, ['cpu', 'memory']);
  } finally {
    ecs.destroy();
    cli.child.kill('SIGTERM');
    await cli.exited;
    rmSync(dir, { recursive: true, force: true });
  }
});
