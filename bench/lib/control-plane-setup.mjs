#!/usr/bin/env node
// The state bench/control-plane.sh's ECS and API Gateway operations read, made the same way on
// Wayfinder and on moto_server through the real APIs: ECS cluster `bench`, task definition `bench`,
// service `bench` (desiredCount 0, so no task runs on either); HTTP API `bench` with ROUTES routes
// (default 50) on one HTTP_PROXY integration. Prints {"apiId": …}.
//   node control-plane-setup.mjs <endpoint>
import * as ECS from '@aws-sdk/client-ecs';
import * as G from '@aws-sdk/client-apigatewayv2';

const [endpoint] = process.argv.slice(2);
const ROUTES = Number(process.env.ROUTES ?? 50);
const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
const ecs = new ECS.ECSClient(base);
const gw = new G.ApiGatewayV2Client(base);
await ecs.send(new ECS.CreateClusterCommand({ clusterName: 'bench' }));
await ecs.send(new ECS.RegisterTaskDefinitionCommand({ family: 'bench', containerDefinitions: [{ name: 'main', image: 'busybox', memory: 16, command: ['sleep', '3600'] }] }));
await ecs.send(new ECS.CreateServiceCommand({ cluster: 'bench', serviceName: 'bench', taskDefinition: 'bench', desiredCount: 0 }));
const { ApiId } = await gw.send(new G.CreateApiCommand({ Name: 'bench', ProtocolType: 'HTTP' }));
const { IntegrationId } = await gw.send(
  new G.CreateIntegrationCommand({ ApiId, IntegrationType: 'HTTP_PROXY', IntegrationMethod: 'ANY', IntegrationUri: 'http://127.0.0.1:8080', PayloadFormatVersion: '1.0' }),
);
for (let i = 0; i < ROUTES; i++) await gw.send(new G.CreateRouteCommand({ ApiId, RouteKey: `GET /r${i}/{id}`, Target: `integrations/${IntegrationId}` }));
console.log(JSON.stringify({ apiId: ApiId }));
ecs.destroy();
gw.destroy();
