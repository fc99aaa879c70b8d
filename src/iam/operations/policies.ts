// Managed policies: the account's own with their versions (at most 5, one default), and AWS's, which
// every account can read and attach but nobody can change (docs/iam.md §2).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { AWS_MANAGED_POLICIES } from '../aws-managed-policies.js';
import { attachmentCount, boundaryCount, findManagedPolicy, type ManagedPolicyRef } from '../managed.js';
import { MANAGED_POLICY_MAX, policySize, validatePolicyDocument } from '../policy-document.js';
import { accountPrefix, iamKey, type IamStore, type ManagedPolicyRecord } from '../store.js';
import { checkName, checkNewTags, checkPath, checkPathPrefix, encodeDocument, iamArn, iamId, mergeTags, pageOf, removeTags, tagsWire } from './common.js';

const MAX_VERSIONS = 5;

function checkManagedDocument(document: string): void {
  validatePolicyDocument(document, 'identity');
  if (policySize(document) > MANAGED_POLICY_MAX) throw new AwsError('LimitExceeded', `Cannot exceed quota for PolicySize: ${MANAGED_POLICY_MAX}`);
}

export function policyOperations(iam: IamStore) {
  function requirePolicy(ctx: RequestContext, arn: string): ManagedPolicyRef {
    const ref = findManagedPolicy(iam, ctx.accountId, arn);
    if (!ref) throw new AwsError('NoSuchEntity', `Policy ${arn} was not found.`);
    return ref;
  }

  /** A policy this account may change: its own. AWS's answer AccessDenied, as they do for any customer. */
  function requireOwnPolicy(ctx: RequestContext, arn: string, action: string): ManagedPolicyRecord {
    const ref = requirePolicy(ctx, arn);
    if (ref.kind === 'aws') {
      throw new AwsError('AccessDenied', `User: arn:aws:iam::${ctx.accountId}:root is not authorized to perform: iam:${action} on resource: policy ${arn}`);
    }
    return ref.policy;
  }

  function wire(ctx: RequestContext, ref: ManagedPolicyRef, detail: 'create' | 'get' | 'list'): Iam.Policy {
    const p = ref.policy;
    const out: Iam.Policy = {
      PolicyName: p.name,
      PolicyId: p.id,
      Arn: p.arn,
      Path: p.path,
      DefaultVersionId: p.defaultVersionId,
      AttachmentCount: attachmentCount(iam, ctx.accountId, p.arn),
      PermissionsBoundaryUsageCount: boundaryCount(iam, ctx.accountId, p.arn),
      IsAttachable: true,
      CreateDate: new Date(p.createdAt),
      UpdateDate: new Date(p.updatedAt),
    };
    if (detail === 'get') out.Description = p.description;
    if (detail !== 'list' && ref.kind === 'local') out.Tags = tagsWire(ref.policy.tags);
    return out;
  }

  function versionsOf(ref: ManagedPolicyRef): Iam.PolicyVersion[] {
    if (ref.kind === 'aws') {
      return [{ Document: encodeDocument(ref.policy.document), VersionId: ref.policy.defaultVersionId, IsDefaultVersion: true, CreateDate: new Date(ref.policy.updatedAt) }];
    }
    return ref.policy.versions.map((v) => ({
      Document: encodeDocument(v.document),
      VersionId: v.versionId,
      IsDefaultVersion: v.versionId === ref.policy.defaultVersionId,
      CreateDate: new Date(v.createdAt),
    }));
  }

  const put = (p: ManagedPolicyRecord) => iam.policies.putTx(iamKey(p.accountId, p.name), p);

  return {
    CreatePolicy(input: Iam.CreatePolicyRequest, ctx: RequestContext): Iam.CreatePolicyResponse {
      checkName(input.PolicyName, 'policyName');
      const path = checkPath(input.Path);
      checkManagedDocument(input.PolicyDocument);
      const tags = checkNewTags(input.Tags);
      const record: ManagedPolicyRecord = {
        accountId: ctx.accountId,
        name: input.PolicyName,
        path,
        id: iamId('ANPA'),
        arn: iamArn(ctx.accountId, 'policy', path, input.PolicyName),
        description: input.Description,
        createdAt: ctx.receivedAt,
        updatedAt: ctx.receivedAt,
        defaultVersionId: 'v1',
        nextVersion: 2,
        versions: [{ versionId: 'v1', document: input.PolicyDocument, createdAt: ctx.receivedAt }],
        tags,
      };
      iam.store.withTx(() => {
        if (iam.policies.has(iamKey(ctx.accountId, input.PolicyName))) {
          throw new AwsError('EntityAlreadyExists', `A policy called ${input.PolicyName} already exists. Duplicate names are not allowed.`);
        }
        put(record);
      });
      return { Policy: wire(ctx, { kind: 'local', policy: record }, 'create') };
    },

    GetPolicy(input: Iam.GetPolicyRequest, ctx: RequestContext): Iam.GetPolicyResponse {
      return { Policy: wire(ctx, requirePolicy(ctx, input.PolicyArn), 'get') };
    },

    ListPolicies(input: Iam.ListPoliciesRequest, ctx: RequestContext): Iam.ListPoliciesResponse {
      const prefix = checkPathPrefix(input.PathPrefix);
      const scope = input.Scope ?? 'All';
      const refs: ManagedPolicyRef[] = [];
      if (scope !== 'Local') for (const p of AWS_MANAGED_POLICIES) refs.push({ kind: 'aws', policy: p });
      if (scope !== 'AWS') for (const p of iam.policies.withPrefix(accountPrefix(ctx.accountId))) refs.push({ kind: 'local', policy: p });
      let policies = refs.filter((r) => r.policy.path.startsWith(prefix)).map((r) => wire(ctx, r, 'list'));
      if (input.OnlyAttached) policies = policies.filter((p) => p.AttachmentCount! > 0);
      if (input.PolicyUsageFilter === 'PermissionsBoundary') policies = policies.filter((p) => p.PermissionsBoundaryUsageCount! > 0);
      if (input.PolicyUsageFilter === 'PermissionsPolicy') policies = policies.filter((p) => p.AttachmentCount! > 0);
      const page = pageOf(policies, (p) => `${p.PolicyName!.toLowerCase()}\n${p.Arn}`, input.MaxItems, input.Marker);
      return { Policies: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeletePolicy(input: Iam.DeletePolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'DeletePolicy');
        if (attachmentCount(iam, ctx.accountId, p.arn) || boundaryCount(iam, ctx.accountId, p.arn)) {
          throw new AwsError('DeleteConflict', 'Cannot delete a policy attached to entities.');
        }
        if (p.versions.length > 1) {
          throw new AwsError(
            'DeleteConflict',
            "This policy has more than one version. Before you delete a policy, you must delete the policy's versions. The default version is deleted with the policy.",
          );
        }
        iam.policies.deleteTx(iamKey(ctx.accountId, p.name));
      });
    },

    CreatePolicyVersion(input: Iam.CreatePolicyVersionRequest, ctx: RequestContext): Iam.CreatePolicyVersionResponse {
      checkManagedDocument(input.PolicyDocument);
      let created: Iam.PolicyVersion | undefined;
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'CreatePolicyVersion');
        if (p.versions.length >= MAX_VERSIONS) {
          throw new AwsError('LimitExceeded', `A managed policy can have up to ${MAX_VERSIONS} versions. Before you create a new version, you must delete an existing version.`);
        }
        const versionId = `v${p.nextVersion}`;
        const setDefault = input.SetAsDefault === true;
        put({
          ...p,
          versions: [...p.versions, { versionId, document: input.PolicyDocument, createdAt: ctx.receivedAt }],
          nextVersion: p.nextVersion + 1,
          defaultVersionId: setDefault ? versionId : p.defaultVersionId,
          updatedAt: setDefault ? ctx.receivedAt : p.updatedAt,
        });
        created = { VersionId: versionId, IsDefaultVersion: setDefault, CreateDate: new Date(ctx.receivedAt) };
      });
      return { PolicyVersion: created };
    },

    GetPolicyVersion(input: Iam.GetPolicyVersionRequest, ctx: RequestContext): Iam.GetPolicyVersionResponse {
      const ref = findManagedPolicy(iam, ctx.accountId, input.PolicyArn);
      const version = ref && versionsOf(ref).find((v) => v.VersionId === input.VersionId);
      if (!version) throw new AwsError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
      return { PolicyVersion: version };
    },

    ListPolicyVersions(input: Iam.ListPolicyVersionsRequest, ctx: RequestContext): Iam.ListPolicyVersionsResponse {
      const versions = versionsOf(requirePolicy(ctx, input.PolicyArn))
        .map(({ Document: _omitted, ...v }) => v)
        .reverse(); // newest first, as IAM lists them
      const page = pageOf(versions, (v) => String(1e9 - Number(v.VersionId!.slice(1))).padStart(10, '0'), input.MaxItems, input.Marker);
      return { Versions: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    DeletePolicyVersion(input: Iam.DeletePolicyVersionRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'DeletePolicyVersion');
        if (!p.versions.some((v) => v.versionId === input.VersionId)) {
          throw new AwsError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not deletable.`);
        }
        if (p.defaultVersionId === input.VersionId) throw new AwsError('DeleteConflict', 'Cannot delete the default version of a policy.');
        put({ ...p, versions: p.versions.filter((v) => v.versionId !== input.VersionId) });
      });
    },

    SetDefaultPolicyVersion(input: Iam.SetDefaultPolicyVersionRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'SetDefaultPolicyVersion');
        if (!p.versions.some((v) => v.versionId === input.VersionId)) {
          throw new AwsError('NoSuchEntity', `Policy ${input.PolicyArn} version ${input.VersionId} does not exist or is not attachable.`);
        }
        put({ ...p, defaultVersionId: input.VersionId, updatedAt: ctx.receivedAt });
      });
    },

    ListEntitiesForPolicy(input: Iam.ListEntitiesForPolicyRequest, ctx: RequestContext): Iam.ListEntitiesForPolicyResponse {
      const ref = requirePolicy(ctx, input.PolicyArn);
      const prefix = checkPathPrefix(input.PathPrefix);
      const usage = input.PolicyUsageFilter ?? 'PermissionsPolicy';
      const wantRoles = input.EntityFilter === undefined || input.EntityFilter === 'Role';
      const roles = wantRoles
        ? iam.roles
            .withPrefix(accountPrefix(ctx.accountId))
            .filter((r) => r.path.startsWith(prefix))
            .filter((r) => (usage === 'PermissionsBoundary' ? r.permissionsBoundary === ref.policy.arn : r.attachedPolicies.includes(ref.policy.arn)))
        : [];
      const page = pageOf(roles, (r) => r.name.toLowerCase(), input.MaxItems, input.Marker);
      return { PolicyGroups: [], PolicyUsers: [], PolicyRoles: page.items.map((r) => ({ RoleName: r.name, RoleId: r.id })), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    TagPolicy(input: Iam.TagPolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'TagPolicy');
        put({ ...p, tags: mergeTags(p.tags, input.Tags) });
      });
    },

    UntagPolicy(input: Iam.UntagPolicyRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireOwnPolicy(ctx, input.PolicyArn, 'UntagPolicy');
        put({ ...p, tags: removeTags(p.tags, input.TagKeys) });
      });
    },

    ListPolicyTags(input: Iam.ListPolicyTagsRequest, ctx: RequestContext): Iam.ListPolicyTagsResponse {
      const ref = requirePolicy(ctx, input.PolicyArn);
      const tags = ref.kind === 'local' ? ref.policy.tags : [];
      const page = pageOf(tags, (t) => t.Key, input.MaxItems, input.Marker);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
