// Every resource type Wayfinder's CloudFormation serves: one provider each. A new type is a provider
// in the file of its service, listed here (docs/cloudformation.md §Adding a resource type).
import * as apigw from './apigatewayv2.js';
import * as ec2 from './ec2.js';
import * as ecr from './ecr.js';
import * as ecs from './ecs.js';
import * as iam from './iam.js';
import { logGroup } from './logs.js';
import type { ResourceProvider } from './provider.js';
import * as sd from './servicediscovery.js';

/** AWS::CDK::Metadata: CDK's analytics record; accepted and ignored. */
const cdkMetadata: ResourceProvider = {
  type: 'AWS::CDK::Metadata',
  attributes: [],
  replaceOn: [],
  create: async (_props, ctx) => ({ physicalId: ctx.generatedName(64) }),
  update: async () => ({}),
  delete: async () => undefined,
};

export const PROVIDERS: readonly ResourceProvider[] = [
  logGroup,
  ec2.vpc,
  ec2.subnet,
  ec2.securityGroup,
  ec2.securityGroupIngress,
  ec2.securityGroupEgress,
  ec2.internetGateway,
  ec2.gatewayAttachment,
  ec2.routeTable,
  ec2.route,
  ec2.subnetRouteTableAssociation,
  ec2.vpcEndpoint,
  ec2.eip,
  ec2.natGateway,
  ecr.repository,
  ecs.cluster,
  ecs.clusterCapacityProviderAssociations,
  ecs.taskDefinition,
  ecs.service,
  sd.privateDnsNamespace,
  sd.publicDnsNamespace,
  sd.httpNamespace,
  sd.discoveryService,
  sd.discoveryInstance,
  apigw.api,
  apigw.vpcLink,
  apigw.integration,
  apigw.route,
  apigw.stage,
  apigw.deployment,
  apigw.authorizer,
  apigw.domainName,
  apigw.apiMapping,
  iam.role,
  iam.policy,
  iam.managedPolicy,
  iam.instanceProfile,
  cdkMetadata,
];

export function providerMap(providers: readonly ResourceProvider[] = PROVIDERS): Map<string, ResourceProvider> {
  return new Map(providers.map((p) => [p.type, p]));
}
