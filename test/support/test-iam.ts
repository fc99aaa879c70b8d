// Unit tests only: a minimal IamApi (roles by ARN, AssumeRole issuing random ASIA keys) for the products
// built on IAM. End-to-end tests use the real IAM product.
import { randomBytes } from 'node:crypto';
import type { IamApi, IssuedKey, RoleRef, SessionCredentials } from '../../src/iam/api.js';

export class TestIam implements Pick<IamApi, 'role' | 'assumeRole' | 'issuedKey'> {
  private readonly roles = new Map<string, RoleRef>();
  private readonly keys = new Map<string, IssuedKey>();
  /** Every AssumeRole call, in order. */
  readonly assumed: Array<{ accountId: string; roleArn: string; sessionName: string; durationSeconds?: number }> = [];

  constructor(private readonly now: () => number = Date.now) {}

  addRole(accountId: string, roleName: string): RoleRef {
    const role: RoleRef = { arn: `arn:aws:iam::${accountId}:role/${roleName}`, roleName, roleId: `AROA${randomBytes(8).toString('hex').toUpperCase()}`, maxSessionDuration: 3600 };
    this.roles.set(role.arn, role);
    return role;
  }

  role(accountId: string, roleArn: string): RoleRef | undefined {
    const r = this.roles.get(roleArn);
    return r && roleArn.split(':')[4] === accountId ? r : undefined;
  }

  assumeRole(accountId: string, roleArn: string, sessionName: string, durationSeconds = 3600): SessionCredentials {
    this.assumed.push({ accountId, roleArn, sessionName, durationSeconds });
    if (!this.roles.has(roleArn)) throw new Error(`no role ${roleArn}`);
    const creds: SessionCredentials = {
      accessKeyId: `ASIA${randomBytes(8).toString('hex').toUpperCase()}`,
      secretAccessKey: randomBytes(20).toString('base64'),
      sessionToken: randomBytes(32).toString('base64'),
      expiration: new Date(this.now() + durationSeconds * 1000),
    };
    this.keys.set(creds.accessKeyId, { ...creds, accountId, expiresAt: creds.expiration.getTime() });
    return creds;
  }

  issuedKey(accessKeyId: string): IssuedKey | undefined {
    return this.keys.get(accessKeyId);
  }

  /** Web identity is not what these tests are about. */
  trustWebIdentityIssuer(_issuer: unknown): void {}
}
