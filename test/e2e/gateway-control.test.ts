// The apigatewayv2 control plane through @aws-sdk/client-apigatewayv2 against a real Wayfinder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as G from '@aws-sdk/client-apigatewayv2';
import * as E from '@aws-sdk/client-ec2';
import { sdkConfig, signedRequest, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let gw: G.ApiGatewayV2Client;
let ec2: E.EC2Client;
let subnetId: string;
let groupId: string;

before(async () => {
  server = await startTestServer();
  gw = new G.ApiGatewayV2Client(sdkConfig(server));
  ec2 = new E.EC2Client(sdkConfig(server));
  const subnets = await ec2.send(new E.DescribeSubnetsCommand({}));
  subnetId = subnets.Subnets![0]!.SubnetId!;
  const groups = await ec2.send(new E.DescribeSecurityGroupsCommand({ Filters: [{ Name: 'vpc-id', Values: [subnets.Subnets![0]!.VpcId!] }] }));
  groupId = groups.SecurityGroups![0]!.GroupId!;
});
after(async () => {
  gw.destroy();
  ec2.destroy();
  await server.destroy();
});

async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined; message: string }> {
  try {
    await p;
  } catch (e) {
    const err = e as Error & { $metadata?: { httpStatusCode?: number } };
    return { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
  }
  throw new Error('expected an error');
}

test('CreateApi: 201, AWS ids and defaults, camelCase wire keys, apiEndpoint on the bound port', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'pets', ProtocolType: 'HTTP', Tags: { team: 'a' } }));
  assert.equal(api.$metadata.httpStatusCode, 201);
  assert.match(api.ApiId!, /^[a-z0-9]{10}$/);
  assert.equal(api.ApiEndpoint, `http://${api.ApiId}.execute-api.localhost:${server.port}`);
  assert.equal(api.RouteSelectionExpression, '$request.method $request.path');
  assert.equal(api.ApiKeySelectionExpression, '$request.header.x-api-key');
  assert.equal(api.DisableExecuteApiEndpoint, false);
  assert.deepEqual(api.Tags, { team: 'a' });
  assert.ok(api.CreatedDate instanceof Date);
  const raw = await signedRequest(server, { service: 'apigateway', method: 'GET', path: `/v2/apis/${api.ApiId}` });
  const body = JSON.parse(raw.text) as Record<string, unknown>;
  assert.equal(body.apiId, api.ApiId);
  assert.equal(body.routeSelectionExpression, '$request.method $request.path');
  assert.ok(!('ApiId' in body), 'no PascalCase keys on the wire');
  assert.match(String(body.createdDate), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z$/);
});

test('errors: 404 NotFoundException with AWS text, 400 on bad input, 409 on duplicate route keys', async () => {
  const missing = await failure(gw.send(new G.GetApiCommand({ ApiId: 'nope123456' })));
  assert.deepEqual([missing.name, missing.status, missing.message], ['NotFoundException', 404, 'Invalid API identifier specified 000000000000:nope123456']);
  const proto = await failure(gw.send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'GRPC' as G.ProtocolType })));
  assert.deepEqual([proto.name, proto.status], ['BadRequestException', 400]);
  const rse = await failure(gw.send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', RouteSelectionExpression: '$request.body.action' })));
  assert.equal(rse.name, 'BadRequestException');
  const api = await gw.send(new G.CreateApiCommand({ Name: 'dups', ProtocolType: 'HTTP' }));
  await gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /pets' }));
  const dup = await failure(gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /pets' })));
  assert.deepEqual([dup.name, dup.status], ['ConflictException', 409]);
  for (const key of ['GET pets', 'FETCH /x', 'GET /{proxy+}/more']) {
    assert.equal((await failure(gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: key })))).name, 'BadRequestException', key);
  }
  const route = await failure(gw.send(new G.GetRouteCommand({ ApiId: api.ApiId, RouteId: 'zzzzzzz' })));
  assert.deepEqual([route.name, route.message], ['NotFoundException', 'Invalid Route identifier specified zzzzzzz']);
  const target = await failure(gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /t', Target: 'integrations/nope123' })));
  assert.equal(target.name, 'NotFoundException');
});

