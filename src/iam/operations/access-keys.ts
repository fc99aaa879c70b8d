// Users' long-term access keys (AKIA…): created, listed, switched off and deleted, at most two per
// user. The SigV4 verifier can read them through IamApi.accessKey; GetCallerIdentity names the user.
import { randomBytes } from 'node:crypto';
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Iam from '../../protocol/generated/iam.js';
import type { Sessions } from '../sessions.js';
import { accessKeyKey, iamKey, type AccessKeyRecord, type IamStore } from '../store.js';
import { iamId, pageOf } from './common.js';

const KEYS_PER_USER = 2;

export function accessKeyOperations(iam: IamStore, sessions: Sessions) {
  /** The user a call is about: the named one, or the caller's own (the root when it signs with a root key). */
  function subject(ctx: RequestContext, userName: string | undefined): string | undefined {
    if (userName !== undefined) {
      const u = iam.users.get(iamKey(ctx.accountId, userName));
      if (!u) throw new AwsError('NoSuchEntity', `The user with name ${userName} cannot be found.`);
      return u.name;
    }
    const caller = sessions.caller(ctx);
    if (caller.session) throw new AwsError('ValidationError', 'Must specify userName when calling with non-User credentials');
    return caller.userName;
  }

  function keysOf(accountId: string, userName: string | undefined): AccessKeyRecord[] {
    return iam.accessKeys.all().filter((k) => k.accountId === accountId && k.userName?.toLowerCase() === userName?.toLowerCase());
  }

  function requireKey(ctx: RequestContext, accessKeyId: string, userName: string | undefined): AccessKeyRecord {
    const owner = subject(ctx, userName);
    const k = iam.accessKeys.get(accessKeyKey(accessKeyId));
    if (!k || k.accountId !== ctx.accountId || k.userName?.toLowerCase() !== owner?.toLowerCase()) {
      throw new AwsError('NoSuchEntity', `The Access Key with id ${accessKeyId} cannot be found.`);
    }
    return k;
  }

  return {
    CreateAccessKey(input: Iam.CreateAccessKeyRequest, ctx: RequestContext): Iam.CreateAccessKeyResponse {
      const userName = subject(ctx, input.UserName);
      const record: AccessKeyRecord = {
        accessKeyId: iamId('AKIA', 20),
        secretAccessKey: randomBytes(30).toString('base64'),
        accountId: ctx.accountId,
        userName,
        status: 'Active',
        createdAt: ctx.receivedAt,
      };
      iam.store.withTx(() => {
        if (keysOf(ctx.accountId, userName).length >= KEYS_PER_USER) throw new AwsError('LimitExceeded', `Cannot exceed quota for AccessKeysPerUser: ${KEYS_PER_USER}`);
        iam.accessKeys.putTx(accessKeyKey(record.accessKeyId), record);
      });
      // The root's own keys belong to no user; the answer's UserName (a required member) names the account.
      const accessKey: Iam.AccessKey = {
        UserName: userName ?? ctx.accountId,
        AccessKeyId: record.accessKeyId,
        Status: record.status,
        SecretAccessKey: record.secretAccessKey,
        CreateDate: new Date(record.createdAt),
      };
      return { AccessKey: accessKey };
    },

    ListAccessKeys(input: Iam.ListAccessKeysRequest, ctx: RequestContext): Iam.ListAccessKeysResponse {
      const userName = subject(ctx, input.UserName);
      const page = pageOf(keysOf(ctx.accountId, userName), (k) => k.accessKeyId, input.MaxItems, input.Marker);
      return {
        AccessKeyMetadata: page.items.map((k) => ({ UserName: k.userName, AccessKeyId: k.accessKeyId, Status: k.status, CreateDate: new Date(k.createdAt) })),
        IsTruncated: page.IsTruncated,
        Marker: page.Marker,
      };
    },

    UpdateAccessKey(input: Iam.UpdateAccessKeyRequest, ctx: RequestContext): void {
      const k = requireKey(ctx, input.AccessKeyId, input.UserName);
      if (input.Status === 'Expired')
        throw new AwsError(
          'ValidationError',
          "1 validation error detected: Value 'Expired' at 'status' failed to satisfy constraint: Member must satisfy enum value set: [Active, Inactive]",
        );
      iam.store.withTx(() => iam.accessKeys.putTx(accessKeyKey(k.accessKeyId), { ...k, status: input.Status as 'Active' | 'Inactive' }));
    },

    DeleteAccessKey(input: Iam.DeleteAccessKeyRequest, ctx: RequestContext): void {
      const k = requireKey(ctx, input.AccessKeyId, input.UserName);
      iam.store.withTx(() => iam.accessKeys.deleteTx(accessKeyKey(k.accessKeyId)));
    },

    GetAccessKeyLastUsed(input: Iam.GetAccessKeyLastUsedRequest, ctx: RequestContext): Iam.GetAccessKeyLastUsedResponse {
      const k = iam.accessKeys.get(accessKeyKey(input.AccessKeyId));
      if (!k || k.accountId !== ctx.accountId) throw new AwsError('NoSuchEntity', `The Access Key with id ${input.AccessKeyId} cannot be found.`);
      // Wayfinder does not record each key's last use; IAM answers N/A for a key never used.
      return { UserName: k.userName, AccessKeyLastUsed: { ServiceName: 'N/A', Region: 'N/A' } };
    },
  } satisfies Partial<Iam.IamOperations>;
}
