// Roles: create, read, list, update, delete, tags, permissions boundaries (docs/iam.md §2).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { requireAttachable } from '../managed.js';
import { policySize, TRUST_POLICY_MAX, validatePolicyDocument } from '../policy-document.js';
import { accountPrefix, iamKey, type IamStore, type RoleRecord } from '../store.js';
import { checkName, checkNewTags, checkPath, checkPathPrefix, encodeDocument, iamArn, iamId, mergeTags, pageOf, removeTags, tagsWire } from './common.js';

export const DEFAULT_MAX_SESSION_DURATION = 3600;

export const roleArn = (r: RoleRecord): string => iamArn(r.accountId, 'role', r.path, r.name);

/** The role as GetRole/CreateRole answer it; `listed` drops what ListRoles leaves out. */
export function roleWire(r: RoleRecord, listed = false): Iam.Role {
  const role: Iam.Role = {
    Path: r.path,
    RoleName: r.name,
    RoleId: r.id,
    Arn: roleArn(r),
    CreateDate: new Date(r.createdAt),
    AssumeRolePolicyDocument: encodeDocument(r.trustPolicy),
    Description: r.description,
    MaxSessionDuration: r.maxSessionDuration,
  };
  if (listed) return role;
  if (r.permissionsBoundary) role.PermissionsBoundary = { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: r.permissionsBoundary };
  role.Tags = tagsWire(r.tags);
  role.RoleLastUsed = r.lastUsed ? { LastUsedDate: new Date(r.lastUsed.at), Region: r.lastUsed.region } : {};
  return role;
}

export function requireRole(iam: IamStore, accountId: string, name: string): RoleRecord {
  const r = iam.roles.get(iamKey(accountId, name));
  if (!r) throw new AwsError('NoSuchEntity', `The role with name ${name} cannot be found.`);
  return r;
}

/** Where service-linked roles live (CreateServiceLinkedRole). */
export const SERVICE_ROLE_PATH = '/aws-service-role/';

export function isServiceLinked(r: RoleRecord): boolean {
  return r.path.startsWith(SERVICE_ROLE_PATH);
}

/** A role the ordinary calls may change: a service-linked one answers UnmodifiableEntity, as on IAM. */
export function requireModifiableRole(iam: IamStore, accountId: string, name: string): RoleRecord {
  const r = requireRole(iam, accountId, name);
  if (isServiceLinked(r)) {
    throw new AwsError('UnmodifiableEntity', `Cannot perform the operation on the protected role '${r.name}' - this role is only modifiable by AWS`);
  }
  return r;
}

/**
 * A trust policy as IAM checks it: the grammar, the ACLSizePerRole quota, and that the roles and users
 * it names as `AWS` principals in the caller's own account exist (IAM resolves them to their unique ids
 * when storing, so a missing one is an invalid principal).
 */
export function checkTrustPolicy(iam: IamStore, accountId: string, document: string): void {
  const parsed = validatePolicyDocument(document, 'trust');
  if (policySize(document) > TRUST_POLICY_MAX) throw new AwsError('LimitExceeded', `Cannot exceed quota for ACLSizePerRole: ${TRUST_POLICY_MAX}`);
  for (const arn of awsPrincipals(parsed.statements)) {
    const m = /^arn:aws:iam::(\d{12}):(role|user)\/(?:.*\/)?([\w+=,.@-]+)$/.exec(arn);
    if (!m || m[1] !== accountId) continue;
    const table = m[2] === 'role' ? iam.roles : iam.users;
    if (!table.has(iamKey(accountId, m[3]!))) throw new AwsError('MalformedPolicyDocument', `Invalid principal in policy: "AWS":"${arn}"`);
  }
}

function awsPrincipals(statements: Array<Record<string, unknown>>): string[] {
  return statements.flatMap((s) => {
    const p = (s.Principal ?? s.NotPrincipal) as { AWS?: string | string[] } | string | undefined;
    const aws = typeof p === 'object' ? p.AWS : undefined;
    return aws === undefined ? [] : Array.isArray(aws) ? aws : [aws];
  });
}

function checkDescription(description: string | undefined): void {
  if (description !== undefined && description.length > 1000) {
    throw new AwsError('ValidationError', `1 validation error detected: Value at 'description' failed to satisfy constraint: Member must have length less than or equal to 1000`);
  }
}