test('quick create: managed HTTP_PROXY integration, $default route and auto-deployed $default stage', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'quick', ProtocolType: 'HTTP', Target: 'http://127.0.0.1:9/x' }));
  const [integrations, routes, stages] = await Promise.all([
    gw.send(new G.GetIntegrationsCommand({ ApiId: api.ApiId })),
    gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId })),
    gw.send(new G.GetStagesCommand({ ApiId: api.ApiId })),
  ]);
  const i = integrations.Items![0]!;
  assert.deepEqual(
    [i.IntegrationType, i.IntegrationMethod, i.PayloadFormatVersion, i.TimeoutInMillis, i.ApiGatewayManaged, i.ConnectionType],
    ['HTTP_PROXY', 'ANY', '1.0', 30000, true, 'INTERNET'],
  );
  assert.match(i.IntegrationId!, /^[a-z0-9]{7}$/);
  const r = routes.Items![0]!;
  assert.deepEqual([r.RouteKey, r.Target, r.ApiGatewayManaged, r.AuthorizationType], ['$default', `integrations/${i.IntegrationId}`, true, 'NONE']);
  const s = stages.Items![0]!;
  assert.deepEqual([s.StageName, s.AutoDeploy, s.ApiGatewayManaged], ['$default', true, true]);
  assert.match(s.DeploymentId!, /^[a-z0-9]{6}$/);
  assert.equal(s.LastDeploymentStatusMessage, `Successfully deployed stage with deployment ID '${s.DeploymentId}'`);
  assert.equal((await failure(gw.send(new G.DeleteRouteCommand({ ApiId: api.ApiId, RouteId: r.RouteId })))).name, 'BadRequestException');
  assert.equal((await failure(gw.send(new G.UpdateIntegrationCommand({ ApiId: api.ApiId, IntegrationId: i.IntegrationId, TimeoutInMillis: 100 })))).name, 'BadRequestException');
  // The quick-create target changes through UpdateApi, and auto-deploys.
  await gw.send(new G.UpdateApiCommand({ ApiId: api.ApiId, Target: 'http://127.0.0.1:9/y', RouteKey: 'ANY /{proxy+}' }));
  assert.equal((await gw.send(new G.GetIntegrationCommand({ ApiId: api.ApiId, IntegrationId: i.IntegrationId }))).IntegrationUri, 'http://127.0.0.1:9/y');
  assert.equal((await gw.send(new G.GetRouteCommand({ ApiId: api.ApiId, RouteId: r.RouteId }))).RouteKey, 'ANY /{proxy+}');
  const deployments = await gw.send(new G.GetDeploymentsCommand({ ApiId: api.ApiId }));
  assert.equal(deployments.Items!.length, 2);
  assert.ok(
    deployments.Items!.every((d) => d.AutoDeployed && d.Description === 'Automatic deployment triggered by changes to the Api configuration' && d.DeploymentStatus === 'DEPLOYED'),
  );
  const del = await gw.send(new G.DeleteApiCommand({ ApiId: api.ApiId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal((await failure(gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId })))).name, 'NotFoundException');
});

test('GetRoutes answers what was last committed: repeated pages follow CreateRoute, UpdateRoute and DeleteRoute', async () => {
  // Pages are kept in memory between calls (route-pages.ts): every change must show on the next call.
  const api = await gw.send(new G.CreateApiCommand({ Name: 'paged', ProtocolType: 'HTTP' }));
  const integration = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      IntegrationUri: 'http://127.0.0.1:9',
      PayloadFormatVersion: '1.0',
    }),
  );
  const target = `integrations/${integration.IntegrationId}`;
  const ids: string[] = [];
  for (const key of ['GET /a', 'GET /b', 'GET /c']) ids.push((await gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: key, Target: target }))).RouteId!);
  const keys = async (): Promise<string[]> => {
    const out: string[] = [];
    let token: string | undefined;
    do {
      const page = await gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId, MaxResults: '2', NextToken: token }));
      out.push(...page.Items!.map((r) => r.RouteKey!));
      token = page.NextToken;
    } while (token);
    return out.sort();
  };
  assert.deepEqual(await keys(), ['GET /a', 'GET /b', 'GET /c']);
  assert.deepEqual(await keys(), ['GET /a', 'GET /b', 'GET /c']);
  await gw.send(new G.UpdateRouteCommand({ ApiId: api.ApiId, RouteId: ids[1], RouteKey: 'GET /b2' }));
  assert.deepEqual(await keys(), ['GET /a', 'GET /b2', 'GET /c']);
  await gw.send(new G.DeleteRouteCommand({ ApiId: api.ApiId, RouteId: ids[0] }));
  assert.deepEqual(await keys(), ['GET /b2', 'GET /c']);
  await gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /d', Target: target }));
  assert.deepEqual(await keys(), ['GET /b2', 'GET /c', 'GET /d']);
  const whole = await gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId }));
  assert.equal(whole.Items!.find((r) => r.RouteKey === 'GET /d')?.Target, target);
  await gw.send(new G.DeleteApiCommand({ ApiId: api.ApiId }));
  assert.equal((await failure(gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId })))).name, 'NotFoundException');
});

