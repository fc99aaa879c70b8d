// Accounts are apart (README "Who may call"): one account cannot route to, nor register tasks into,
// another account's Cloud Map service. Cloud Map ids are unique across accounts, so the attacks name
// the victim's id: an API of account 2 whose VPC-link integration URI is an ARN of account 2 holding
// account 1's srv id (the create check sees its own account; the data plane looked the id up alone),
// and an ECS service of account 2 whose serviceRegistries name account 1's service by its real ARN.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import { codeOf, httpNamespace, register } from '../support/cloudmap.js';
import { privateHttpApi, waitFor } from '../support/ecs.js';
import { invoke, startBackend, type Backend } from '../support/gateway.js';
import { sdkConfigAs, startTestServer, type TestServer } from '../support/server.js';

const VICTIM = '111111111111';
const ATTACKER = '222222222222';

describe("another account's Cloud Map service", () => {
  let server: TestServer;
  let backend: Backend;
  let victimService: { Id: string; Arn: string };

  before(async () => {
    server = await startTestServer();
    backend = await startBackend('victim');
    const sd = new SD.ServiceDiscoveryClient({ ...sdkConfigAs(server, VICTIM), disableHostPrefix: true });
    const ns = await httpNamespace(sd, 'private');
    const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 'backend', NamespaceId: ns }));
    victimService = { Id: Service!.Id!, Arn: Service!.Arn! };
    await register(sd, Service!.Id!, 'i-1', { AWS_INSTANCE_IPV4: '127.0.0.1', AWS_INSTANCE_PORT: String(backend.port) });
    sd.destroy();
  });
  after(async () => {
    await backend.close();
    await server.destroy();
  });

  it("is not reached by another account's API through an ARN of its own account", async () => {
    const cfg = sdkConfigAs(server, ATTACKER);
    const ag = new AG.ApiGatewayV2Client(cfg);
    const { Subnets } = await new E.EC2Client(cfg).send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    const apiId = await privateHttpApi(ag, 'steal', [Subnets![0]!.SubnetId!], `arn:aws:servicediscovery:us-east-1:${ATTACKER}:service/${victimService.Id}`);
    ag.destroy();
    const answer = await waitFor('the deployed route', async () => {
      const r = await invoke(server, apiId, { path: '/secret' });
      return r.status !== 404 && r;
    });
    assert.equal(answer.status, 503, answer.text);
    assert.deepEqual(backend.received, [], "the victim's backend saw nothing");
  });

  it("cannot get another account's tasks registered into it (ECS serviceRegistries)", async () => {
    const cfg = sdkConfigAs(server, ATTACKER);
    const ecs = new ECS.ECSClient(cfg);
    const { Subnets } = await new E.EC2Client(cfg).send(new E.DescribeSubnetsCommand({ Filters: [{ Name: 'default-for-az', Values: ['true'] }] }));
    await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'web' }));
    await ecs.send(
      new ECS.RegisterTaskDefinitionCommand({
        family: 'web',
        networkMode: 'awsvpc',
        requiresCompatibilities: ['FARGATE'],
        cpu: '256',
        memory: '512',
        containerDefinitions: [{ name: 'web', image: 'busybox', command: ['sleep', '60'], portMappings: [{ containerPort: 80 }] }],
      }),
    );
    const created = ecs.send(
      new ECS.CreateServiceCommand({
        cluster: 'web',
        serviceName: 'web',
        taskDefinition: 'web',
        desiredCount: 1,
        launchType: 'FARGATE',
        networkConfiguration: { awsvpcConfiguration: { subnets: [Subnets![0]!.SubnetId!] } },
        serviceRegistries: [{ registryArn: victimService.Arn }],
      }),
    );
    assert.equal(await codeOf(created), 'InvalidParameterException');
    assert.deepEqual((await ecs.send(new ECS.ListServicesCommand({ cluster: 'web' }))).serviceArns, []);
    ecs.destroy();
  });
});
