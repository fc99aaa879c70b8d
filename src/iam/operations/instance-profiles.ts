// Instance profiles: a named holder of at most one role (docs/iam.md §2). Wayfinder runs no EC2
// instances; IaC creates profiles beside roles, so they are stored and returned.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import { accountPrefix, iamKey, type IamStore, type InstanceProfileRecord } from '../store.js';
import { checkName, checkNewTags, checkPath, checkPathPrefix, iamArn, iamId, mergeTags, pageOf, removeTags, tagsWire } from './common.js';
import { requireRole, roleWire } from './roles.js';

export function instanceProfileOperations(iam: IamStore) {
  function requireProfile(accountId: string, name: string): InstanceProfileRecord {
    const p = iam.instanceProfiles.get(iamKey(accountId, name));
    if (!p) throw new AwsError('NoSuchEntity', `Instance Profile ${name} cannot be found.`);
    return p;
  }

  function wire(p: InstanceProfileRecord, withTags = true): Iam.InstanceProfile {
    const roles = p.roles.flatMap((n) => {
      const r = iam.roles.get(iamKey(p.accountId, n));
      return r ? [roleWire(r, true)] : [];
    });
    return {
      Path: p.path,
      InstanceProfileName: p.name,
      InstanceProfileId: p.id,
      Arn: iamArn(p.accountId, 'instance-profile', p.path, p.name),
      CreateDate: new Date(p.createdAt),
      Roles: roles,
      Tags: withTags ? tagsWire(p.tags) : undefined,
    };
  }

  const put = (p: InstanceProfileRecord) => iam.store.withTx(() => iam.instanceProfiles.putTx(iamKey(p.accountId, p.name), p));

  return {
    CreateInstanceProfile(input: Iam.CreateInstanceProfileRequest, ctx: RequestContext): Iam.CreateInstanceProfileResponse {
      checkName(input.InstanceProfileName, 'instanceProfileName');
      const record: InstanceProfileRecord = {
        accountId: ctx.accountId,
        name: input.InstanceProfileName,
        path: checkPath(input.Path),
        id: iamId('AIPA'),
        createdAt: ctx.receivedAt,
        roles: [],
        tags: checkNewTags(input.Tags),
      };
      iam.store.withTx(() => {
        const key = iamKey(ctx.accountId, input.InstanceProfileName);
        if (iam.instanceProfiles.has(key)) throw new AwsError('EntityAlreadyExists', `Instance Profile ${input.InstanceProfileName} already exists.`);
        iam.instanceProfiles.putTx(key, record);
      });
      return { InstanceProfile: wire(record) };
    },

    GetInstanceProfile(input: Iam.GetInstanceProfileRequest, ctx: RequestContext): Iam.GetInstanceProfileResponse {
      return { InstanceProfile: wire(requireProfile(ctx.accountId, input.InstanceProfileName)) };
    },

    DeleteInstanceProfile(input: Iam.DeleteInstanceProfileRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireProfile(ctx.accountId, input.InstanceProfileName);
        if (p.roles.length) throw new AwsError('DeleteConflict', 'Cannot delete entity, must remove roles from instance profile first.');
        iam.instanceProfiles.deleteTx(iamKey(ctx.accountId, p.name));
      });
    },

    ListInstanceProfiles(input: Iam.ListInstanceProfilesRequest, ctx: RequestContext): Iam.ListInstanceProfilesResponse {
      const prefix = checkPathPrefix(input.PathPrefix);
      const profiles = iam.instanceProfiles.withPrefix(accountPrefix(ctx.accountId)).filter((p) => p.path.startsWith(prefix));
      const page = pageOf(profiles, (p) => p.name.toLowerCase(), input.MaxItems, input.Marker);
      return { InstanceProfiles: page.items.map((p) => wire(p, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    ListInstanceProfilesForRole(input: Iam.ListInstanceProfilesForRoleRequest, ctx: RequestContext): Iam.ListInstanceProfilesForRoleResponse {
      const r = requireRole(iam, ctx.accountId, input.RoleName);
      const profiles = iam.instanceProfiles.withPrefix(accountPrefix(ctx.accountId)).filter((p) => p.roles.some((n) => n.toLowerCase() === r.name.toLowerCase()));
      const page = pageOf(profiles, (p) => p.name.toLowerCase(), input.MaxItems, input.Marker);
      return { InstanceProfiles: page.items.map((p) => wire(p, false)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    AddRoleToInstanceProfile(input: Iam.AddRoleToInstanceProfileRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireProfile(ctx.accountId, input.InstanceProfileName);
        const r = requireRole(iam, ctx.accountId, input.RoleName);
        // One role per profile: adding the same role again counts against the quota too.
        if (p.roles.length >= 1) throw new AwsError('LimitExceeded', 'Cannot exceed quota for InstanceSessionsPerInstanceProfile: 1');
        put({ ...p, roles: [r.name] });
      });
    },

    RemoveRoleFromInstanceProfile(input: Iam.RemoveRoleFromInstanceProfileRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const p = requireProfile(ctx.accountId, input.InstanceProfileName);
        const r = requireRole(iam, ctx.accountId, input.RoleName);
        if (!p.roles.some((n) => n.toLowerCase() === r.name.toLowerCase())) {
          throw new AwsError('NoSuchEntity', `The role with name ${r.name} cannot be found in instance profile ${p.name}.`);
        }
        put({ ...p, roles: p.roles.filter((n) => n.toLowerCase() !== r.name.toLowerCase()) });
      });
    },

    TagInstanceProfile(input: Iam.TagInstanceProfileRequest, ctx: RequestContext): void {
      const p = requireProfile(ctx.accountId, input.InstanceProfileName);
      put({ ...p, tags: mergeTags(p.tags, input.Tags) });
    },

    UntagInstanceProfile(input: Iam.UntagInstanceProfileRequest, ctx: RequestContext): void {
      const p = requireProfile(ctx.accountId, input.InstanceProfileName);
      put({ ...p, tags: removeTags(p.tags, input.TagKeys) });
    },

    ListInstanceProfileTags(input: Iam.ListInstanceProfileTagsRequest, ctx: RequestContext): Iam.ListInstanceProfileTagsResponse {
      const p = requireProfile(ctx.accountId, input.InstanceProfileName);
      const page = pageOf(p.tags, (t) => t.Key, input.MaxItems, input.Marker);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
