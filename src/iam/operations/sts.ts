// STS: who am I, and short-lived credentials for the caller or for a role (docs/iam.md §4). Issued
// keys sign requests to every service (the SigV4 verifier reads them through IamApi.issuedKey).
import { AwsError } from '../../kernel/errors.js';
import { parseArn } from '../../kernel/arn.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Sts from '../../protocol/generated/sts.js';
import type { WebIdentityIssuer } from '../api.js';
import { federatedPrincipals, policySize, validatePolicyDocument } from '../policy-document.js';
import type { Sessions } from '../sessions.js';
import { iamKey, type IamStore, type RoleRecord, type SessionRecord } from '../store.js';
import { audiencesOf, providerName, trustedProvider, verifyWebIdentityToken } from '../web-identity.js';
import { providerKey } from './oidc-providers.js';
import { roleArn } from './roles.js';

const DEFAULT_ROLE_SESSION_SECONDS = 3600;
/** Role chaining (a role session assuming a role) is limited to one hour. */
const CHAINED_MAX_SECONDS = 3600;
const SESSION_TOKEN_DEFAULT_SECONDS = 43_200;
/** GetSessionToken for the account's root: at most one hour, longer requests get one hour. */
const ROOT_SESSION_MAX_SECONDS = 3600;
/** The packed size of session policies and tags, in characters. */
const PACKED_POLICY_MAX = 2048;

function credentialsWire(s: SessionRecord): Sts.Credentials {
  return { AccessKeyId: s.accessKeyId, SecretAccessKey: s.secretAccessKey, SessionToken: s.sessionToken, Expiration: new Date(s.expiresAt) };
}

function checkSessionName(name: string): void {
  if (!/^[\w+=,.@-]*$/.test(name)) {
    throw new AwsError(
      'ValidationError',
      `1 validation error detected: Value '${name}' at 'roleSessionName' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\w+=,.@-]*`,
    );
  }
}

/** The role an ARN names, wherever its account is, or undefined. */
export function roleOfArn(iam: IamStore, arn: string): RoleRecord | undefined {
  const parsed = parseArn(arn);
  if (parsed?.service !== 'iam' || !/^\d{12}$/.test(parsed.account) || !parsed.resource.startsWith('role/')) return undefined;
  const name = parsed.resource.slice(parsed.resource.lastIndexOf('/') + 1);
  const role = iam.roles.get(iamKey(parsed.account, name));
  return role && roleArn(role) === arn ? role : undefined;
}

/** A session's identity on a role: `assumed-role/<role>/<session>`, user id `<role id>:<session>`. */
export function roleSessionIdentity(role: RoleRecord, sessionName: string) {
  return { accountId: role.accountId, arn: `arn:aws:sts::${role.accountId}:assumed-role/${role.name}/${sessionName}`, userId: `${role.id}:${sessionName}` };
}

/** Whether a trust policy lets principals of `accountId` in (cross-account AssumeRole). */
function trustsAccount(role: RoleRecord, accountId: string, callerArn: string): boolean {
  let parsed: unknown;
  try {
    parsed = JSON.parse(role.trustPolicy);
  } catch {
    return false;
  }
  const raw = (parsed as { Statement?: unknown }).Statement;
  const statements = (Array.isArray(raw) ? raw : [raw]) as Array<Record<string, unknown>>;
  return statements.some((s) => {
    if (s?.Effect !== 'Allow') return false;
    if (s.Principal === '*') return true;
    const aws = (s.Principal as { AWS?: unknown } | undefined)?.AWS;
    const ids = Array.isArray(aws) ? aws : [aws];
    return ids.some((id) => id === '*' || id === accountId || id === `arn:aws:iam::${accountId}:root` || id === callerArn);
  });
}

/** AWS answers how much of the packed session-policy-and-tags quota a request used, in percent; only when it sent any. */
function packedPolicySize(input: Sts.AssumeRoleRequest): number | undefined {
  if (input.Policy === undefined && !input.Tags?.length) return undefined;
  const size = (input.Policy ? policySize(input.Policy) : 0) + (input.Tags ?? []).reduce((n, t) => n + t.Key.length + t.Value.length, 0);
  return Math.max(1, Math.ceil((size / PACKED_POLICY_MAX) * 100));
}

