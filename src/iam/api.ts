// What the IAM/STS product offers the products built after it (ECS: role checks and task-role
// credentials) and the composition root (SigV4: the secrets of keys STS issued). IAM is global: one
// namespace per account, no region.

/** A role as other products need it. */
export interface RoleRef {
  arn: string;
  roleName: string;
  roleId: string; // AROA…
  maxSessionDuration: number; // seconds
}

/** Short-lived credentials, as STS hands them out. */
export interface SessionCredentials {
  accessKeyId: string; // ASIA…
  secretAccessKey: string;
  sessionToken: string;
  expiration: Date;
}

/** A key STS issued, as the SigV4 verifier needs it. */
export interface IssuedKey {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  /** Epoch ms after which the key is refused (ExpiredToken). */
  expiresAt: number;
}

export interface IamApi {
  /** The role an ARN names in `accountId`, or undefined when it does not exist there. */
  role(accountId: string, roleArn: string): RoleRef | undefined;
  /** Credentials for a role, as AssumeRole would issue them (ECS task roles use this). */
  assumeRole(accountId: string, roleArn: string, sessionName: string, durationSeconds?: number): SessionCredentials;
  /** The key STS issued with this access key id, or undefined (unknown, or already purged). */
  issuedKey(accessKeyId: string): IssuedKey | undefined;
}