test('stages and deployments: autoDeploy semantics, deploymentId rules, no deployment without routes', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'stages', ProtocolType: 'HTTP' }));
  const id = api.ApiId!;
  const empty = await failure(gw.send(new G.CreateDeploymentCommand({ ApiId: id })));
  assert.deepEqual([empty.name, empty.message], ['BadRequestException', 'Unable to deploy API because no routes exist in this API']);
  const integ = await gw.send(new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', IntegrationUri: 'http://127.0.0.1:9' }));
  assert.equal(integ.$metadata.httpStatusCode, 201);
  assert.deepEqual([integ.TimeoutInMillis, integ.PayloadFormatVersion, integ.ConnectionType], [30000, '1.0', 'INTERNET']);
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /a', Target: `integrations/${integ.IntegrationId}` }));
  const manual = await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: 'prod' }));
  assert.deepEqual([manual.$metadata.httpStatusCode, manual.AutoDeploy, manual.DeploymentId, manual.LastDeploymentStatusMessage], [201, false, undefined, undefined]);
  assert.deepEqual(manual.DefaultRouteSettings, { DetailedMetricsEnabled: false });
  const dep = await gw.send(new G.CreateDeploymentCommand({ ApiId: id, StageName: 'prod', Description: 'first' }));
  assert.deepEqual([dep.$metadata.httpStatusCode, dep.DeploymentStatus, dep.AutoDeployed, dep.Description], [201, 'DEPLOYED', false, 'first']);
  assert.equal((await gw.send(new G.GetStageCommand({ ApiId: id, StageName: 'prod' }))).DeploymentId, dep.DeploymentId);
  const inUse = await failure(gw.send(new G.DeleteDeploymentCommand({ ApiId: id, DeploymentId: dep.DeploymentId })));
  assert.equal(inUse.name, 'BadRequestException');
  const both = await failure(gw.send(new G.CreateStageCommand({ ApiId: id, StageName: 'x', AutoDeploy: true, DeploymentId: dep.DeploymentId })));
  assert.equal(both.name, 'BadRequestException');
  const auto = await gw.send(new G.CreateStageCommand({ ApiId: id, StageName: '$default', AutoDeploy: true }));
  assert.ok(auto.DeploymentId, 'an auto-deploy stage on an API with routes deploys right away');
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /b', Target: `integrations/${integ.IntegrationId}` }));
  const after1 = await gw.send(new G.GetStageCommand({ ApiId: id, StageName: '$default' }));
  assert.notEqual(after1.DeploymentId, auto.DeploymentId, 'a route change redeploys the auto-deploy stage');
  assert.equal((await gw.send(new G.GetStageCommand({ ApiId: id, StageName: 'prod' }))).DeploymentId, dep.DeploymentId, 'manual stages stay put');
  const manualToAuto = await failure(gw.send(new G.CreateDeploymentCommand({ ApiId: id, StageName: '$default' })));
  assert.equal(manualToAuto.name, 'BadRequestException');
  const setDep = await failure(gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: '$default', DeploymentId: dep.DeploymentId })));
  assert.equal(setDep.name, 'BadRequestException');
  const dupStage = await failure(gw.send(new G.CreateStageCommand({ ApiId: id, StageName: 'prod' })));
  assert.equal(dupStage.name, 'ConflictException');
  const badName = await failure(gw.send(new G.CreateStageCommand({ ApiId: id, StageName: 'no spaces' })));
  assert.equal(badName.name, 'BadRequestException');
  const stageMissing = await failure(gw.send(new G.GetStageCommand({ ApiId: id, StageName: 'nope' })));
  assert.deepEqual([stageMissing.name, stageMissing.message], ['NotFoundException', 'Invalid stage identifier specified']);
});

test('stage settings: variables, throttling bounded by the account limits, access log format and destination', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'settings', ProtocolType: 'HTTP' }));
  const id = api.ApiId!;
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /pets' })); // route settings name a route of the API
  const s = await gw.send(
    new G.CreateStageCommand({
      ApiId: id,
      StageName: 'dev',
      StageVariables: { backend: 'host.example:8080', flag: 'on' },
      DefaultRouteSettings: { ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 },
      RouteSettings: { 'GET /pets': { ThrottlingRateLimit: 1 } },
      AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:access', Format: '$context.requestId $context.status' },
    }),
  );
  assert.deepEqual(s.StageVariables, { backend: 'host.example:8080', flag: 'on' });
  assert.deepEqual(s.DefaultRouteSettings, { DetailedMetricsEnabled: false, ThrottlingBurstLimit: 10, ThrottlingRateLimit: 5 });
  assert.deepEqual(s.RouteSettings, { 'GET /pets': { ThrottlingRateLimit: 1 } });
  const over = await failure(gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: 'dev', DefaultRouteSettings: { ThrottlingRateLimit: 20000 } })));
  assert.equal(over.name, 'BadRequestException');
  const noRequestId = await failure(
    gw.send(
      new G.UpdateStageCommand({
        ApiId: id,
        StageName: 'dev',
        AccessLogSettings: { DestinationArn: 'arn:aws:logs:us-east-1:000000000000:log-group:access', Format: '$context.status' },
      }),
    ),
  );
  assert.equal(noRequestId.name, 'BadRequestException');
  const badArn = await failure(
    gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: 'dev', AccessLogSettings: { DestinationArn: 'arn:aws:s3:::bucket', Format: '$context.requestId' } })),
  );
  assert.equal(badArn.name, 'BadRequestException');
  const badVar = await failure(gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: 'dev', StageVariables: { 'bad-name': 'x' } })));
  assert.equal(badVar.name, 'BadRequestException');
  // Variables change one by one; "" removes one (what Terraform sends for a variable it drops).
  const dropped = await gw.send(new G.UpdateStageCommand({ ApiId: id, StageName: 'dev', StageVariables: { flag: '', color: 'blue' } }));
  assert.deepEqual(dropped.StageVariables, { backend: 'host.example:8080', color: 'blue' });
  assert.deepEqual((await gw.send(new G.GetStageCommand({ ApiId: id, StageName: 'dev' }))).StageVariables, { backend: 'host.example:8080', color: 'blue' });
  const del = await gw.send(new G.DeleteAccessLogSettingsCommand({ ApiId: id, StageName: 'dev' }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  await gw.send(new G.DeleteRouteSettingsCommand({ ApiId: id, StageName: 'dev', RouteKey: 'GET /pets' }));
  const got = await gw.send(new G.GetStageCommand({ ApiId: id, StageName: 'dev' }));
  assert.equal(got.AccessLogSettings, undefined);
  assert.deepEqual(got.RouteSettings, {});
  assert.equal((await failure(gw.send(new G.DeleteRouteSettingsCommand({ ApiId: id, StageName: 'dev', RouteKey: 'GET /pets' })))).name, 'NotFoundException');
  assert.equal((await failure(gw.send(new G.DeleteRouteSettingsCommand({ ApiId: id, StageName: 'dev', RouteKey: 'constructor' })))).name, 'NotFoundException');
  const nan = await signedRequest(server, {
    service: 'apigateway',
    method: 'PATCH',
    path: `/v2/apis/${id}/stages/dev`,
    body: JSON.stringify({ defaultRouteSettings: { throttlingRateLimit: 'NaN' } }),
  });
  assert.equal(nan.status, 400, nan.text);
});

