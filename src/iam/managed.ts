// One view over the managed policies a role can attach: the account's own (customer managed, in the
// store) and AWS's (aws-managed-policies.ts). Attachment counts are computed from the roles of the
// account, so they are always right, for AWS managed policies too (AWS counts them per account).
import { AwsError } from '../kernel/errors.js';
import { parseArn } from '../kernel/arn.js';
import { awsManagedPolicy, type AwsManagedPolicy } from './aws-managed-policies.js';
import { accountPrefix, iamKey, type IamStore, type ManagedPolicyRecord } from './store.js';

export type ManagedPolicyRef = { kind: 'aws'; policy: AwsManagedPolicy } | { kind: 'local'; policy: ManagedPolicyRecord };

/** The policy an ARN names, seen from `accountId`, or undefined. */
export function findManagedPolicy(iam: IamStore, accountId: string, arn: string): ManagedPolicyRef | undefined {
  const aws = awsManagedPolicy(arn);
  if (aws) return { kind: 'aws', policy: aws };
  const parsed = parseArn(arn);
  if (parsed?.service !== 'iam' || parsed.account !== accountId || !parsed.resource.startsWith('policy/')) return undefined;
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  const p = iam.policies.get(iamKey(accountId, name));
  return p && p.arn === arn ? { kind: 'local', policy: p } : undefined;
}

/** Like findManagedPolicy, for Attach/PermissionsBoundary: IAM's NoSuchEntity when it does not exist. */
export function requireAttachable(iam: IamStore, accountId: string, arn: string): ManagedPolicyRef {
  const ref = findManagedPolicy(iam, accountId, arn);
  if (!ref) throw new AwsError('NoSuchEntity', `Policy ${arn} does not exist or is not attachable.`);
  return ref;
}

/** How many roles of the account have `arn` attached. */
export function attachmentCount(iam: IamStore, accountId: string, arn: string): number {
  return iam.roles.withPrefix(accountPrefix(accountId)).filter((r) => r.attachedPolicies.includes(arn)).length;
}

/** How many roles of the account use `arn` as their permissions boundary. */
export function boundaryCount(iam: IamStore, accountId: string, arn: string): number {
  return iam.roles.withPrefix(accountPrefix(accountId)).filter((r) => r.permissionsBoundary === arn).length;
}