export function roleOperations(iam: IamStore) {
  const put = (r: RoleRecord) => iam.store.withTx(() => iam.roles.putTx(iamKey(r.accountId, r.name), r));

  return {
    CreateRole(input: Iam.CreateRoleRequest, ctx: RequestContext): Iam.CreateRoleResponse {
      checkName(input.RoleName, 'roleName');
      const path = checkPath(input.Path);
      checkDescription(input.Description);
      checkTrustPolicy(iam, ctx.accountId, input.AssumeRolePolicyDocument);
      const tags = checkNewTags(input.Tags);
      if (input.PermissionsBoundary) requireAttachable(iam, ctx.accountId, input.PermissionsBoundary);
      const record: RoleRecord = {
        accountId: ctx.accountId,
        name: input.RoleName,
        path,
        id: iamId('AROA'),
        createdAt: ctx.receivedAt,
        trustPolicy: input.AssumeRolePolicyDocument,
        description: input.Description,
        maxSessionDuration: input.MaxSessionDuration ?? DEFAULT_MAX_SESSION_DURATION,
        permissionsBoundary: input.PermissionsBoundary,
        tags,
        inlinePolicies: {},
        attachedPolicies: [],
      };
      iam.store.withTx(() => {
        if (iam.roles.has(iamKey(ctx.accountId, input.RoleName))) throw new AwsError('EntityAlreadyExists', `Role with name ${input.RoleName} already exists.`);
        iam.roles.putTx(iamKey(ctx.accountId, input.RoleName), record);
      });
      const role = roleWire(record);
      delete role.RoleLastUsed; // CreateRole does not answer it
      return { Role: role };
    },

    GetRole(input: Iam.GetRoleRequest, ctx: RequestContext): Iam.GetRoleResponse {
      return { Role: roleWire(requireRole(iam, ctx.accountId, input.RoleName)) };
    },

    ListRoles(input: Iam.ListRolesRequest, ctx: RequestContext): Iam.ListRolesResponse {
      const prefix = checkPathPrefix(input.PathPrefix);
      const roles = iam.roles.withPrefix(accountPrefix(ctx.accountId)).filter((r) => r.path.startsWith(prefix));
      const page = pageOf(roles, (r) => r.name.toLowerCase(), input.MaxItems, input.Marker);
      return { Roles: page.items.map((r) => roleWire(r, true)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    UpdateRole(input: Iam.UpdateRoleRequest, ctx: RequestContext): Iam.UpdateRoleResponse {
      checkDescription(input.Description);
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      put({ ...r, description: input.Description ?? r.description, maxSessionDuration: input.MaxSessionDuration ?? r.maxSessionDuration });
      return {};
    },

    UpdateRoleDescription(input: Iam.UpdateRoleDescriptionRequest, ctx: RequestContext): Iam.UpdateRoleDescriptionResponse {
      checkDescription(input.Description);
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const updated = { ...r, description: input.Description };
      put(updated);
      return { Role: roleWire(updated) };
    },

    UpdateAssumeRolePolicy(input: Iam.UpdateAssumeRolePolicyRequest, ctx: RequestContext): void {
      const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
      checkTrustPolicy(iam, ctx.accountId, input.PolicyDocument);
      put({ ...r, trustPolicy: input.PolicyDocument });
    },

    DeleteRole(input: Iam.DeleteRoleRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
        if (Object.keys(r.inlinePolicies).length) throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete policies first.');
        if (r.attachedPolicies.length) throw new AwsError('DeleteConflict', 'Cannot delete entity, must detach all policies first.');
        const inProfile = iam.instanceProfiles.withPrefix(accountPrefix(ctx.accountId)).some((p) => p.roles.some((n) => n.toLowerCase() === r.name.toLowerCase()));
        if (inProfile) throw new AwsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
        iam.roles.deleteTx(iamKey(ctx.accountId, r.name));
      });
    },

    PutRolePermissionsBoundary(input: Iam.PutRolePermissionsBoundaryRequest, ctx: RequestContext): void {
      const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
      requireAttachable(iam, ctx.accountId, input.PermissionsBoundary);
      put({ ...r, permissionsBoundary: input.PermissionsBoundary });
    },

    DeleteRolePermissionsBoundary(input: Iam.DeleteRolePermissionsBoundaryRequest, ctx: RequestContext): void {
      const r = requireModifiableRole(iam, ctx.accountId, input.RoleName);
      if (!r.permissionsBoundary) throw new AwsError('NoSuchEntity', `The role with name ${r.name} does not have a permissions boundary.`);
      const { permissionsBoundary: _drop, ...rest } = r;
      put(rest);
    },

    TagRole(input: Iam.TagRoleRequest, ctx: RequestContext): void {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      put({ ...r, tags: mergeTags(r.tags, input.Tags) });
    },

    UntagRole(input: Iam.UntagRoleRequest, ctx: RequestContext): void {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      put({ ...r, tags: removeTags(r.tags, input.TagKeys) });
    },

    ListRoleTags(input: Iam.ListRoleTagsRequest, ctx: RequestContext): Iam.ListRoleTagsResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const page = pageOf(r.tags, (t) => t.Key, input.MaxItems, input.Marker);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