test('integrations: URL and VPC-link validation, timeouts 50–30000, reserved-header mappings refused, in-use deletes refused', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'integ', ProtocolType: 'HTTP' }));
  const id = api.ApiId!;
  const bad = async (input: Partial<G.CreateIntegrationCommandInput>) =>
    (
      await failure(
        gw.send(
          new G.CreateIntegrationCommand({
            ApiId: id,
            IntegrationType: 'HTTP_PROXY',
            IntegrationMethod: 'ANY',
            IntegrationUri: 'http://127.0.0.1:9',
            ...input,
          } as G.CreateIntegrationCommandInput),
        ),
      )
    ).name;
  assert.equal(await bad({ TimeoutInMillis: 49 }), 'BadRequestException');
  assert.equal(await bad({ TimeoutInMillis: 30001 }), 'BadRequestException');
  assert.equal(await bad({ IntegrationUri: 'ftp://x' }), 'BadRequestException');
  assert.equal(await bad({ IntegrationType: 'MOCK' }), 'BadRequestException');
  assert.equal(await bad({ PayloadFormatVersion: '2.0' }), 'BadRequestException');
  assert.equal(await bad({ RequestParameters: { 'overwrite:header.Authorization': 'x' } }), 'BadRequestException');
  assert.equal(await bad({ RequestParameters: { 'append:header.x-amzn-foo': 'x' } }), 'BadRequestException');
  assert.equal(await bad({ ResponseParameters: { '700': { 'overwrite:statuscode': '200' } } }), 'BadRequestException');
  assert.equal(await bad({ ConnectionType: 'VPC_LINK' }), 'BadRequestException');
  assert.equal(await bad({ ConnectionType: 'VPC_LINK', ConnectionId: 'nope12' }), 'NotFoundException');
  const link = await gw.send(new G.CreateVpcLinkCommand({ Name: 'l', SubnetIds: [subnetId] }));
  assert.equal(await bad({ ConnectionType: 'VPC_LINK', ConnectionId: link.VpcLinkId, IntegrationUri: 'http://not-an-arn' }), 'BadRequestException');
  const priv = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: id,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'ANY',
      ConnectionType: 'VPC_LINK',
      ConnectionId: link.VpcLinkId,
      IntegrationUri: 'arn:aws:servicediscovery:us-east-1:000000000000:service/srv-p5zdwlg5uvvzjita?version=v2',
      RequestParameters: { 'overwrite:path': '$request.path', 'append:header.x-user': '$context.authorizer.claims.sub' },
      TimeoutInMillis: 50,
    }),
  );
  assert.deepEqual([priv.ConnectionType, priv.ConnectionId, priv.TimeoutInMillis, priv.PayloadFormatVersion], ['VPC_LINK', link.VpcLinkId, 50, '1.0']);
  await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'ANY /{proxy+}', Target: `integrations/${priv.IntegrationId}` }));
  assert.equal((await failure(gw.send(new G.DeleteIntegrationCommand({ ApiId: id, IntegrationId: priv.IntegrationId })))).name, 'ConflictException');
  assert.equal((await failure(gw.send(new G.DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId })))).name, 'ConflictException');
  const templated = await gw.send(
    new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'GET', IntegrationUri: 'http://${stageVariables.host}/pets/{id}' }),
  );
  assert.equal(templated.IntegrationUri, 'http://${stageVariables.host}/pets/{id}');
  const lambda = await gw.send(
    new G.CreateIntegrationCommand({ ApiId: id, IntegrationType: 'AWS_PROXY', IntegrationUri: 'arn:aws:lambda:us-east-1:000000000000:function:f', PayloadFormatVersion: '2.0' }),
  );
  assert.equal(lambda.IntegrationType, 'AWS_PROXY');
});

test('UpdateIntegration removes what Terraform drops: a mapping set to "", a status code set to {}, an empty tlsConfig', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'integ-removals', ProtocolType: 'HTTP' }));
  const i = await gw.send(
    new G.CreateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationType: 'HTTP_PROXY',
      IntegrationMethod: 'GET',
      IntegrationUri: 'https://example.com/{proxy}',
      RequestParameters: { 'append:header.x-a': 'a', 'overwrite:path': '$request.path' },
      ResponseParameters: { '500': { 'append:header.x-err': '1' }, '404': { 'append:header.x-miss': '1', 'append:header.x-gone': '1' } },
      TlsConfig: { ServerNameToVerify: 'example.internal' },
    }),
  );
  // What hashicorp/aws sends when mappings and the tls_config block leave the configuration.
  const updated = await gw.send(
    new G.UpdateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationId: i.IntegrationId,
      RequestParameters: { 'append:header.x-a': '', 'append:header.x-b': 'b' },
      ResponseParameters: { '500': {}, '404': { 'append:header.x-miss': '2' } },
      TlsConfig: {},
    }),
  );
  const read = await gw.send(new G.GetIntegrationCommand({ ApiId: api.ApiId, IntegrationId: i.IntegrationId }));
  for (const got of [updated, read]) {
    assert.deepEqual(got.RequestParameters, { 'overwrite:path': '$request.path', 'append:header.x-b': 'b' });
    assert.deepEqual(got.ResponseParameters, { '404': { 'append:header.x-miss': '2' } });
    assert.equal(got.TlsConfig, undefined);
  }
  const cleared = await gw.send(
    new G.UpdateIntegrationCommand({
      ApiId: api.ApiId,
      IntegrationId: i.IntegrationId,
      RequestParameters: { 'overwrite:path': '', 'append:header.x-b': '' },
      ResponseParameters: { '404': {} },
    }),
  );
  assert.deepEqual([cleared.RequestParameters, cleared.ResponseParameters], [undefined, undefined]);
  // Creating with an empty value is still refused: "" means removal only in an update.
  const empty = await failure(
    gw.send(
      new G.CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'GET',
        IntegrationUri: 'https://example.com',
        RequestParameters: { 'overwrite:path': '' },
      }),
    ),
  );
  assert.equal(empty.name, 'BadRequestException');
});

