// IAM and STS storage. IAM is global: one namespace per account, no region. Named entities are keyed
// `<account>/<lower-case name>` (docs/architecture.md §4: a global product keys by the account alone)
// because IAM names are unique without regard to case ("MyRole" and "myrole" are one role); names
// cannot hold '/', and Store.regionsInUse takes no account id for a region. Keys IAM and STS issue are
// looked up by their id alone, under `keys/<access key id>`. Inline policies and attachments live in
// their role's document; a managed policy keeps its versions (at most 5) in its own document.
import { docTableSql, type DocTable, type Migration, type Store } from '../store/store.js';

export interface Tags {
  [key: string]: string;
}

export interface RoleRecord {
  accountId: string;
  name: string;
  path: string;
  id: string;
  createdAt: number;
  trustPolicy: string;
  description?: string;
  maxSessionDuration: number;
  permissionsBoundary?: string;
  /** Tag order as written (IAM returns tags in the order they were added). */
  tags: Array<{ Key: string; Value: string }>;
  /** Inline policies by name, documents as written. */
  inlinePolicies: Record<string, string>;
  /** ARNs of attached managed policies, in attach order. */
  attachedPolicies: string[];
  lastUsed?: { at: number; region: string };
}

export interface PolicyVersionRecord {
  versionId: string; // v1, v2 …
  document: string;
  createdAt: number;
}

export interface ManagedPolicyRecord {
  accountId: string;
  name: string;
  path: string;
  id: string;
  arn: string;
  description?: string;
  createdAt: number;
  updatedAt: number;
  defaultVersionId: string;
  /** The number the next version gets (IAM never reuses a version id). */
  nextVersion: number;
  versions: PolicyVersionRecord[];
  tags: Array<{ Key: string; Value: string }>;
}

export interface InstanceProfileRecord {
  accountId: string;
  name: string;
  path: string;
  id: string;
  createdAt: number;
  /** Role names (an instance profile holds at most one). */
  roles: string[];
  tags: Array<{ Key: string; Value: string }>;
}

export interface UserRecord {
  accountId: string;
  name: string;
  path: string;
  id: string;
  createdAt: number;
  permissionsBoundary?: string;
  tags: Array<{ Key: string; Value: string }>;
}

/** An OpenID Connect identity provider, keyed `<account>/<url without scheme, URI-encoded>`. */
export interface OidcProviderRecord {
  accountId: string;
  /** The URL without its scheme, as IAM keeps it (`token.actions.githubusercontent.com`). */
  url: string;
  clientIds: string[];
  thumbprints: string[];
  createdAt: number;
  tags: Array<{ Key: string; Value: string }>;
}

/** A long-term access key of a user (AKIA…), by access key id; `userName` undefined for the account's root. */
export interface AccessKeyRecord {
  accessKeyId: string;
  secretAccessKey: string;
  accountId: string;
  userName?: string;
  status: 'Active' | 'Inactive';
  createdAt: number;
}

/** Keys STS issued (AssumeRole, GetSessionToken, AssumeRoleWithWebIdentity), by access key id. */
export interface SessionRecord {
  accessKeyId: string;
  secretAccessKey: string;
  sessionToken: string;
  accountId: string;
  expiresAt: number;
  /** What GetCallerIdentity answers for this key. */
  arn: string;
  userId: string;
}

export const IAM_TABLES = ['iam_roles', 'iam_policies', 'iam_instance_profiles', 'iam_users', 'iam_access_keys', 'iam_oidc_providers', 'sts_sessions'] as const;

export const iamMigrations: Migration[] = [{ id: 'iam/001-tables', up: IAM_TABLES.map(docTableSql).join('\n') }];

/** The key of a named IAM entity in an account: names are unique without regard to case. */
export const iamKey = (accountId: string, name: string): string => `${accountId}/${name.toLowerCase()}`;
/** The prefix of every key of an account. */
export const accountPrefix = (accountId: string): string => `${accountId}/`;
/** The key of an access key (a user's AKIA… or an STS session's ASIA…): found by its id alone. */
export const accessKeyKey = (accessKeyId: string): string => `keys/${accessKeyId}`;

export class IamStore {
  readonly roles: DocTable<RoleRecord>;
  readonly policies: DocTable<ManagedPolicyRecord>;
  readonly instanceProfiles: DocTable<InstanceProfileRecord>;
  readonly users: DocTable<UserRecord>;
  readonly accessKeys: DocTable<AccessKeyRecord>;
  readonly oidcProviders: DocTable<OidcProviderRecord>;
  readonly sessions: DocTable<SessionRecord>;

  constructor(readonly store: Store) {
    this.roles = store.table('iam_roles');
    this.policies = store.table('iam_policies');
    this.instanceProfiles = store.table('iam_instance_profiles');
    this.users = store.table('iam_users');
    this.accessKeys = store.table('iam_access_keys');
    this.oidcProviders = store.table('iam_oidc_providers');
    this.sessions = store.table('sts_sessions');
  }
}
