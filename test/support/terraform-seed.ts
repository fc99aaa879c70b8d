// The seed's architecture through Terraform, as a user runs it (examples/terraform/seed): init → apply →
// the invoke URL serves the task → a second plan has no changes → destroy → nothing is left.
// Shared by the variant with the provider's skip_* flags and the one without (seed-sts/provider.tf).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as AG from '@aws-sdk/client-apigatewayv2';
import * as CWL from '@aws-sdk/client-cloudwatch-logs';
import * as E from '@aws-sdk/client-ec2';
import * as ECS from '@aws-sdk/client-ecs';
import * as IAM from '@aws-sdk/client-iam';
import * as SD from '@aws-sdk/client-servicediscovery';
import { waitFor } from './ecs.js';
import { rawRequest, sdkConfig, startTestServer } from './server.js';
import { EXAMPLES, terraformDir } from './terraform.js';
import { SEED_APP } from './seed-app.js';

const NAME = 'flask-app';
const EXECUTION_POLICY = 'arn:aws:iam::aws:policy/service-role/AmazonECSTaskExecutionRolePolicy';

// Bounds of each step. The provider itself waits 10 s after creating an ECS cluster and after changing
// its capacity providers (its waiters' fixed Delay), so an apply takes about 35 s.
const INIT_MS = 60_000;
const APPLY_MS = 150_000;
const PLAN_MS = 90_000;
const DESTROY_MS = 120_000;

/** log(line) prints progress; the variant's extra directory (seed-sts) replaces the seed's provider.tf. */
export async function seedLifecycle(variant: 'skip-checks' | 'sts', log: (line: string) => void): Promise<void> {
  // The process runtime runs the container's entryPoint on this machine: the seed's Flask app.
  const server = await startTestServer({ runtime: 'process' });
  const sources = [join(EXAMPLES, 'seed'), ...(variant === 'sts' ? [join(EXAMPLES, 'seed-sts')] : [])];
  const tf = terraformDir(sources, { endpoint: `http://localhost:${server.port}`, entry_point: ['python3', SEED_APP] });
  const cfg = sdkConfig(server);
  const ec2 = new E.EC2Client(cfg);
  const ecs = new ECS.ECSClient(cfg);
  const sd = new SD.ServiceDiscoveryClient({ ...cfg, disableHostPrefix: true });
  const apigw = new AG.ApiGatewayV2Client(cfg);
  const logs = new CWL.CloudWatchLogsClient(cfg);
  const iam = new IAM.IAMClient(cfg);
  try {
    await tf.ok(['init', '-input=false'], INIT_MS);
    const apply = await tf.ok(['apply', '-auto-approve', '-input=false'], APPLY_MS);
    log(/Apply complete!.*/.exec(apply.stdout)?.[0] ?? 'applied');

    const outputs = JSON.parse((await tf.ok(['output', '-json'], INIT_MS)).stdout) as Record<string, { value: string }>;
    const apiId = outputs.api_id!.value;
    const host = `${apiId}.execute-api.localhost`;
    assert.equal(outputs.invoke_url!.value, `http://${host}:${server.port}/`);

    // What apply made, as the SDK sees it.
    const role = (await iam.send(new IAM.GetRoleCommand({ RoleName: `${NAME}-execution` }))).Role!;
    const attached = await iam.send(new IAM.ListAttachedRolePoliciesCommand({ RoleName: role.RoleName }));
    assert.deepEqual(
      attached.AttachedPolicies?.map((p) => p.PolicyArn),
      [EXECUTION_POLICY],
    );
    const td = (await ecs.send(new ECS.DescribeTaskDefinitionCommand({ taskDefinition: NAME }))).taskDefinition!;
    assert.equal(td.executionRoleArn, role.Arn);
    const cluster = (await ecs.send(new ECS.DescribeClustersCommand({ clusters: [`${NAME}-cluster`] }))).clusters![0]!;
    assert.deepEqual(cluster.capacityProviders?.toSorted(), ['FARGATE', 'FARGATE_SPOT']); // a set in Terraform: sent in any order

    // The invoke URL serves the task: Host {apiId}.execute-api.localhost (Node does not resolve
    // *.localhost, so the request goes to 127.0.0.1 with the invoke URL's Host).
    const body = await waitFor(
      'the task through the invoke URL',
      async () => {
        const res = await rawRequest(server, { method: 'GET', path: '/', headers: { host: `${host}:${server.port}` } });
        return res.status === 200 ? res.text : undefined;
      },
      60_000,
      250,
    );
    assert.equal(body, 'Serving flask app');
    log(`GET ${outputs.invoke_url!.value} → ${body}`);

    // A second plan: everything Terraform wrote reads back as written.
    const plan = await tf.run(['plan', '-detailed-exitcode', '-input=false'], PLAN_MS);
    assert.equal(plan.code, 0, `the plan after apply must have no changes (exit ${plan.code}):\n${plan.stdout}\n${plan.stderr}`);
    log(/No changes\..*/.exec(plan.stdout)?.[0] ?? 'plan: no changes');

    const destroy = await tf.ok(['destroy', '-auto-approve', '-input=false'], DESTROY_MS);
    log(/Destroy complete!.*/.exec(destroy.stdout)?.[0] ?? 'destroyed');

    // Nothing left: only the region's default VPC and its default security group remain.
    assert.deepEqual((await ecs.send(new ECS.ListClustersCommand({}))).clusterArns, []);
    assert.deepEqual((await ecs.send(new ECS.ListTaskDefinitionsCommand({ status: 'ACTIVE' }))).taskDefinitionArns, []);
    const vpcs = (await ec2.send(new E.DescribeVpcsCommand({}))).Vpcs!;
    assert.deepEqual(
      vpcs.map((v) => v.IsDefault),
      [true],
    );
    const groups = (await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'group-name', Values: [`${NAME}-sg`] }] }))).SecurityGroups;
    assert.deepEqual(groups, []);
    assert.deepEqual((await apigw.send(new AG.GetApisCommand({}))).Items, []);
    assert.deepEqual((await apigw.send(new AG.GetVpcLinksCommand({}))).Items, []);
    assert.deepEqual((await sd.send(new SD.ListNamespacesCommand({}))).Namespaces, []);
    assert.deepEqual((await sd.send(new SD.ListServicesCommand({}))).Services, []);
    assert.deepEqual((await logs.send(new CWL.DescribeLogGroupsCommand({}))).logGroups, []);
    const roles = (await iam.send(new IAM.ListRolesCommand({}))).Roles!;
    assert.deepEqual(
      roles.filter((r) => r.RoleName === role.RoleName),
      [],
    );
  } finally {
    for (const c of [ec2, ecs, sd, apigw, logs, iam]) c.destroy();
    await server.destroy();
    tf.remove();
  }
}
