// The seed's architecture as a CDK app: a VPC, an ECS cluster, a Fargate service registered in a Cloud
// Map private DNS namespace (SRV records), and an HTTP API whose default route reaches it through a VPC
// link and a Cloud Map integration. Synthesised without bootstrap assets (BootstraplessSynthesizer), so
// `aws cloudformation deploy --template-file cdk.out/WayfinderSeed.template.json` deploys the template
// as CDK wrote it, against AWS or Wayfinder alike.
//
// Context (`cdk synth -c key=value`):
//   image         the container image (default flask-app-fargate-fargate:latest, the seed's image)
//   entryPoint    comma-separated entry point of the container, e.g. python3,/abs/path/app.py. Wayfinder's
//                 process runtime ignores the image and runs this on the host; unset, the image's own runs.
//   desiredCount  how many tasks the service runs (unset: 1 for a new service, unchanged on updates)
//   stackName     the stack's name (default WayfinderSeed)
const cdk = require('aws-cdk-lib');
const ec2 = require('aws-cdk-lib/aws-ec2');
const ecs = require('aws-cdk-lib/aws-ecs');
const logs = require('aws-cdk-lib/aws-logs');
const servicediscovery = require('aws-cdk-lib/aws-servicediscovery');
const apigwv2 = require('aws-cdk-lib/aws-apigatewayv2');
const { HttpServiceDiscoveryIntegration } = require('aws-cdk-lib/aws-apigatewayv2-integrations');

const app = new cdk.App();
const context = (name, fallback) => app.node.tryGetContext(name) ?? fallback;
const image = context('image', 'flask-app-fargate-fargate:latest');
const entryPoint = context('entryPoint', undefined);
// Unset, the template has no DesiredCount, as CDK writes by default: CloudFormation starts a new
// service with 1 task and leaves the count as it is on updates (autoscaling's, or an earlier deploy's).
const count = context('desiredCount', undefined);
const desiredCount = count === undefined ? undefined : Number(count);
const stackName = context('stackName', 'WayfinderSeed');

const stack = new cdk.Stack(app, stackName, {
  // No bootstrap stack, no asset buckets, no BootstrapVersion parameter or rule.
  synthesizer: new cdk.BootstraplessSynthesizer(),
  description: "The seed's architecture: HTTP API -> VPC link -> Cloud Map -> ECS Fargate (examples/cdk)",
});

// Two public subnets, no NAT gateways (tasks get public addresses, as the seed's do), and no
// Lambda-backed custom resource to strip the default security group's rules.
const vpc = new ec2.Vpc(stack, 'Vpc', {
  ipAddresses: ec2.IpAddresses.cidr('10.0.0.0/16'),
  maxAzs: 2,
  natGateways: 0,
  subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
  restrictDefaultSecurityGroup: false,
});

const cluster = new ecs.Cluster(stack, 'Cluster', { vpc });

const namespace = new servicediscovery.PrivateDnsNamespace(stack, 'Namespace', { name: 'seed.local', vpc });

const taskDefinition = new ecs.FargateTaskDefinition(stack, 'Task', { cpu: 256, memoryLimitMiB: 512 });
const container = taskDefinition.addContainer('flask-app', {
  image: ecs.ContainerImage.fromRegistry(image),
  entryPoint: entryPoint ? String(entryPoint).split(',') : undefined,
  essential: true,
  portMappings: [{ containerPort: 80 }],
  logging: ecs.LogDrivers.awsLogs({
    streamPrefix: 'ecs',
    logGroup: new logs.LogGroup(stack, 'Logs', { retention: logs.RetentionDays.ONE_WEEK, removalPolicy: cdk.RemovalPolicy.DESTROY }),
  }),
});

const service = new ecs.FargateService(stack, 'Service', {
  cluster,
  taskDefinition,
  desiredCount,
  minHealthyPercent: 100,
  assignPublicIp: true,
  vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
  cloudMapOptions: {
    cloudMapNamespace: namespace,
    name: 'flask',
    dnsRecordType: servicediscovery.DnsRecordType.SRV,
    container,
    containerPort: 80,
  },
});

// The VPC link's own security group; the service admits it on the container port.
const linkSecurityGroup = new ec2.SecurityGroup(stack, 'VpcLinkSecurityGroup', { vpc, description: 'The HTTP API VPC link' });
service.connections.allowFrom(linkSecurityGroup, ec2.Port.tcp(80), 'HTTP API VPC link');
const vpcLink = new apigwv2.VpcLink(stack, 'VpcLink', { vpc, subnets: { subnetType: ec2.SubnetType.PUBLIC }, securityGroups: [linkSecurityGroup] });

const api = new apigwv2.HttpApi(stack, 'Api', {
  description: 'The seed API: every request goes to the Flask service through Cloud Map',
  defaultIntegration: new HttpServiceDiscoveryIntegration('Flask', service.cloudMapService, { vpcLink }),
});

// ApiEndpoint is what the service reports (https://<id>.execute-api.<region>.amazonaws.com on AWS,
// http://<id>.execute-api.localhost:4566 on Wayfinder); HttpApi.url would build an amazonaws.com name.
new cdk.CfnOutput(stack, 'ApiUrl', { value: api.apiEndpoint, description: 'The invoke URL of the $default stage' });
new cdk.CfnOutput(stack, 'ClusterName', { value: cluster.clusterName });
new cdk.CfnOutput(stack, 'ServiceName', { value: service.serviceName });
new cdk.CfnOutput(stack, 'NamespaceId', { value: namespace.namespaceId });

app.synth();
