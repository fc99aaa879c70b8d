// Tasks (docs/aws-behavior.md §5.5): RunTask, StartTask (there are no container instances, so every one asked for is
// MISSING), StopTask, DescribeTasks with failures, ListTasks with its filters.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { serviceNameOf, taskArn, taskIdOf } from '../arns.js';
import { stopReasons } from '../scheduler/events.js';
import { serviceKey, taskKey, type TaskRecord } from '../store.js';
import { checkTaskRoles } from '../roles.js';
import { launchTags, newTask, placeTask } from '../tasks/launch.js';
import { requestStop } from '../tasks/lifecycle.js';
import { taskWire } from './wire.js';
import { atMost, checkTags, invalid, page, requireCluster, usableTaskDefinition, type EcsOpsContext } from './common.js';
import { checkNetwork, chooseLaunch } from './placement-rules.js';
import { partitionOf } from '../../store/store.js';

const STARTED_BY = /^[A-Za-z0-9_-]{1,36}$/;

export function taskOperations(c: EcsOpsContext) {
  function checkOverrides(overrides: Ecs.TaskOverride | undefined, containers: Ecs.ContainerDefinition[]): void {
    for (const o of overrides?.containerOverrides ?? []) {
      if (!containers.some((d) => d.name === o.name)) throw invalid(`Override for container named ${o.name ?? ''} is not a container in the TaskDefinition.`);
    }
  }

  return {
    RunTask(input: Ecs.RunTaskRequest, ctx: RequestContext): Ecs.RunTaskResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      const td = usableTaskDefinition(c, ctx, input.taskDefinition);
      const count = input.count ?? 1;
      if (count < 1 || count > 10) throw invalid('count must be between 1 and 10.');
      if (input.startedBy !== undefined && !STARTED_BY.test(input.startedBy))
        throw invalid('startedBy can have up to 36 letters (uppercase and lowercase), numbers, hyphens, and underscores.');
      if (input.group !== undefined && input.group.length > 255) throw invalid('group can have up to 255 characters.');
      const launch = chooseLaunch(input, cluster, td);
      const network = checkNetwork(c, ctx, td, input.networkConfiguration, launch.launchType);
      checkOverrides(input.overrides, td.definition.containerDefinitions ?? []);
      checkTaskRoles(c.iam, ctx.accountId, input.overrides);
      const tags = checkTags(input.tags);
      // Only a service's tasks can take the service's tags.
      if (input.propagateTags === 'SERVICE') throw invalid('The SERVICE option for propagateTags is supported only for tasks that a service starts.');
      const now = c.now();
      const created = c.ecs.store.withTx(() => {
        const out: TaskRecord[] = [];
        for (let i = 0; i < count; i++) {
          const task = newTask(
            {
              region: ctx.region,
              accountId: ctx.accountId,
              cluster: cluster.name,
              taskDefinition: td,
              launchType: launch.launchType ?? 'FARGATE',
              ...(launch.capacityProviderStrategy ? { capacityProviderName: launch.capacityProviderStrategy[0]!.capacityProvider } : {}),
              ...(input.platformVersion ? { platformVersion: input.platformVersion } : {}),
              ...(network ? { networkConfiguration: network } : {}),
              ...(input.startedBy ? { startedBy: input.startedBy } : {}),
              ...(input.group ? { group: input.group } : {}),
              ...(input.overrides ? { overrides: input.overrides } : {}),
              tags: launchTags(input.propagateTags === 'TASK_DEFINITION' ? td.tags : [], tags, input.enableECSManagedTags ? { cluster: cluster.name } : undefined),
              enableExecuteCommand: input.enableExecuteCommand ?? false,
              now,
            },
            placeTask(c.ec2, ctx.region, ctx.accountId, network),
          );
          const k = taskKey(ctx, cluster.name, task.taskId);
          c.ecs.tasks.putTx(k, task);
          c.index.add(k, null);
          out.push(task);
        }
        return out;
      });
      return { tasks: created.map((t) => taskWire(t, true)), failures: [] };
    },

    StartTask(input: Ecs.StartTaskRequest, ctx: RequestContext): Ecs.StartTaskResponse {
      requireCluster(c, ctx, input.cluster);
      usableTaskDefinition(c, ctx, input.taskDefinition);
      checkTaskRoles(c.iam, ctx.accountId, input.overrides);
      if (!input.containerInstances.length) throw invalid('containerInstances can not be empty.');
      atMost('containerInstances', input.containerInstances, 10);
      // Wayfinder runs tasks on this machine, not on registered container instances: there are none.
      return { tasks: [], failures: input.containerInstances.map((arn) => ({ arn, reason: 'MISSING', detail: 'Wayfinder has no container instances; use RunTask.' })) };
    },

    StopTask(input: Ecs.StopTaskRequest, ctx: RequestContext): Ecs.StopTaskResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      const key = taskKey(ctx, cluster.name, taskIdOf(input.task));
      if (input.reason !== undefined && input.reason.length > 255) throw invalid('reason can have up to 255 characters.');
      const next = c.ecs.store.withTx(() => {
        const t = c.ecs.tasks.get(key);
        if (!t) throw invalid('The referenced task was not found.');
        if (t.desiredStatus === 'RUNNING') c.ecs.tasks.putTx(key, requestStop(t, 'UserInitiated', input.reason || stopReasons.user, c.now()));
        return t;
      });
      return { task: taskWire(next, false) };
    },

    DescribeTasks(input: Ecs.DescribeTasksRequest, ctx: RequestContext): Ecs.DescribeTasksResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      if (!input.tasks.length) throw invalid('Tasks cannot be empty.');
      atMost('tasks', input.tasks, 100);
      const tasks: Ecs.Task[] = [];
      const failures: Ecs.Failure[] = [];
      for (const ref of input.tasks) {
        const id = taskIdOf(ref);
        const t = c.ecs.tasks.get(taskKey(ctx, cluster.name, id));
        if (t) tasks.push(taskWire(t, !!input.include?.includes('TAGS')));
        else failures.push({ arn: ref.startsWith('arn:') ? ref : taskArn(ctx.region, ctx.accountId, cluster.name, id), reason: 'MISSING' });
      }
      return { tasks, failures };
    },

    ListTasks(input: Ecs.ListTasksRequest, ctx: RequestContext): Ecs.ListTasksResponse {
      const cluster = requireCluster(c, ctx, input.cluster);
      if (input.startedBy !== undefined && (input.family !== undefined || input.serviceName !== undefined || input.containerInstance !== undefined)) {
        throw invalid('startedBy cannot be combined with the family, serviceName or containerInstance filters.');
      }
      if (input.family !== undefined && input.serviceName !== undefined) throw invalid('family and serviceName cannot be specified together.');
      const desired = input.desiredStatus ?? 'RUNNING';
      let candidates: TaskRecord[];
      if (input.serviceName !== undefined) {
        const name = serviceNameOf(input.serviceName, cluster.name, ctx);
        const sk = serviceKey(ctx, cluster.name, name ?? '');
        if (name === undefined || !c.ecs.services.get(sk)) throw new AwsError('ServiceNotFoundException', 'Service not found.');
        candidates = c.index
          .tasksOf(sk)
          .map((k) => c.ecs.tasks.get(k))
          .filter((t): t is TaskRecord => !!t);
      } else {
        candidates = c.ecs.tasks.withPrefix(`${partitionOf(ctx)}/${cluster.name}/`);
      }
      const items = candidates.filter(
        (t) =>
          t.desiredStatus === desired &&
          (input.family === undefined || t.family === input.family) &&
          (input.startedBy === undefined || t.startedBy === input.startedBy) &&
          (input.launchType === undefined || t.launchType === input.launchType) &&
          input.containerInstance === undefined &&
          input.daemonName === undefined,
      );
      const p = page(items, (t) => t.arn, input.maxResults, input.nextToken);
      return { taskArns: p.items.map((t) => t.arn), nextToken: p.nextToken };
    },
  };
}
