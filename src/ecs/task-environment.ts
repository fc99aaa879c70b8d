// The AWS variables every task container starts with, so an AWS SDK or CLI inside a task calls
// Wayfinder, in the task's region, with the task role's credentials, and needs no configuration of its
// own (docs/ecs.md "What a task sees"). The container's own `environment` (and RunTask's overrides) are
// applied after these, so a task that sets any of them keeps its own value.
import { CREDENTIALS_PATH } from './task-credentials.js';
import type { TaskRecord } from './store.js';

/** Where a runtime's tasks reach Wayfinder's edge port (process: loopback; docker: the task network's gateway). */
export interface TaskEndpoint {
  /** Base URL of the control plane as a task sees it, e.g. `http://127.0.0.1:4566`. */
  url: string;
  /**
   * Process tasks share the host's home directory, and the SDKs read ~/.aws before they ask the container
   * endpoint: a task with a role then points them at no file, as a container on ECS has none.
   */
  hidesSharedConfig?: boolean;
}

export function awsEnvironment(task: TaskRecord, at: TaskEndpoint | undefined): Record<string, string> {
  const env: Record<string, string> = {
    AWS_REGION: task.region,
    AWS_DEFAULT_REGION: task.region,
    AWS_EXECUTION_ENV: `AWS_ECS_${task.launchType}`,
  };
  if (!at) return env;
  env.AWS_ENDPOINT_URL = at.url;
  if (task.credentials) {
    // FULL_URI, not RELATIVE_URI: the SDKs resolve a relative one against http://169.254.170.2:80, a port
    // Wayfinder cannot count on; a full one may name a loopback host or 169.254.170.2 on any port.
    env.AWS_CONTAINER_CREDENTIALS_FULL_URI = `${at.url}${CREDENTIALS_PATH}${task.credentials.id}`;
    env.AWS_CONTAINER_AUTHORIZATION_TOKEN = task.credentials.token;
    if (at.hidesSharedConfig) {
      env.AWS_SHARED_CREDENTIALS_FILE = '/dev/null';
      env.AWS_CONFIG_FILE = '/dev/null';
    }
  }
  return env;
}
