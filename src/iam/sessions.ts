// Keys STS issues: stored with their secret, session token, account, identity and expiry, so the
// SigV4 verifier can accept requests signed with them (IamApi.issuedKey) and GetCallerIdentity can
// say who they are. Expired keys stay a while (a request with one gets ExpiredToken, not "unknown
// key"), then a sweep drops them.
import { randomBytes } from 'node:crypto';
import type { RequestContext } from '../protocol/handlers.js';
import { iamId } from './operations/common.js';
import { accessKeyKey, iamKey, type IamStore, type SessionRecord } from './store.js';

/** How long an expired key is kept before the sweep drops it. */
export const EXPIRED_KEY_GRACE_MS = 60 * 60 * 1000;

/** Who is calling, as GetCallerIdentity answers it. */
export interface Caller {
  accountId: string;
  arn: string;
  userId: string;
  /** The STS key the request was signed with, when it was one. */
  session?: SessionRecord;
  /** The IAM user whose access key signed the request, when it was one. */
  userName?: string;
}

export class Sessions {
  constructor(private readonly iam: IamStore) {}

  issue(identity: { accountId: string; arn: string; userId: string }, durationSeconds: number, now: number): SessionRecord {
    const record: SessionRecord = {
      accessKeyId: iamId('ASIA', 20),
      secretAccessKey: randomBytes(30).toString('base64'),
      // Real tokens are opaque base64 of a few hundred bytes; clients only pass them back.
      sessionToken: `IQoJb3JpZ2luX2VjE${randomBytes(240).toString('base64')}`,
      accountId: identity.accountId,
      expiresAt: now + durationSeconds * 1000,
      arn: identity.arn,
      userId: identity.userId,
    };
    this.iam.store.withTx(() => this.iam.sessions.putTx(accessKeyKey(record.accessKeyId), record));
    return record;
  }

  get(accessKeyId: string): SessionRecord | undefined {
    // Only ASIA keys are ours; other keys (the configured ones, any key on loopback) skip the read.
    return accessKeyId.startsWith('ASIA') ? this.iam.sessions.get(accessKeyKey(accessKeyId)) : undefined;
  }

  /**
   * Who signed the request: an STS session, a user's access key (CreateAccessKey), or else the
   * account's root (the built-in and configured keys).
   */
  caller(ctx: RequestContext): Caller {
    const session = this.get(ctx.accessKeyId);
    if (session && session.accountId === ctx.accountId) return { accountId: session.accountId, arn: session.arn, userId: session.userId, session };
    // Only an Active key is its user: the verifier knows no secret for an Inactive one, so under `--auth on`
    // it came through as any unknown key does, unverified, and must not speak as the user.
    const found = ctx.accessKeyId.startsWith('AKIA') ? this.iam.accessKeys.get(accessKeyKey(ctx.accessKeyId)) : undefined;
    const key = found?.status === 'Active' ? found : undefined;
    const user = key?.userName !== undefined && key.accountId === ctx.accountId ? this.iam.users.get(iamKey(key.accountId, key.userName)) : undefined;
    if (user) return { accountId: user.accountId, arn: `arn:aws:iam::${user.accountId}:user${user.path}${user.name}`, userId: user.id, userName: user.name };
    return { accountId: ctx.accountId, arn: `arn:aws:iam::${ctx.accountId}:root`, userId: ctx.accountId };
  }

  purge(now: number): number {
    const expired = this.iam.sessions.all().filter((s) => s.expiresAt + EXPIRED_KEY_GRACE_MS < now);
    if (expired.length) {
      this.iam.store.withTx(() => {
        for (const s of expired) this.iam.sessions.deleteTx(accessKeyKey(s.accessKeyId));
      });
    }
    return expired.length;
  }
}
