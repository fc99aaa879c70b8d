// A role's permissions: inline policies (Put/Get/Delete/List) and attached managed policies
// (Attach/Detach/ListAttached). Stored in the role's record (docs/iam.md §2).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { findManagedPolicy, requireAttachable } from '../managed.js';
import { INLINE_ROLE_POLICIES_MAX, policySize, validatePolicyDocument } from '../policy-document.js';
import { iamKey, type IamStore, type RoleRecord } from '../store.js';
import { checkName, checkPathPrefix, encodeDocument, pageOf } from './common.js';
import { requireModifiableRole, requireRole } from './roles.js';

/** The name an inline policy is stored under: IAM matches policy names without regard to case. */
function inlineName(r: RoleRecord, name: string): string | undefined {
  return Object.keys(r.inlinePolicies).find((n) => n.toLowerCase() === name.toLowerCase());
}

export function rolePolicyOperations(iam: IamStore) {
  const put = (r: RoleRecord) => iam.roles.putTx(iamKey(r.accountId, r.name), r);

  return {
    PutRolePolicy(input: Iam.PutRolePolicyRequest, ctx: RequestContext): void {
      checkName(input.PolicyName, 'policyName');
      validatePolicyDocument(input.PolicyDocument, 'identity');
      iam.store.withTx(() => {
        const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
        const inlinePolicies = { ...r.inlinePolicies };
        const existing = inlineName(r, input.PolicyName);
        if (existing) delete inlinePolicies[existing];
        inlinePolicies[input.PolicyName] = input.PolicyDocument;
        // The quota is on all inline policies of the role together.
        const total = Object.values(inlinePolicies).reduce((n, d) => n + policySize(d), 0);
        if (total > INLINE_ROLE_POLICIES_MAX) throw new AwsError('LimitExceeded', `Maximum policy size of ${INLINE_ROLE_POLICIES_MAX} bytes exceeded for role ${r.name}`);
        put({ ...r, inlinePolicies });
      });
    },

    GetRolePolicy(input: Iam.GetRolePolicyRequest, ctx: RequestContext): Iam.GetRolePolicyResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const name = inlineName(r, input.PolicyName);
      if (!name) throw new AwsError('NoSuchEntity', `The role policy with name ${input.PolicyName} cannot be found.`);
      return { RoleName: r.name, PolicyName: name, PolicyDocument: encodeDocument(r.inlinePolicies[name]!) };
    },

    DeleteRolePolicy(input: Iam.DeleteRolePolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
        const name = inlineName(r, input.PolicyName);
        if (!name) throw new AwsError('NoSuchEntity', `The role policy with name ${input.PolicyName} cannot be found.`);
        const inlinePolicies = { ...r.inlinePolicies };
        delete inlinePolicies[name];
        put({ ...r, inlinePolicies });
      });
    },

    ListRolePolicies(input: Iam.ListRolePoliciesRequest, ctx: RequestContext): Iam.ListRolePoliciesResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const page = pageOf(Object.keys(r.inlinePolicies), (n) => n, input.MaxItems, input.Marker);
      return { PolicyNames: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    AttachRolePolicy(input: Iam.AttachRolePolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
        requireAttachable(iam, ctx.accountId, input.PolicyArn);
        if (r.attachedPolicies.includes(input.PolicyArn)) return; // attaching twice is a no-op on IAM
        if (r.attachedPolicies.length >= 10) throw new AwsError('LimitExceeded', 'Cannot exceed quota for PoliciesPerRole: 10');
        put({ ...r, attachedPolicies: [...r.attachedPolicies, input.PolicyArn] });
      });
    },

    DetachRolePolicy(input: Iam.DetachRolePolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
        if (!r.attachedPolicies.includes(input.PolicyArn)) throw new AwsError('NoSuchEntity', `Policy ${input.PolicyArn} was not found.`);
        put({ ...r, attachedPolicies: r.attachedPolicies.filter((a) => a !== input.PolicyArn) });
      });
    },

    ListAttachedRolePolicies(input: Iam.ListAttachedRolePoliciesRequest, ctx: RequestContext): Iam.ListAttachedRolePoliciesResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const prefix = checkPathPrefix(input.PathPrefix);
      const attached: Iam.AttachedPolicy[] = [];
      for (const arn of r.attachedPolicies) {
        const ref = findManagedPolicy(iam, ctx.accountId, arn);
        if (ref?.policy.path.startsWith(prefix)) attached.push({ PolicyName: ref.policy.name, PolicyArn: arn });
      }
      const page = pageOf(attached, (a) => a.PolicyArn!, input.MaxItems, input.Marker);
      return { AttachedPolicies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
