// Service events and reasons in AWS's wording (docs/aws-behavior.md §5.4 and §5.5; ECS "Service event messages").
const tasks = (ids: string[]) => ids.map((id) => `(task ${id})`).join(' ');

export const serviceEvents = {
  started: (svc: string, ids: string[]) => `(service ${svc}) has started ${ids.length} tasks: ${tasks(ids)}.`,
  stopped: (svc: string, ids: string[]) => `(service ${svc}) has stopped ${ids.length} running tasks: ${tasks(ids)}.`,
  failedHealth: (svc: string, id: string) => `(service ${svc}) (task ${id}) failed container health checks.`,
  steady: (svc: string) => `(service ${svc}) has reached a steady state.`,
  deploymentCompleted: (svc: string, dep: string) => `(service ${svc}) (deployment ${dep}) deployment completed.`,
  deploymentFailed: (svc: string, dep: string) => `(service ${svc}) (deployment ${dep}) deployment failed: tasks failed to start.`,
  rollingBack: (svc: string, dep: string, to: string) => `(service ${svc}) (deployment ${dep}) deployment rolling back to ${to}.`,
  blocked: (svc: string) =>
    `(service ${svc}) was unable to stop or start tasks during a deployment because of the service deployment configuration. Update the minimumHealthyPercent or maximumPercent value and try again.`,
  throttled: (svc: string) =>
    `(service ${svc}) is unable to consistently start tasks successfully. For more information, see the Troubleshooting section of the Amazon ECS Developer Guide.`,
};

export const rolloutReasons = {
  inProgress: (dep: string) => `ECS deployment ${dep} in progress.`,
  completed: (dep: string) => `ECS deployment ${dep} completed.`,
  circuitBreakerFailed: 'ECS deployment circuit breaker: tasks failed to start.',
  rollingBack: (to: string) => `ECS deployment circuit breaker: rolling back to deploymentId ${to}.`,
};

export const stopReasons = {
  scaling: (dep: string) => `Scaling activity initiated by (deployment ${dep})`,
  failedHealth: 'Task failed container health checks',
  user: 'Task stopped by user',
};