test('updates clear an optional field sent as "": API version, route operationName and target (what Terraform sends)', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'clearing', ProtocolType: 'HTTP', Version: '1.2' }));
  const integ = await gw.send(new G.CreateIntegrationCommand({ ApiId: api.ApiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: 'https://example.com' }));
  const route = await gw.send(new G.CreateRouteCommand({ ApiId: api.ApiId, RouteKey: 'GET /x', OperationName: 'getX', Target: `integrations/${integ.IntegrationId}` }));
  assert.equal((await gw.send(new G.UpdateApiCommand({ ApiId: api.ApiId, Version: '' }))).Version, undefined);
  assert.equal((await gw.send(new G.GetApiCommand({ ApiId: api.ApiId }))).Version, undefined);
  await gw.send(new G.UpdateRouteCommand({ ApiId: api.ApiId, RouteId: route.RouteId, OperationName: '', Target: '' }));
  const read = await gw.send(new G.GetRouteCommand({ ApiId: api.ApiId, RouteId: route.RouteId }));
  assert.deepEqual([read.OperationName, read.Target, read.RouteKey], [undefined, undefined, 'GET /x']);
  // Creating with "" is still refused.
  assert.equal((await failure(gw.send(new G.CreateApiCommand({ Name: 'x', ProtocolType: 'HTTP', Version: '' })))).name, 'BadRequestException');
});

test('VPC links: PENDING on create, AVAILABLE after the delay, subnets and groups checked against EC2, 202 on delete', async () => {
  const link = await gw.send(new G.CreateVpcLinkCommand({ Name: 'seed', SubnetIds: [subnetId], SecurityGroupIds: [groupId], Tags: { a: 'b' } }));
  assert.equal(link.$metadata.httpStatusCode, 201);
  assert.match(link.VpcLinkId!, /^[a-z0-9]{6}$/);
  assert.deepEqual([link.VpcLinkStatus, link.VpcLinkStatusMessage, link.VpcLinkVersion], ['PENDING', 'VPC link is provisioning ENIs', 'V2']);
  const got = await gw.send(new G.GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId }));
  assert.deepEqual([got.VpcLinkStatus, got.VpcLinkStatusMessage], ['AVAILABLE', 'VPC link is ready to route traffic']);
  assert.equal((await failure(gw.send(new G.CreateVpcLinkCommand({ Name: 'x', SubnetIds: ['subnet-00000000000000000'] })))).name, 'BadRequestException');
  assert.equal((await failure(gw.send(new G.CreateVpcLinkCommand({ Name: 'x', SubnetIds: [subnetId], SecurityGroupIds: ['sg-00000000000000000'] })))).name, 'BadRequestException');
  const renamed = await gw.send(new G.UpdateVpcLinkCommand({ VpcLinkId: link.VpcLinkId, Name: 'renamed' }));
  assert.equal(renamed.Name, 'renamed');
  const del = await gw.send(new G.DeleteVpcLinkCommand({ VpcLinkId: link.VpcLinkId }));
  assert.equal(del.$metadata.httpStatusCode, 202);
  const gone = await failure(gw.send(new G.GetVpcLinkCommand({ VpcLinkId: link.VpcLinkId })));
  assert.deepEqual([gone.name, gone.message], ['NotFoundException', `Invalid VpcLink identifier specified ${link.VpcLinkId}`]);
});

