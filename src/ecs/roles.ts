// The IAM roles a task definition or a task names (taskRoleArn, executionRoleArn, and the same in
// RunTask's overrides), checked as ECS checks them: a role of the caller's account must exist in IAM,
// a role ARN of another account is taken as given (ECS cannot see into it), anything else is refused.
// AWS answers every refusal with the same ClientException, "Role is not valid".
import type { IamApi } from '../iam/api.js';
import { client } from './operations/common.js';

/** `arn:<partition>:iam::<12 digits>:role/<path/>name`, the role name at most 64 characters of IAM's set. */
const ROLE_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):role\/(?:[\u0021-\u007e]{0,510}\/)?([\w+=,.@-]{1,64})$/;
/** ECS also takes a role's short name for taskRoleArn (RegisterTaskDefinition's documentation). */
const ROLE_NAME = /^[\w+=,.@-]{1,64}$/;

export const ROLE_NOT_VALID = 'Role is not valid';

/**
 * The role ARN `value` stands for in `accountId` (a short name becomes that account's role ARN), after
 * checking it. Throws ClientException "Role is not valid" for a malformed value or a missing role of
 * the caller's account.
 */
export function checkRole(iam: Pick<IamApi, 'role'>, accountId: string, value: string): string {
  const arn = roleArnOf(accountId, value);
  const m = ROLE_ARN.exec(arn);
  if (!m) throw client(ROLE_NOT_VALID);
  if (m[1] === accountId && !iam.role(accountId, arn)) throw client(ROLE_NOT_VALID);
  return arn;
}

/** The ARN a taskRoleArn value stands for: a short name is a role of the task's own account. */
export function roleArnOf(accountId: string, value: string): string {
  return ROLE_NAME.test(value) ? `arn:aws:iam::${accountId}:role/${value}` : value;
}

/** Checks the roles a task definition or a task override names; absent ones are fine. */
export function checkTaskRoles(iam: Pick<IamApi, 'role'>, accountId: string, roles: { taskRoleArn?: string; executionRoleArn?: string } | undefined): void {
  if (roles?.taskRoleArn) checkRole(iam, accountId, roles.taskRoleArn);
  if (roles?.executionRoleArn) checkRole(iam, accountId, roles.executionRoleArn);
}
