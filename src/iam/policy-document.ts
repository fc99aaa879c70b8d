// IAM policy documents: parsed and checked the way IAM checks them before storing, with its
// MalformedPolicyDocument messages (docs/iam.md §3). Wayfinder stores policies and
// returns them; it never evaluates them (the README says so).
//
// Two grammars share the checks: identity policies (inline and managed: Action + Resource, no
// Principal) and trust policies (a role's AssumeRolePolicyDocument: Principal required, no Resource).
import { AwsError } from '../kernel/errors.js';

export type PolicyKind = 'identity' | 'trust';

const VERSIONS = new Set(['2008-10-17', '2012-10-17']);
const TOP_LEVEL = new Set(['Version', 'Id', 'Statement']);
const STATEMENT_FIELDS = new Set(['Sid', 'Effect', 'Action', 'NotAction', 'Resource', 'NotResource', 'Principal', 'NotPrincipal', 'Condition']);
const PRINCIPAL_TYPES = new Set(['AWS', 'Service', 'Federated', 'CanonicalUser']);
/** `service:Action` with wildcards, or the lone `*`. */
const ACTION = /^(\*|[A-Za-z0-9-]+:[A-Za-z0-9*?]*)$/;

/**
 * Quotas on a document's size, in characters, not counting white space, as IAM counts them
 * (IAM and AWS STS quotas: "role trust policy length" 2,048 by default, "managed policy length"
 * 6,144, "role policy size" 10,240 for all inline policies of a role together).
 */
export const TRUST_POLICY_MAX = 2048;
export const MANAGED_POLICY_MAX = 6144;
export const INLINE_ROLE_POLICIES_MAX = 10240;

/** The statements of a document, each as written (a single object is a list of one). */
export interface ParsedPolicy {
  version?: string;
  statements: Array<Record<string, unknown>>;
}

function malformed(message: string): AwsError {
  return new AwsError('MalformedPolicyDocument', message);
}

/** The size IAM counts against its quotas: characters that are not white space. */
export function policySize(document: string): number {
  return document.replace(/\s+/g, '').length;
}

/** Parses and validates; throws MalformedPolicyDocument with IAM's message for the first problem. */
export function validatePolicyDocument(document: string, kind: PolicyKind): ParsedPolicy {
  let parsed: unknown;
  try {
    parsed = JSON.parse(document);
  } catch {
    throw malformed(kind === 'trust' ? 'This policy contains invalid Json' : 'Syntax errors in policy.');
  }
  if (!isObject(parsed)) throw malformed('Syntax errors in policy.');
  for (const key of Object.keys(parsed)) if (!TOP_LEVEL.has(key)) throw malformed('Syntax errors in policy.');
  const version = parsed.Version;
  if (version !== undefined && (typeof version !== 'string' || !VERSIONS.has(version))) throw malformed('The policy failed legacy parsing');
  if (parsed.Id !== undefined && typeof parsed.Id !== 'string') throw malformed('Syntax errors in policy.');
  const raw = parsed.Statement;
  if (raw === undefined) throw malformed('Syntax errors in policy.');
  const statements = Array.isArray(raw) ? raw : [raw];
  if (!statements.length) throw malformed('Syntax errors in policy.');
  const sids = new Set<string>();
  for (const s of statements) {
    if (!isObject(s)) throw malformed('Syntax errors in policy.');
    checkStatement(s, kind);
    if (typeof s.Sid === 'string' && s.Sid !== '') {
      if (sids.has(s.Sid)) throw malformed('Statement IDs (SID) in a single policy must be unique');
      sids.add(s.Sid);
    }
  }
  return { version: version as string | undefined, statements: statements as Array<Record<string, unknown>> };
}