test('authorizers: JWT rules (one identity source, https or loopback issuer, audiences), routes must match the type', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'auth', ProtocolType: 'HTTP' }));
  const id = api.ApiId!;
  const jwt = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: id,
      Name: 'jwt',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: 'https://issuer.example.com', Audience: ['api'] },
    }),
  );
  assert.equal(jwt.$metadata.httpStatusCode, 201);
  assert.match(jwt.AuthorizerId!, /^[a-z0-9]{6}$/);
  const refuse = async (input: Partial<G.CreateAuthorizerCommandInput>) =>
    (
      await failure(
        gw.send(
          new G.CreateAuthorizerCommand({
            ApiId: id,
            Name: 'x',
            AuthorizerType: 'JWT',
            IdentitySource: ['$request.header.Authorization'],
            JwtConfiguration: { Issuer: 'https://i', Audience: ['a'] },
            ...input,
          }),
        ),
      )
    ).name;
  assert.equal(await refuse({ JwtConfiguration: { Issuer: 'http://issuer.example.com', Audience: ['a'] } }), 'BadRequestException');
  assert.equal(await refuse({ JwtConfiguration: { Issuer: 'https://i', Audience: [] } }), 'BadRequestException');
  assert.equal(await refuse({ IdentitySource: ['$request.header.A', '$request.header.B'] }), 'BadRequestException');
  await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: id,
      Name: 'local',
      AuthorizerType: 'JWT',
      IdentitySource: ['$request.header.Authorization'],
      JwtConfiguration: { Issuer: `http://127.0.0.1:${server.port}/_wayfinder/oidc`, Audience: ['a'] },
    }),
  );
  const lambda = await gw.send(
    new G.CreateAuthorizerCommand({
      ApiId: id,
      Name: 'l',
      AuthorizerType: 'REQUEST',
      AuthorizerUri: 'arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:000000000000:function:f/invocations',
      AuthorizerPayloadFormatVersion: '2.0',
      EnableSimpleResponses: true,
      IdentitySource: ['$request.header.X-Key'],
    }),
  );
  assert.equal(lambda.AuthorizerType, 'REQUEST');
  assert.equal((await failure(gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /x', AuthorizationType: 'JWT' })))).name, 'BadRequestException');
  assert.equal(
    (await failure(gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /x', AuthorizationType: 'JWT', AuthorizerId: lambda.AuthorizerId })))).name,
    'BadRequestException',
  );
  assert.equal((await failure(gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /x', AuthorizationScopes: ['read'] })))).name, 'BadRequestException');
  const route = await gw.send(new G.CreateRouteCommand({ ApiId: id, RouteKey: 'GET /x', AuthorizationType: 'JWT', AuthorizerId: jwt.AuthorizerId, AuthorizationScopes: ['read'] }));
  assert.deepEqual(route.AuthorizationScopes, ['read']);
  assert.equal((await failure(gw.send(new G.DeleteAuthorizerCommand({ ApiId: id, AuthorizerId: jwt.AuthorizerId })))).name, 'ConflictException');
});

test('CORS configuration: validated, returned camelCase, removed by DeleteCorsConfiguration', async () => {
  const bad = await failure(gw.send(new G.CreateApiCommand({ Name: 'c', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['*'], AllowCredentials: true } })));
  assert.equal(bad.name, 'BadRequestException');
  assert.equal((await failure(gw.send(new G.CreateApiCommand({ Name: 'c', ProtocolType: 'HTTP', CorsConfiguration: { MaxAge: 90000 } })))).name, 'BadRequestException');
  const api = await gw.send(
    new G.CreateApiCommand({ Name: 'c', ProtocolType: 'HTTP', CorsConfiguration: { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET'], MaxAge: 60 } }),
  );
  assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ['https://app.example.com'], AllowMethods: ['GET'], MaxAge: 60 });
  const raw = JSON.parse((await signedRequest(server, { service: 'apigateway', method: 'GET', path: `/v2/apis/${api.ApiId}` })).text) as { corsConfiguration: unknown };
  assert.deepEqual(raw.corsConfiguration, { allowOrigins: ['https://app.example.com'], allowMethods: ['GET'], maxAge: 60 });
  const del = await gw.send(new G.DeleteCorsConfigurationCommand({ ApiId: api.ApiId }));
  assert.equal(del.$metadata.httpStatusCode, 204);
  assert.equal((await gw.send(new G.GetApiCommand({ ApiId: api.ApiId }))).CorsConfiguration, undefined);
});

test('tags by ARN (APIs, stages, VPC links), paging with maxResults/nextToken', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'tags', ProtocolType: 'HTTP' }));
  const arn = `arn:aws:apigateway:us-east-1::/apis/${api.ApiId}`;
  const tagged = await gw.send(new G.TagResourceCommand({ ResourceArn: arn, Tags: { env: 'dev', owner: 'me' } }));
  assert.equal(tagged.$metadata.httpStatusCode, 201);
  await gw.send(new G.UntagResourceCommand({ ResourceArn: arn, TagKeys: ['owner'] }));
  assert.deepEqual((await gw.send(new G.GetTagsCommand({ ResourceArn: arn }))).Tags, { env: 'dev' });
  await gw.send(new G.CreateStageCommand({ ApiId: api.ApiId, StageName: 'prod' }));
  const stageArn = `arn:aws:apigateway:us-east-1::/apis/${api.ApiId}/stages/prod`;
  await gw.send(new G.TagResourceCommand({ ResourceArn: stageArn, Tags: { s: '1' } }));
  assert.deepEqual((await gw.send(new G.GetStageCommand({ ApiId: api.ApiId, StageName: 'prod' }))).Tags, { s: '1' });
  assert.equal((await failure(gw.send(new G.GetTagsCommand({ ResourceArn: 'arn:aws:apigateway:us-east-1::/apis/nope000000' })))).name, 'NotFoundException');
  const seen = new Set<string>();
  let token: string | undefined;
  for (let i = 0; i < 50; i++) {
    const p = await gw.send(new G.GetApisCommand({ MaxResults: '2', NextToken: token }));
    assert.ok(p.Items!.length <= 2);
    for (const a of p.Items!) seen.add(a.ApiId!);
    token = p.NextToken;
    if (!token) break;
  }
  assert.ok(seen.has(api.ApiId!));
  assert.equal((await failure(gw.send(new G.GetApisCommand({ MaxResults: 'ten' })))).name, 'BadRequestException');
});

test('domain names and API mappings: defaults, duplicates 409, mapping keys unique per domain', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'dn', ProtocolType: 'HTTP' }));
  await gw.send(new G.CreateStageCommand({ ApiId: api.ApiId, StageName: 'prod' }));
  const d = await gw.send(
    new G.CreateDomainNameCommand({ DomainName: 'api.example.com', DomainNameConfigurations: [{ CertificateArn: 'arn:aws:acm:us-east-1:000000000000:certificate/x' }] }),
  );
  assert.equal(d.$metadata.httpStatusCode, 201);
  assert.equal(d.ApiMappingSelectionExpression, '$request.basepath');
  const cfg = d.DomainNameConfigurations![0]!;
  assert.deepEqual([cfg.EndpointType, cfg.SecurityPolicy, cfg.DomainNameStatus], ['REGIONAL', 'TLS_1_2', 'AVAILABLE']);
  assert.match(cfg.ApiGatewayDomainName!, /^d-[a-z0-9]{10}\.execute-api\.us-east-1\.amazonaws\.com$/);
  const dup = await failure(gw.send(new G.CreateDomainNameCommand({ DomainName: 'api.example.com' })));
  assert.deepEqual([dup.name, dup.message], ['ConflictException', 'The domain name resource already exists.']);
  assert.equal((await failure(gw.send(new G.CreateDomainNameCommand({ DomainName: 'localhost' })))).name, 'BadRequestException');
  const m = await gw.send(new G.CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: api.ApiId, Stage: 'prod', ApiMappingKey: 'v1/orders' }));
  assert.equal(m.$metadata.httpStatusCode, 201);
  assert.equal(
    (await failure(gw.send(new G.CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: api.ApiId, Stage: 'prod', ApiMappingKey: 'v1/orders' })))).name,
    'ConflictException',
  );
  assert.equal((await failure(gw.send(new G.CreateApiMappingCommand({ DomainName: 'api.example.com', ApiId: api.ApiId, Stage: 'nope' })))).name, 'NotFoundException');
  assert.equal((await failure(gw.send(new G.DeleteApiCommand({ ApiId: api.ApiId })))).name, 'ConflictException', 'a mapped API cannot be deleted');
  const missing = await failure(gw.send(new G.GetDomainNameCommand({ DomainName: 'nope.example.com' })));
  assert.deepEqual([missing.name, missing.message], ['NotFoundException', 'The domain name resource specified in the request was not found.']);
  await gw.send(new G.DeleteDomainNameCommand({ DomainName: 'api.example.com' }));
  await gw.send(new G.DeleteApiCommand({ ApiId: api.ApiId }));
});

