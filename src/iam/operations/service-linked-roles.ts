// Service-linked roles: roles a service defines and IaC asks for (`aws_iam_service_linked_role`,
// `AWSServiceRoleForECS`). Their path is `/aws-service-role/<service>/`; DeleteRole and policy changes
// refuse them (UnmodifiableEntity), DeleteServiceLinkedRole removes them (docs/iam.md §2).
import { AwsError } from '../../kernel/errors.js';
import { uuid } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { iamKey, type IamStore, type RoleRecord } from '../store.js';
import { iamId } from './common.js';
import { DEFAULT_MAX_SESSION_DURATION, isServiceLinked, requireRole, roleWire, SERVICE_ROLE_PATH } from './roles.js';

/** The services Wayfinder knows a service-linked role of: its name suffix and the policy AWS attaches. */
const KNOWN: Record<string, { suffix: string; policy?: string }> = {
  'ecs.amazonaws.com': { suffix: 'ECS', policy: 'arn:aws:iam::aws:policy/aws-service-role/AmazonECSServiceRolePolicy' },
  'elasticloadbalancing.amazonaws.com': { suffix: 'ElasticLoadBalancing' },
  'autoscaling.amazonaws.com': { suffix: 'AutoScaling' },
  'ecs.application-autoscaling.amazonaws.com': { suffix: 'ApplicationAutoScaling_ECSService' },
  'servicediscovery.amazonaws.com': { suffix: 'ServiceDiscovery' },
  'apigateway.amazonaws.com': { suffix: 'APIGateway' },
};

function suffixOf(service: string): string {
  const known = KNOWN[service];
  if (known) return known.suffix;
  const label = service.split('.')[0] ?? service;
  return label.charAt(0).toUpperCase() + label.slice(1);
}

const TASK_ID = /^task\/aws-service-role\/([^/]+)\/([\w+=,.@-]+)\/([0-9a-f-]{36})$/;

export function serviceLinkedRoleOperations(iam: IamStore) {
  return {
    CreateServiceLinkedRole(input: Iam.CreateServiceLinkedRoleRequest, ctx: RequestContext): Iam.CreateServiceLinkedRoleResponse {
      const service = input.AWSServiceName;
      if (!/^[a-z0-9.-]+\.amazonaws\.com$/.test(service)) throw new AwsError('InvalidInput', `Invalid AWS service name: ${service}`);
      if (input.CustomSuffix !== undefined && !/^[\w+=,.@-]{1,64}$/.test(input.CustomSuffix)) throw new AwsError('InvalidInput', 'Invalid custom suffix.');
      const name = `AWSServiceRoleFor${suffixOf(service)}${input.CustomSuffix ? `_${input.CustomSuffix}` : ''}`;
      const trust = JSON.stringify({ Version: '2012-10-17', Statement: [{ Effect: 'Allow', Principal: { Service: [service] }, Action: ['sts:AssumeRole'] }] });
      const policy = KNOWN[service]?.policy;
      const record: RoleRecord = {
        accountId: ctx.accountId,
        name,
        path: `${SERVICE_ROLE_PATH}${service}/`,
        id: iamId('AROA'),
        createdAt: ctx.receivedAt,
        trustPolicy: trust,
        description: input.Description,
        maxSessionDuration: DEFAULT_MAX_SESSION_DURATION,
        tags: [],
        inlinePolicies: {},
        attachedPolicies: policy ? [policy] : [],
      };
      iam.store.withTx(() => {
        if (iam.roles.has(iamKey(ctx.accountId, name))) {
          throw new AwsError('InvalidInput', `Service role name ${name} has been taken in this account, please try a different suffix.`);
        }
        iam.roles.putTx(iamKey(ctx.accountId, name), record);
      });
      const role = roleWire(record);
      delete role.RoleLastUsed;
      return { Role: role };
    },

    DeleteServiceLinkedRole(input: Iam.DeleteServiceLinkedRoleRequest, ctx: RequestContext): Iam.DeleteServiceLinkedRoleResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      if (!isServiceLinked(r)) throw new AwsError('InvalidInput', `Role ${r.name} is not a service-linked role.`);
      const service = r.path.slice(SERVICE_ROLE_PATH.length, -1);
      // Wayfinder's services hold no resources through the role, so the deletion task succeeds at once.
      iam.store.withTx(() => iam.roles.deleteTx(iamKey(ctx.accountId, r.name)));
      return { DeletionTaskId: `task/aws-service-role/${service}/${r.name}/${uuid()}` };
    },

    GetServiceLinkedRoleDeletionStatus(input: Iam.GetServiceLinkedRoleDeletionStatusRequest, ctx: RequestContext): Iam.GetServiceLinkedRoleDeletionStatusResponse {
      const m = TASK_ID.exec(input.DeletionTaskId);
      if (!m) throw new AwsError('InvalidInput', `Invalid deletion task id: ${input.DeletionTaskId}`);
      return { Status: iam.roles.has(iamKey(ctx.accountId, m[2]!)) ? 'IN_PROGRESS' : 'SUCCEEDED' };
    },
  } satisfies Partial<Iam.IamOperations>;
}
