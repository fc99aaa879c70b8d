// The AWS managed policies Wayfinder knows, by ARN (`arn:aws:iam::aws:policy/<path><name>`): the ones
// the seed's architecture and IaC for it attach. Every account sees them; nobody can change or delete
// them. Their documents are what AWS publishes for the default version, shortened where AWS's lists
// services Wayfinder does not serve; they are stored and returned, never enforced (docs/iam.md §1).

export interface AwsManagedPolicy {
  name: string;
  path: string;
  arn: string;
  id: string;
  description: string;
  createdAt: number;
  updatedAt: number;
  defaultVersionId: string;
  document: string;
}

function policy(name: string, path: string, id: string, description: string, created: string, updated: string, version: string, document: object): AwsManagedPolicy {
  return {
    name,
    path,
    arn: `arn:aws:iam::aws:policy${path}${name}`,
    id,
    description,
    createdAt: Date.parse(created),
    updatedAt: Date.parse(updated),
    defaultVersionId: version,
    document: JSON.stringify(document, null, 4),
  };
}

const V = '2012-10-17';

export const AWS_MANAGED_POLICIES: readonly AwsManagedPolicy[] = [
  policy('AdministratorAccess', '/', 'ANPAIWMBCKSKIEE64ZLYK', 'Provides full access to AWS services and resources.', '2015-02-06T18:39:46Z', '2015-02-06T18:39:46Z', 'v1', {
    Version: V,
    Statement: [{ Effect: 'Allow', Action: '*', Resource: '*' }],
  }),
  policy('ReadOnlyAccess', '/', 'ANPAILL3HVNFSB6DCOWYQ', 'Provides read-only access to AWS services and resources.', '2015-02-06T18:39:48Z', '2024-06-05T17:10:45Z', 'v120', {
    Version: V,
    Statement: [
      {
        Sid: 'ReadOnlyActions',
        Effect: 'Allow',
        Action: [
          'apigateway:GET',
          'ec2:Describe*',
          'ecs:Describe*',
          'ecs:List*',
          'iam:Get*',
          'iam:List*',
          'logs:Describe*',
          'logs:Get*',
          'logs:FilterLogEvents',
          'servicediscovery:Get*',
          'servicediscovery:List*',
          'sts:GetCallerIdentity',
        ],
        Resource: '*',
      },
    ],
  }),
  policy(
    'AmazonECSTaskExecutionRolePolicy',
    '/service-role/',
    'ANPAJG4T4G4PV56DE72PY',
    'Provides access to other AWS service resources that are required to run Amazon ECS tasks',
    '2017-11-16T18:48:22Z',
    '2017-11-16T18:48:22Z',
    'v1',
    {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Action: ['ecr:GetAuthorizationToken', 'ecr:BatchCheckLayerAvailability', 'ecr:GetDownloadUrlForLayer', 'ecr:BatchGetImage', 'logs:CreateLogStream', 'logs:PutLogEvents'],
          Resource: '*',
        },
      ],
    },
  ),
  policy(
    'AmazonECS_FullAccess',
    '/',
    'ANPAJ7S7AN6YQPTJC7IFS',
    'Provides administrative access to Amazon ECS resources and enables ECS features through access to other AWS service resources, including VPCs, Auto Scaling groups, and CloudFormation stacks.',
    '2017-06-07T17:22:13Z',
    '2024-08-26T18:09:58Z',
    'v31',
    {
      Version: V,
      Statement: [
        {
          Sid: 'ECSIntegrationsManagementPolicy',
          Effect: 'Allow',
          Action: [
            'application-autoscaling:*',
            'cloudwatch:DescribeAlarms',
            'cloudwatch:PutMetricAlarm',
            'ec2:CreateTags',
            'ec2:Describe*',
            'ecs:*',
            'elasticloadbalancing:*',
            'iam:ListAttachedRolePolicies',
            'iam:ListInstanceProfiles',
            'iam:ListRoles',
            'logs:CreateLogGroup',
            'logs:DescribeLogGroups',
            'logs:FilterLogEvents',
            'route53:CreateHostedZone',
            'route53:GetHostedZone',
            'route53:ListHostedZonesByName',
            'servicediscovery:*',
            'sns:ListTopics',
          ],
          Resource: '*',
        },
        {
          Sid: 'ECSPassRolePolicy',
          Effect: 'Allow',
          Action: 'iam:PassRole',
          Resource: ['arn:aws:iam::*:role/ecsInstanceRole*', 'arn:aws:iam::*:role/ecsTaskExecutionRole*', 'arn:aws:iam::*:role/ecsInfrastructureRole'],
          Condition: { StringLike: { 'iam:PassedToService': ['ec2.amazonaws.com', 'ecs-tasks.amazonaws.com', 'ecs.amazonaws.com'] } },
        },
        {
          Sid: 'ServiceLinkedRoleCreationPolicy',
          Effect: 'Allow',
          Action: 'iam:CreateServiceLinkedRole',
          Resource: '*',
          Condition: { StringLike: { 'iam:AWSServiceName': ['ecs.amazonaws.com', 'ecs.application-autoscaling.amazonaws.com'] } },
        },
      ],
    },
  ),
  policy('CloudWatchLogsFullAccess', '/', 'ANPAJ3ZGNWK2R5HW5BQFO', 'Provides full access to CloudWatch Logs', '2015-02-06T18:40:02Z', '2024-07-09T18:04:05Z', 'v2', {
    Version: V,
    Statement: [{ Sid: 'CloudWatchLogsFullAccess', Effect: 'Allow', Action: ['logs:*', 'cloudwatch:GenerateQuery'], Resource: '*' }],
  }),
  policy('CloudWatchLogsReadOnlyAccess', '/', 'ANPAJ2YIYDYSNNEHK3VKW', 'Provides read only access to CloudWatch Logs', '2015-02-06T18:40:03Z', '2024-07-09T18:04:05Z', 'v4', {
    Version: V,
    Statement: [
      {
        Sid: 'CloudWatchLogsReadOnlyAccess',
        Effect: 'Allow',
        Action: ['logs:Describe*', 'logs:Get*', 'logs:List*', 'logs:StartQuery', 'logs:StopQuery', 'logs:TestMetricFilter', 'logs:FilterLogEvents'],
        Resource: '*',
      },
    ],
  }),
  policy(
    'AmazonEC2ContainerServiceforEC2Role',
    '/service-role/',
    'ANPAJLYJCVHC7TQHCSQDS',
    'Default policy for the Amazon EC2 Role for Amazon EC2 Container Service.',
    '2015-03-19T18:45:18Z',
    '2023-05-04T18:06:59Z',
    'v7',
    {
      Version: V,
      Statement: [
        {
          Effect: 'Allow',
          Action: [
            'ec2:DescribeTags',
            'ecs:CreateCluster',
            'ecs:DeregisterContainerInstance',
            'ecs:DiscoverPollEndpoint',
            'ecs:Poll',
            'ecs:RegisterContainerInstance',
            'ecs:StartTelemetrySession',
            'ecs:UpdateContainerInstancesState',
            'ecs:Submit*',
            'ecr:GetAuthorizationToken',
            'ecr:BatchCheckLayerAvailability',
            'ecr:GetDownloadUrlForLayer',
            'ecr:BatchGetImage',
            'logs:CreateLogStream',
            'logs:PutLogEvents',
          ],
          Resource: '*',
        },
      ],
    },
  ),
  policy(
    'AmazonECSServiceRolePolicy',
    '/aws-service-role/',
    'ANPAIVUWKCAI7URU4WUEI',
    'Policy to enable Amazon ECS to manage your cluster.',
    '2017-10-14T01:18:58Z',
    '2024-08-05T18:14:20Z',
    'v21',
    {
      Version: V,
      Statement: [
        {
          Sid: 'ECSTaskManagement',
          Effect: 'Allow',
          Action: [
            'ec2:AttachNetworkInterface',
            'ec2:CreateNetworkInterface',
            'ec2:CreateNetworkInterfacePermission',
            'ec2:DeleteNetworkInterface',
            'ec2:DeleteNetworkInterfacePermission',
            'ec2:Describe*',
            'ec2:DetachNetworkInterface',
            'elasticloadbalancing:DeregisterInstancesFromLoadBalancer',
            'elasticloadbalancing:DeregisterTargets',
            'elasticloadbalancing:Describe*',
            'elasticloadbalancing:RegisterInstancesWithLoadBalancer',
            'elasticloadbalancing:RegisterTargets',
            'route53:ChangeResourceRecordSets',
            'route53:CreateHealthCheck',
            'route53:DeleteHealthCheck',
            'route53:Get*',
            'route53:List*',
            'route53:UpdateHealthCheck',
            'servicediscovery:DeregisterInstance',
            'servicediscovery:Get*',
            'servicediscovery:List*',
            'servicediscovery:RegisterInstance',
            'servicediscovery:UpdateInstanceCustomHealthStatus',
          ],
          Resource: '*',
        },
        { Sid: 'ECSTagging', Effect: 'Allow', Action: ['ec2:CreateTags'], Resource: 'arn:aws:ec2:*:*:network-interface/*' },
        {
          Sid: 'CWLogGroupManagement',
          Effect: 'Allow',
          Action: ['logs:CreateLogGroup', 'logs:DescribeLogGroups', 'logs:PutRetentionPolicy'],
          Resource: 'arn:aws:logs:*:*:log-group:/aws/ecs/*',
        },
        {
          Sid: 'CWLogStreamManagement',
          Effect: 'Allow',
          Action: ['logs:CreateLogStream', 'logs:DescribeLogStreams', 'logs:PutLogEvents'],
          Resource: 'arn:aws:logs:*:*:log-group:/aws/ecs/*:log-stream:*',
        },
      ],
    },
  ),
];

const BY_ARN = new Map(AWS_MANAGED_POLICIES.map((p) => [p.arn, p]));

export function awsManagedPolicy(arn: string): AwsManagedPolicy | undefined {
  return BY_ARN.get(arn);
}