function checkStatement(s: Record<string, unknown>, kind: PolicyKind): void {
  for (const key of Object.keys(s)) if (!STATEMENT_FIELDS.has(key)) throw malformed(`Syntax errors in policy.`);
  if (s.Sid !== undefined) {
    if (typeof s.Sid !== 'string') throw malformed('Syntax errors in policy.');
    // Identity policies allow only letters and digits in a Sid; trust policies accept any string.
    if (kind === 'identity' && !/^[0-9A-Za-z]*$/.test(s.Sid)) {
      throw malformed('Statement IDs (SID) must be alpha-numeric. Check that your input satisfies the regular expression [0-9A-Za-z]*');
    }
  }
  if (s.Effect === undefined) throw malformed('Missing required field Effect');
  if (s.Effect !== 'Allow' && s.Effect !== 'Deny') throw malformed(`Invalid effect: ${typeof s.Effect === 'string' ? s.Effect : JSON.stringify(s.Effect)}`);

  if (s.Action !== undefined && s.NotAction !== undefined) throw malformed('Syntax errors in policy.');
  const actions = s.Action ?? s.NotAction;
  if (actions === undefined) throw malformed('Policy statement must contain actions.');
  for (const a of stringList(actions)) {
    if (!ACTION.test(a)) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
  }

  if (s.Resource !== undefined && s.NotResource !== undefined) throw malformed('Syntax errors in policy.');
  const resources = s.Resource ?? s.NotResource;
  if (s.Principal !== undefined && s.NotPrincipal !== undefined) throw malformed('Syntax errors in policy.');
  const principal = s.Principal ?? s.NotPrincipal;
  if (kind === 'trust') {
    if (s.Resource !== undefined) throw malformed('Has prohibited field Resource');
    if (s.NotResource !== undefined) throw malformed('Has prohibited field NotResource');
    if (principal === undefined) throw malformed('Missing required field Principal');
    checkPrincipal(principal);
  } else {
    if (principal !== undefined) throw malformed('Policy document should not specify a principal.');
    if (resources === undefined) throw malformed('Policy statement must contain resources.');
    for (const r of stringList(resources)) {
      if (r !== '*' && !r.startsWith('arn:')) throw malformed(`Resource ${r} must be in ARN format or "*".`);
    }
  }
  if (s.Condition !== undefined) checkCondition(s.Condition);
}

function checkPrincipal(principal: unknown): void {
  if (principal === '*') return;
  if (!isObject(principal) || !Object.keys(principal).length) throw malformed('Syntax errors in policy.');
  for (const [type, value] of Object.entries(principal)) {
    if (!PRINCIPAL_TYPES.has(type)) throw malformed(`Invalid principal in policy: ${JSON.stringify(type)}`);
    for (const id of stringList(value)) {
      if (type === 'AWS' && !(id === '*' || /^\d{12}$/.test(id) || /^arn:aws[a-z-]*:(iam|sts)::(\d{12}|aws):.+/.test(id))) {
        throw malformed(`Invalid principal in policy: "AWS":"${id}"`);
      }
      if (type === 'Service' && !/^[a-z0-9.-]+\.amazonaws\.com(\.cn)?$|^\*$/.test(id)) throw malformed(`Invalid principal in policy: "SERVICE":"${id}"`);
      if (type === 'Federated' && !id) throw malformed(`Invalid principal in policy: "FEDERATED":"${id}"`);
    }
  }
}

/** `{ "<Operator>": { "<key>": value | [values] } }`, keys prefaced by a vendor (`aws:`, `sts:` …). */
function checkCondition(condition: unknown): void {
  if (!isObject(condition)) throw malformed('Syntax errors in policy.');
  for (const [operator, block] of Object.entries(condition)) {
    if (!/^[A-Za-z]+(:[A-Za-z]+)?$/.test(operator) || !isObject(block)) throw malformed('Syntax errors in policy.');
    for (const [key, value] of Object.entries(block)) {
      if (!key.includes(':')) throw malformed('Actions/Conditions must be prefaced by a vendor, e.g., iam, sdb, ec2, etc.');
      const values = Array.isArray(value) ? value : [value];
      for (const v of values) if (!['string', 'number', 'boolean'].includes(typeof v)) throw malformed('Syntax errors in policy.');
    }
  }
}

/** A string or a non-empty array of strings, as Action/Resource/principal ids are written. */
function stringList(value: unknown): string[] {
  const list = Array.isArray(value) ? value : [value];
  if (!list.length || list.some((v) => typeof v !== 'string')) throw malformed('Syntax errors in policy.');
  return list as string[];
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The principals a trust policy names for `Federated`, among its Allow statements with sts:AssumeRoleWithWebIdentity (or `*`). */
export function federatedPrincipals(document: string): string[] {
  const out: string[] = [];
  let parsed: ParsedPolicy;
  try {
    parsed = validatePolicyDocument(document, 'trust');
  } catch {
    return out;
  }
  for (const s of parsed.statements) {
    if (s.Effect !== 'Allow' || !isObject(s.Principal)) continue;
    const actions = s.Action === undefined ? [] : stringList(s.Action);
    if (!actions.some((a) => a === '*' || a === 'sts:*' || a.toLowerCase() === 'sts:assumerolewithwebidentity')) continue;
    const fed = s.Principal.Federated;
    if (fed !== undefined) out.push(...stringList(fed));
  }
  return out;
}
