// Parameter values: the caller's, else the previous stack's (UsePreviousValue), else Default; each
// checked against its declaration with CloudFormation's messages, and the AWS::EC2::*::Id types
// against the resources that really exist (asked of EC2 through its own operations).
import { AwsError } from '../kernel/errors.js';
import { matchPatterns, type PatternCheck } from './off-loop.js';
import type { ParameterDecl, Template } from './template.js';

export interface SuppliedParameter {
  ParameterKey?: string;
  ParameterValue?: string;
  UsePreviousValue?: boolean;
}

/** A resolved parameter as the stack stores it (the value is a string; lists are comma-joined). */
export interface StackParameter {
  key: string;
  value: string;
  noEcho: boolean;
  type: string;
}

const invalid = (message: string) => new AwsError('ValidationError', message);

/**
 * Resolves and checks every declared parameter (not the EC2 existence checks: see checkExistence).
 * AllowedPattern matches run last, together, off the main thread (off-loop.ts).
 */
export async function resolveParameters(t: Template, supplied: SuppliedParameter[] = [], previous: StackParameter[] = []): Promise<StackParameter[]> {
  const given = new Map<string, SuppliedParameter>();
  for (const p of supplied) if (p.ParameterKey !== undefined) given.set(p.ParameterKey, p);
  const extra = [...given.keys()].filter((k) => !Object.hasOwn(t.Parameters, k));
  if (extra.length) throw invalid(`Parameters: [${extra.join(', ')}] do not exist in the template`);
  const missing: string[] = [];
  const out: StackParameter[] = [];
  const patterns: Array<PatternCheck & { failure: string }> = [];
  for (const [key, decl] of Object.entries(t.Parameters)) {
    const g = given.get(key);
    let value: string | undefined;
    if (g?.UsePreviousValue) {
      value = previous.find((p) => p.key === key)?.value;
      if (value === undefined) throw invalid(`Unable to use previous value for parameter ${key}: the stack has no such parameter.`);
    } else if (g?.ParameterValue !== undefined) value = g.ParameterValue;
    else if (decl.Default !== undefined) value = Array.isArray(decl.Default) ? decl.Default.join(',') : String(decl.Default);
    if (value === undefined) {
      missing.push(key);
      continue;
    }
    patterns.push(...checkValue(key, decl, value));
    out.push({ key, value, noEcho: decl.NoEcho === true || decl.NoEcho === 'true', type: decl.Type });
  }
  if (missing.length) throw invalid(`Parameters: [${missing.join(', ')}] must have values`);
  const matched = await matchPatterns(patterns);
  const failed = patterns.find((_, i) => !matched[i]);
  if (failed) throw invalid(failed.failure);
  return out;
}

function isList(type: string): boolean {
  return type.startsWith('List<') || type === 'CommaDelimitedList';
}

/** The value intrinsics see: a list for list types, else the string. */
export function parameterValue(p: StackParameter): string | string[] {
  return isList(p.type) ? (p.value === '' ? [] : p.value.split(',').map((s) => s.trim())) : p.value;
}

/** Checks a value against its declaration, but for AllowedPattern: those checks are returned, with the error each answers. */
function checkValue(key: string, decl: ParameterDecl, value: string): Array<PatternCheck & { failure: string }> {
  const items = isList(decl.Type) ? (value === '' ? [] : value.split(',').map((s) => s.trim())) : [value];
  const failure = (message: string) => (decl.ConstraintDescription ? `Parameter '${key}' failed to satisfy constraint: ${decl.ConstraintDescription}` : message);
  const fail = (message: string) => {
    throw invalid(failure(message));
  };
  const patterns: Array<PatternCheck & { failure: string }> = [];
  for (const item of items) {
    if ((decl.Type === 'Number' || decl.Type === 'List<Number>') && (item.trim() === '' || !Number.isFinite(Number(item)))) {
      throw invalid(`Parameter '${key}' must be a number.`);
    }
    if (decl.AllowedValues && !decl.AllowedValues.map(String).includes(item)) fail(`Parameter '${key}' must be one of AllowedValues`);
    if (decl.AllowedPattern !== undefined) {
      patterns.push({ key, pattern: String(decl.AllowedPattern), value: item, failure: failure(`Parameter '${key}' must match pattern ${decl.AllowedPattern}`) });
    }
    if (decl.MinLength !== undefined && item.length < Number(decl.MinLength)) fail(`Parameter '${key}' must contain at least ${decl.MinLength} characters`);
    if (decl.MaxLength !== undefined && item.length > Number(decl.MaxLength)) fail(`Parameter '${key}' must contain at most ${decl.MaxLength} characters`);
    if (decl.MinValue !== undefined && Number(item) < Number(decl.MinValue)) fail(`Parameter '${key}' must be a number not less than ${decl.MinValue}`);
    if (decl.MaxValue !== undefined && Number(item) > Number(decl.MaxValue)) fail(`Parameter '${key}' must be a number not greater than ${decl.MaxValue}`);
  }
  return patterns;
}

/** EC2 id types and the Describe call that proves an id exists. */
const EC2_TYPES: Record<string, { operation: string; idsMember: string; listMember: string; idField: string }> = {
  'AWS::EC2::VPC::Id': { operation: 'DescribeVpcs', idsMember: 'VpcIds', listMember: 'Vpcs', idField: 'VpcId' },
  'AWS::EC2::Subnet::Id': { operation: 'DescribeSubnets', idsMember: 'SubnetIds', listMember: 'Subnets', idField: 'SubnetId' },
  'AWS::EC2::SecurityGroup::Id': { operation: 'DescribeSecurityGroups', idsMember: 'GroupIds', listMember: 'SecurityGroups', idField: 'GroupId' },
  'AWS::EC2::AvailabilityZone::Name': { operation: 'DescribeAvailabilityZones', idsMember: 'ZoneNames', listMember: 'AvailabilityZones', idField: 'ZoneName' },
};

/** Checks that AWS::EC2::*::Id values (and List<…> of them) name real resources. */
export async function checkExistence(params: StackParameter[], describe: (operation: string, input: Record<string, unknown>) => Promise<Record<string, unknown>>): Promise<void> {
  for (const p of params) {
    const type = p.type.startsWith('List<') ? p.type.slice(5, -1) : p.type;
    const spec = EC2_TYPES[type];
    if (!spec) continue;
    const ids = parameterValue(p);
    for (const id of Array.isArray(ids) ? ids : [ids]) {
      let found = false;
      try {
        const out = await describe(spec.operation, { [spec.idsMember]: [id] });
        found = ((out[spec.listMember] as Array<Record<string, unknown>> | undefined) ?? []).some((x) => x[spec.idField] === id);
      } catch (e) {
        if (!(e instanceof AwsError)) throw e;
      }
      if (!found) throw invalid(`Parameter validation failed: parameter value ${id} for parameter name ${p.key} does not exist. Rectify the input and try again.`);
    }
  }
}
