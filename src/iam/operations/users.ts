// Users: the few calls IaC and scripts make (GetUser of the caller above all). Users hold no
// policies or groups in Wayfinder; the configured keys act as the account's root (docs/iam.md §2).
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import type { Sessions } from '../sessions.js';
import { accountPrefix, iamKey, type IamStore, type UserRecord } from '../store.js';
import { checkName, checkNewTags, checkPath, checkPathPrefix, iamArn, iamId, mergeTags, pageOf, removeTags, tagsWire } from './common.js';

/** When the account was "created": the root user's CreateDate (a fixed, plausible instant). */
const ACCOUNT_CREATED = Date.parse('2020-01-01T00:00:00Z');

export function userOperations(iam: IamStore, sessions: Sessions) {
  function requireUser(accountId: string, name: string): UserRecord {
    const u = iam.users.get(iamKey(accountId, name));
    if (!u) throw new AwsError('NoSuchEntity', `The user with name ${name} cannot be found.`);
    return u;
  }

  function wire(u: UserRecord, listed = false): Iam.User {
    const user: Iam.User = { Path: u.path, UserName: u.name, UserId: u.id, Arn: iamArn(u.accountId, 'user', u.path, u.name), CreateDate: new Date(u.createdAt) };
    if (listed) return user;
    if (u.permissionsBoundary) user.PermissionsBoundary = { PermissionsBoundaryType: 'PermissionsBoundaryPolicy', PermissionsBoundaryArn: u.permissionsBoundary };
    user.Tags = tagsWire(u.tags);
    return user;
  }

  const put = (u: UserRecord) => iam.store.withTx(() => iam.users.putTx(iamKey(u.accountId, u.name), u));

  return {
    CreateUser(input: Iam.CreateUserRequest, ctx: RequestContext): Iam.CreateUserResponse {
      checkName(input.UserName, 'userName');
      const record: UserRecord = {
        accountId: ctx.accountId,
        name: input.UserName,
        path: checkPath(input.Path),
        id: iamId('AIDA'),
        createdAt: ctx.receivedAt,
        permissionsBoundary: input.PermissionsBoundary,
        tags: checkNewTags(input.Tags),
      };
      iam.store.withTx(() => {
        const key = iamKey(ctx.accountId, input.UserName);
        if (iam.users.has(key)) throw new AwsError('EntityAlreadyExists', `User with name ${input.UserName} already exists.`);
        iam.users.putTx(key, record);
      });
      return { User: wire(record) };
    },

    GetUser(input: Iam.GetUserRequest, ctx: RequestContext): Iam.GetUserResponse {
      if (input.UserName !== undefined) return { User: wire(requireUser(ctx.accountId, input.UserName)) };
      const caller = sessions.caller(ctx);
      if (caller.userName !== undefined) return { User: wire(requireUser(caller.accountId, caller.userName)) };
      if (caller.session) throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
      // The root user has no name and no path: IAM answers only its id (the account), ARN and dates.
      const root = { UserId: caller.accountId, Arn: caller.arn, CreateDate: new Date(ACCOUNT_CREATED) } as Iam.User;
      return { User: root };
    },

    DeleteUser(input: Iam.DeleteUserRequest, ctx: RequestContext): void {
      iam.store.withTx(() => {
        const u = requireUser(ctx.accountId, input.UserName);
        if (iam.accessKeys.all().some((k) => k.accountId === ctx.accountId && k.userName?.toLowerCase() === u.name.toLowerCase())) {
          throw new AwsError('DeleteConflict', 'Cannot delete entity, must delete access keys first.');
        }
        iam.users.deleteTx(iamKey(ctx.accountId, u.name));
      });
    },

    ListUsers(input: Iam.ListUsersRequest, ctx: RequestContext): Iam.ListUsersResponse {
      const prefix = checkPathPrefix(input.PathPrefix);
      const users = iam.users.withPrefix(accountPrefix(ctx.accountId)).filter((u) => u.path.startsWith(prefix));
      const page = pageOf(users, (u) => u.name.toLowerCase(), input.MaxItems, input.Marker);
      return { Users: page.items.map((u) => wire(u, true)), IsTruncated: page.IsTruncated, Marker: page.Marker };
    },

    TagUser(input: Iam.TagUserRequest, ctx: RequestContext): void {
      const u = requireUser(ctx.accountId, input.UserName);
      put({ ...u, tags: mergeTags(u.tags, input.Tags) });
    },

    UntagUser(input: Iam.UntagUserRequest, ctx: RequestContext): void {
      const u = requireUser(ctx.accountId, input.UserName);
      put({ ...u, tags: removeTags(u.tags, input.TagKeys) });
    },

    // Users hold no groups, policies, MFA devices, SSH keys, certificates or passwords in Wayfinder:
    // these answer what IAM answers for a user without any, and NoSuchEntity for a user that does not
    // exist. IaC lists them all before deleting a user.
    ListGroupsForUser(input: Iam.ListGroupsForUserRequest, ctx: RequestContext): Iam.ListGroupsForUserResponse {
      requireUser(ctx.accountId, input.UserName);
      return { Groups: [], IsTruncated: false };
    },

    ListGroups(_input: Iam.ListGroupsRequest, _ctx: RequestContext): Iam.ListGroupsResponse {
      return { Groups: [], IsTruncated: false };
    },

    ListUserPolicies(input: Iam.ListUserPoliciesRequest, ctx: RequestContext): Iam.ListUserPoliciesResponse {
      requireUser(ctx.accountId, input.UserName);
      return { PolicyNames: [], IsTruncated: false };
    },

    ListAttachedUserPolicies(input: Iam.ListAttachedUserPoliciesRequest, ctx: RequestContext): Iam.ListAttachedUserPoliciesResponse {
      requireUser(ctx.accountId, input.UserName);
      return { AttachedPolicies: [], IsTruncated: false };
    },

    ListMFADevices(input: Iam.ListMFADevicesRequest, ctx: RequestContext): Iam.ListMFADevicesResponse {
      if (input.UserName !== undefined) requireUser(ctx.accountId, input.UserName);
      return { MFADevices: [], IsTruncated: false };
    },

    ListVirtualMFADevices(_input: Iam.ListVirtualMFADevicesRequest, _ctx: RequestContext): Iam.ListVirtualMFADevicesResponse {
      return { VirtualMFADevices: [], IsTruncated: false };
    },

    ListSSHPublicKeys(input: Iam.ListSSHPublicKeysRequest, ctx: RequestContext): Iam.ListSSHPublicKeysResponse {
      if (input.UserName !== undefined) requireUser(ctx.accountId, input.UserName);
      return { SSHPublicKeys: [], IsTruncated: false };
    },

    ListServiceSpecificCredentials(input: Iam.ListServiceSpecificCredentialsRequest, ctx: RequestContext): Iam.ListServiceSpecificCredentialsResponse {
      if (input.UserName !== undefined) requireUser(ctx.accountId, input.UserName);
      return { ServiceSpecificCredentials: [], IsTruncated: false };
    },

    ListSigningCertificates(input: Iam.ListSigningCertificatesRequest, ctx: RequestContext): Iam.ListSigningCertificatesResponse {
      if (input.UserName !== undefined) requireUser(ctx.accountId, input.UserName);
      return { Certificates: [], IsTruncated: false };
    },

    GetLoginProfile(input: Iam.GetLoginProfileRequest, ctx: RequestContext): Iam.GetLoginProfileResponse {
      const name = input.UserName ?? sessions.caller(ctx).userName;
      if (name === undefined) throw new AwsError('NoSuchEntity', `Login Profile for User ${ctx.accountId} cannot be found.`);
      const u = requireUser(ctx.accountId, name);
      throw new AwsError('NoSuchEntity', `Login Profile for User ${u.name} cannot be found.`);
    },

    DeleteLoginProfile(input: Iam.DeleteLoginProfileRequest, ctx: RequestContext): void {
      const name = input.UserName ?? sessions.caller(ctx).userName ?? ctx.accountId;
      const u = iam.users.get(iamKey(ctx.accountId, name));
      throw new AwsError('NoSuchEntity', u ? `Login Profile for User ${u.name} cannot be found.` : `The user with name ${name} cannot be found.`);
    },

    ListUserTags(input: Iam.ListUserTagsRequest, ctx: RequestContext): Iam.ListUserTagsResponse {
      const u = requireUser(ctx.accountId, input.UserName);
      const page = pageOf(u.tags, (t) => t.Key, input.MaxItems, input.Marker);
      return { Tags: page.items, IsTruncated: page.IsTruncated, Marker: page.Marker };
    },
  } satisfies Partial<Iam.IamOperations>;
}