test('import (YAML) and export (OAS 3, JSON and YAML), reimport replaces the definition', async () => {
  const yaml = [
    'openapi: 3.0.1',
    'info:',
    '  title: imported',
    '  version: "1.2"',
    'paths:',
    '  /pets/{id}:',
    '    get:',
    '      x-amazon-apigateway-integration:',
    '        type: http_proxy',
    '        httpMethod: GET',
    '        uri: http://127.0.0.1:9/pets/{id}',
    '        payloadFormatVersion: "1.0"',
    '  /$default:',
    '    x-amazon-apigateway-any-method:',
    '      x-amazon-apigateway-integration:',
    '        type: http_proxy',
    '        httpMethod: ANY',
    '        uri: http://127.0.0.1:9',
    '        payloadFormatVersion: "1.0"',
    'x-amazon-apigateway-cors:',
    '  allowOrigins: ["*"]',
  ].join('\n');
  const api = await gw.send(new G.ImportApiCommand({ Body: yaml }));
  assert.equal(api.$metadata.httpStatusCode, 201);
  assert.deepEqual([api.Name, api.Version, api.ProtocolType], ['imported', '1.2', 'HTTP']);
  assert.deepEqual(api.CorsConfiguration, { AllowOrigins: ['*'] });
  const routes = await gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId }));
  assert.deepEqual(routes.Items!.map((r) => r.RouteKey).sort(), ['$default', 'GET /pets/{id}']);
  const json = await gw.send(new G.ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'JSON' }));
  const doc = JSON.parse(Buffer.from(json.body!).toString('utf8')) as {
    openapi: string;
    paths: Record<string, Record<string, { 'x-amazon-apigateway-integration'?: { uri: string } }>>;
  };
  assert.equal(doc.openapi, '3.0.1');
  assert.equal(doc.paths['/pets/{id}']!.get!['x-amazon-apigateway-integration']!.uri, 'http://127.0.0.1:9/pets/{id}');
  const y = await gw.send(new G.ExportApiCommand({ ApiId: api.ApiId, Specification: 'OAS30', OutputType: 'YAML' }));
  assert.match(Buffer.from(y.body!).toString('utf8'), /^openapi: 3\.0\.1$/m);
  const re = await gw.send(
    new G.ReimportApiCommand({ ApiId: api.ApiId, Body: JSON.stringify({ openapi: '3.0.1', info: { title: 'v2', version: '2' }, paths: { '/only': { post: {} } } }) }),
  );
  assert.equal(re.Name, 'v2');
  assert.deepEqual(
    (await gw.send(new G.GetRoutesCommand({ ApiId: api.ApiId }))).Items!.map((r) => r.RouteKey),
    ['POST /only'],
  );
  assert.equal((await failure(gw.send(new G.ImportApiCommand({ Body: '{"swagger":"2.0","info":{"title":"x"}}' })))).name, 'BadRequestException');
  const warned = await failure(
    gw.send(
      new G.ImportApiCommand({
        Body: JSON.stringify({ openapi: '3.0.1', info: { title: 'w' }, paths: { '/x': { get: { 'x-amazon-apigateway-integration': { type: 'mock' } } } } }),
        FailOnWarnings: true,
      }),
    ),
  );
  assert.equal(warned.name, 'BadRequestException');
});

