// What the IAM/STS product offers the products built after it (ECS: role checks and task-role
// credentials; the gateway: its OIDC issuer, for web identity) and the composition root (SigV4: the
// secrets of keys STS issued). IAM is global: one namespace per account, no region.
import type { JSONWebKeySet } from 'jose';
import type { IssuedKey, UserAccessKey } from '../protocol/sigv4.js';

// The key shapes the SigV4 verifier reads belong to the protocol layer (it knows no product).
export type { IssuedKey, UserAccessKey };

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

/** An OIDC issuer whose tokens AssumeRoleWithWebIdentity accepts: the gateway's built-in one. */
export interface WebIdentityIssuer {
  /** Whether `issuer` (a token's `iss`) is this issuer, under any loopback name of the edge port. */
  isLocal(issuer: string): boolean;
  /** Its public keys. */
  jwks(): Promise<JSONWebKeySet>;
}

export interface IamApi {
  /** The role an ARN (or a bare role name) names in `accountId`, or undefined when it does not exist there. */
  role(accountId: string, roleArn: string): RoleRef | undefined;
  /**
   * Credentials for a role, as AssumeRole would issue them (ECS task roles use this). Throws
   * AwsError AccessDenied when the role does not exist in `accountId`.
   */
  assumeRole(accountId: string, roleArn: string, sessionName: string, durationSeconds?: number): SessionCredentials;
  /** The key STS issued with this access key id, or undefined (unknown, or already purged). */
  issuedKey(accessKeyId: string): IssuedKey | undefined;
  /** The active access key CreateAccessKey issued with this id, or undefined (unknown, deleted or Inactive). */
  accessKey(accessKeyId: string): UserAccessKey | undefined;
  /**
   * Hands IAM the built-in OIDC issuer. The gateway owns it and is built after IAM, so it calls this
   * from its create(); until then AssumeRoleWithWebIdentity answers InvalidIdentityToken.
   */
  trustWebIdentityIssuer(issuer: WebIdentityIssuer): void;
}
