// The IAM and STS product: roles, policies (inline, customer managed with versions, AWS managed),
// instance profiles and a few user calls on `iam`; caller identity and temporary credentials on
// `sts`. IAM is global: records are kept per account, never per region. Policies are stored and
// returned, not enforced (docs/iam.md).
import { AwsError } from '../kernel/errors.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { iamOperationNames, type IamOperations } from '../protocol/generated/iam.js';
import { stsOperationNames, type StsOperations } from '../protocol/generated/sts.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import type { IamApi, WebIdentityIssuer } from './api.js';
import { accessKeyOperations } from './operations/access-keys.js';
import { instanceProfileOperations } from './operations/instance-profiles.js';
import { oidcProviderOperations } from './operations/oidc-providers.js';
import { serviceLinkedRoleOperations } from './operations/service-linked-roles.js';
import { policyOperations } from './operations/policies.js';
import { rolePolicyOperations } from './operations/role-policies.js';
import { roleArn, roleOperations } from './operations/roles.js';
import { roleOfArn, roleSessionIdentity, stsOperations } from './operations/sts.js';
import { userOperations } from './operations/users.js';
import { Sessions } from './sessions.js';
import { accessKeyKey, IamStore, iamKey, iamMigrations } from './store.js';

export type { IamApi, IssuedKey, RoleRef, SessionCredentials, UserAccessKey, WebIdentityIssuer } from './api.js';

const PURGE_INTERVAL_MS = 10 * 60 * 1000;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;

export type IamProductDeps = ProductDeps;

export function createIam({ store, logger }: IamProductDeps): Product<IamApi> {
  const iam = new IamStore(store);
  const sessions = new Sessions(iam);
  let issuer: WebIdentityIssuer | undefined;
  let sweeper: NodeJS.Timeout | undefined;

  const iamHandlers: HandlerTable<IamOperations> = {
    ...notImplementedAll(iamOperationNames),
    ...roleOperations(iam),
    ...rolePolicyOperations(iam),
    ...policyOperations(iam),
    ...instanceProfileOperations(iam),
    ...userOperations(iam, sessions),
    ...accessKeyOperations(iam, sessions),
    ...oidcProviderOperations(iam),
    ...serviceLinkedRoleOperations(iam),
  };
  const stsHandlers: HandlerTable<StsOperations> = {
    ...notImplementedAll(stsOperationNames),
    ...stsOperations(iam, sessions, () => issuer),
  };

  const api: IamApi = {
    role(accountId, arnOrName) {
      // ECS accepts a role's name as well as its ARN (taskRoleArn: "the short name or full ARN").
      const r = arnOrName.startsWith('arn:') ? roleOfArn(iam, arnOrName) : iam.roles.get(iamKey(accountId, arnOrName));
      if (!r || r.accountId !== accountId) return undefined;
      return { arn: roleArn(r), roleName: r.name, roleId: r.id, maxSessionDuration: r.maxSessionDuration };
    },
    assumeRole(accountId, arn, sessionName, durationSeconds) {
      const r = roleOfArn(iam, arn);
      if (!r || r.accountId !== accountId) {
        throw new AwsError('AccessDenied', `User: arn:aws:iam::${accountId}:root is not authorized to perform: sts:AssumeRole on resource: ${arn}`, { status: 403 });
      }
      // Callers such as ECS derive the name from ids; keep it within STS's pattern and length.
      const name = SESSION_NAME.test(sessionName)
        ? sessionName
        : sessionName
            .replace(/[^\w+=,.@-]/g, '-')
            .padEnd(2, '-')
            .slice(0, 64);
      const seconds = Math.min(durationSeconds ?? 3600, r.maxSessionDuration);
      const s = sessions.issue(roleSessionIdentity(r, name), seconds, Date.now());
      return { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, expiration: new Date(s.expiresAt) };
    },
    issuedKey(accessKeyId) {
      const s = sessions.get(accessKeyId);
      return s && { accessKeyId: s.accessKeyId, secretAccessKey: s.secretAccessKey, sessionToken: s.sessionToken, accountId: s.accountId, expiresAt: s.expiresAt };
    },
    accessKey(accessKeyId) {
      const k = accessKeyId.startsWith('AKIA') ? iam.accessKeys.get(accessKeyKey(accessKeyId)) : undefined;
      return k?.status === 'Active' ? { accessKeyId: k.accessKeyId, secretAccessKey: k.secretAccessKey, accountId: k.accountId } : undefined;
    },
    trustWebIdentityIssuer(webIssuer) {
      issuer = webIssuer;
    },
  };

  return {
    name: 'iam',
    services: [serviceHandlers('iam', iamHandlers), serviceHandlers('sts', stsHandlers)],
    api,
    start() {
      const purge = () => {
        try {
          sessions.purge(Date.now());
        } catch (e) {
          logger.error({ err: e }, 'purging expired STS keys failed');
        }
      };
      purge();
      sweeper = setInterval(purge, PURGE_INTERVAL_MS);
      sweeper.unref();
    },
    stop() {
      if (sweeper) clearInterval(sweeper);
    },
  };
}

export const iamProduct: ProductModule<IamProductDeps, IamApi> = { migrations: iamMigrations, create: createIam };