test('WebSocket APIs are stored: selection expression required, models only there, HTTP APIs refuse them', async () => {
  assert.equal((await failure(gw.send(new G.CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET' })))).name, 'BadRequestException');
  const ws = await gw.send(new G.CreateApiCommand({ Name: 'ws', ProtocolType: 'WEBSOCKET', RouteSelectionExpression: '$request.body.action' }));
  assert.equal(ws.ApiEndpoint, `ws://${ws.ApiId}.execute-api.localhost:${server.port}`);
  const model = await gw.send(new G.CreateModelCommand({ ApiId: ws.ApiId, Name: 'Pet', Schema: '{"type":"object"}' }));
  assert.equal(model.ContentType, 'application/json');
  const route = await gw.send(new G.CreateRouteCommand({ ApiId: ws.ApiId, RouteKey: '$connect' }));
  const rr = await gw.send(new G.CreateRouteResponseCommand({ ApiId: ws.ApiId, RouteId: route.RouteId, RouteResponseKey: '$default' }));
  assert.equal((await gw.send(new G.GetRouteResponsesCommand({ ApiId: ws.ApiId, RouteId: route.RouteId }))).Items![0]!.RouteResponseId, rr.RouteResponseId);
  const http = await gw.send(new G.CreateApiCommand({ Name: 'h', ProtocolType: 'HTTP' }));
  assert.equal((await failure(gw.send(new G.CreateModelCommand({ ApiId: http.ApiId, Name: 'Pet', Schema: '{}' })))).name, 'BadRequestException');
});

test('operations Wayfinder does not serve answer an honest 501', async () => {
  const r = await signedRequest(server, { service: 'apigateway', method: 'GET', path: '/v2/portals' });
  assert.equal(r.status, 501);
  assert.match(r.text, /not implemented by Wayfinder/);
});

test('imports with mistyped CORS or an integration timeout outside 50–30000 are refused or skipped, never a 500', async () => {
  const doc = (extra: Record<string, unknown>, integration: Record<string, unknown> = {}) =>
    JSON.stringify({
      openapi: '3.0.1',
      info: { title: 'bad-import', version: '1' },
      paths: {
        '/x': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: 'http://127.0.0.1:9/x', payloadFormatVersion: '1.0', ...integration } } },
      },
      ...extra,
    });
  for (const cors of [{ allowOrigins: 5 }, { allowMethods: [5] }, { allowHeaders: [5] }, { '': 1 }, { maxAge: 'ten' }, 'yes']) {
    const f = await failure(gw.send(new G.ImportApiCommand({ Body: doc({ 'x-amazon-apigateway-cors': cors }) })));
    assert.deepEqual([f.name, f.status], ['BadRequestException', 400], JSON.stringify(cors));
  }
  const strict = await failure(gw.send(new G.ImportApiCommand({ Body: doc({}, { timeoutInMillis: 0 }), FailOnWarnings: true })));
  assert.deepEqual([strict.name, strict.status], ['BadRequestException', 400]);
  assert.match(strict.message, /timeoutInMillis must be between 50 and 30000/);
  const lenient = await gw.send(new G.ImportApiCommand({ Body: doc({}, { timeoutInMillis: 60000 }) }));
  assert.deepEqual((await gw.send(new G.GetIntegrationsCommand({ ApiId: lenient.ApiId }))).Items, [], 'the bad integration is skipped with a warning');
  assert.match(lenient.Warnings!.join('\n'), /timeoutInMillis/);
});

test('imported parameter mappings must be maps of strings: other values are a 400, and the server keeps answering', async () => {
  const doc = (integration: Record<string, unknown>) =>
    JSON.stringify({
      openapi: '3.0.1',
      info: { title: 'mapped-import', version: '1' },
      paths: {
        '/x': { get: { 'x-amazon-apigateway-integration': { type: 'http_proxy', httpMethod: 'GET', uri: 'http://127.0.0.1:9/x', payloadFormatVersion: '1.0', ...integration } } },
      },
    });
  const bad = [
    { requestParameters: { 'append:header.x': { length: 20_000_000 } } }, // once blocked the event loop
    { requestParameters: { 'append:header.x': 5 } },
    { requestParameters: ['append:header.x'] },
    { responseParameters: { '200': { 'append:header.x': 5 } } },
    { responseParameters: { '200': 'append:header.x' } },
  ];
  for (const integration of bad) {
    const f = await failure(gw.send(new G.ImportApiCommand({ Body: doc(integration) })));
    assert.deepEqual([f.name, f.status], ['BadRequestException', 400], JSON.stringify(integration));
    assert.match(f.message, /must be a map/);
  }
  const good = await gw.send(new G.ImportApiCommand({ Body: doc({ requestParameters: { 'append:header.x': 'static' } }) }));
  assert.deepEqual((await gw.send(new G.GetIntegrationsCommand({ ApiId: good.ApiId }))).Items![0]!.RequestParameters, { 'append:header.x': 'static' });
});

test('a Cloud Map integration must target this account and region', async () => {
  const api = await gw.send(new G.CreateApiCommand({ Name: 'xregion', ProtocolType: 'HTTP' }));
  const link = await gw.send(new G.CreateVpcLinkCommand({ Name: 'x', SubnetIds: [subnetId] }));
  const f = await failure(
    gw.send(
      new G.CreateIntegrationCommand({
        ApiId: api.ApiId,
        IntegrationType: 'HTTP_PROXY',
        IntegrationMethod: 'ANY',
        ConnectionType: 'VPC_LINK',
        ConnectionId: link.VpcLinkId,
        IntegrationUri: 'arn:aws:servicediscovery:eu-west-1:000000000000:service/srv-aaaaaaaaaaaaaaaa',
        PayloadFormatVersion: '1.0',
      }),
    ),
  );
  assert.deepEqual([f.name, f.status], ['BadRequestException', 400]);
  assert.match(f.message, /this account and region/);
});