export function stsOperations(iam: IamStore, sessions: Sessions, webIdentity: () => WebIdentityIssuer | undefined) {
  function sessionDuration(role: RoleRecord, requested: number | undefined, chained: boolean): number {
    const seconds = requested ?? DEFAULT_ROLE_SESSION_SECONDS;
    if (chained && seconds > CHAINED_MAX_SECONDS) {
      throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the 1 hour session limit for roles assumed by role chaining.');
    }
    if (seconds > role.maxSessionDuration) throw new AwsError('ValidationError', 'The requested DurationSeconds exceeds the MaxSessionDuration set for this role.');
    return seconds;
  }

  /** Issues a role session and records the role's last use. */
  function issueForRole(role: RoleRecord, sessionName: string, seconds: number, ctx: RequestContext): SessionRecord {
    const issued = sessions.issue(roleSessionIdentity(role, sessionName), seconds, ctx.receivedAt);
    iam.store.withTx(() => {
      const current = iam.roles.get(iamKey(role.accountId, role.name));
      if (current) iam.roles.putTx(iamKey(role.accountId, role.name), { ...current, lastUsed: { at: ctx.receivedAt, region: ctx.region } });
    });
    return issued;
  }

  function checkSessionPolicy(policy: string | undefined): void {
    if (policy !== undefined) validatePolicyDocument(policy, 'identity');
  }

  return {
    GetCallerIdentity(_input: Sts.GetCallerIdentityRequest, ctx: RequestContext): Sts.GetCallerIdentityResponse {
      const caller = sessions.caller(ctx);
      return { UserId: caller.userId, Account: caller.accountId, Arn: caller.arn };
    },

    AssumeRole(input: Sts.AssumeRoleRequest, ctx: RequestContext): Sts.AssumeRoleResponse {
      checkSessionName(input.RoleSessionName);
      checkSessionPolicy(input.Policy);
      const caller = sessions.caller(ctx);
      const role = roleOfArn(iam, input.RoleArn);
      const denied = () => new AwsError('AccessDenied', `User: ${caller.arn} is not authorized to perform: sts:AssumeRole on resource: ${input.RoleArn}`, { status: 403 });
      if (!role) throw denied();
      // Within the account the caller's own (unenforced) permissions decide; across accounts the trust policy must name it.
      if (role.accountId !== caller.accountId && !trustsAccount(role, caller.accountId, caller.arn)) throw denied();
      const chained = caller.session?.arn.includes(':assumed-role/') ?? false;
      const seconds = sessionDuration(role, input.DurationSeconds, chained);
      const issued = issueForRole(role, input.RoleSessionName, seconds, ctx);
      return {
        Credentials: credentialsWire(issued),
        AssumedRoleUser: { AssumedRoleId: issued.userId, Arn: issued.arn },
        PackedPolicySize: packedPolicySize(input),
        SourceIdentity: input.SourceIdentity,
      };
    },

    GetSessionToken(input: Sts.GetSessionTokenRequest, ctx: RequestContext): Sts.GetSessionTokenResponse {
      const caller = sessions.caller(ctx);
      if (caller.session) throw new AwsError('AccessDenied', 'Cannot call GetSessionToken with session credentials', { status: 403 });
      const seconds = Math.min(input.DurationSeconds ?? SESSION_TOKEN_DEFAULT_SECONDS, ROOT_SESSION_MAX_SECONDS);
      const issued = sessions.issue(caller, seconds, ctx.receivedAt);
      return { Credentials: credentialsWire(issued) };
    },

    async AssumeRoleWithWebIdentity(input: Sts.AssumeRoleWithWebIdentityRequest, ctx: RequestContext): Promise<Sts.AssumeRoleWithWebIdentityResponse> {
      checkSessionName(input.RoleSessionName);
      checkSessionPolicy(input.Policy);
      const issuer = webIdentity();
      const claims = await verifyWebIdentityToken(input.WebIdentityToken, issuer, ctx.receivedAt);
      const role = roleOfArn(iam, input.RoleArn);
      const provider = role && issuer ? trustedProvider(federatedPrincipals(role.trustPolicy), issuer, role.accountId) : undefined;
      if (!role || !provider) throw new AwsError('AccessDenied', 'Not authorized to perform sts:AssumeRoleWithWebIdentity', { status: 403 });
      // A registered provider (CreateOpenIDConnectProvider) with client ids limits the audiences, as on AWS.
      const registered = iam.oidcProviders.get(providerKey(role.accountId, provider.replace(/^arn:aws:iam::\d{12}:oidc-provider\//, '').replace(/^https?:\/\//, '')));
      const audiences = audiencesOf(claims);
      if (registered?.clientIds.length && !audiences.some((a) => registered.clientIds.includes(a))) {
        throw new AwsError('InvalidIdentityToken', 'Incorrect token audience');
      }
      const seconds = sessionDuration(role, input.DurationSeconds, false);
      const issued = issueForRole(role, input.RoleSessionName, seconds, ctx);
      return {
        Credentials: credentialsWire(issued),
        SubjectFromWebIdentityToken: claims.sub,
        AssumedRoleUser: { AssumedRoleId: issued.userId, Arn: issued.arn },
        Provider: providerName(claims.iss),
        Audience: audiences[0],
      };
    },
  } satisfies Partial<Sts.StsOperations>;
}
