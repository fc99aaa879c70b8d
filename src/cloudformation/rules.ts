// The template's Rules section: each rule's RuleCondition (when absent, true) decides whether its
// Assertions are checked against the parameter values, before anything is created or updated. A false
// Assert refuses the operation with a ValidationError whose message is its AssertDescription. The
// rule-specific functions: Fn::Contains, Fn::EachMemberEquals, Fn::EachMemberIn, Fn::RefAll,
// Fn::ValueOf, Fn::ValueOfAll, with Fn::And/Or/Not/Equals/If and Ref. RefAll and the ValueOf family
// read the account's EC2 resources (an Inventory, fetched once through EC2's own operations).
import { AwsError } from '../kernel/errors.js';
import { templateErr } from './intrinsics.js';
import { parameterValue, type StackParameter } from './parameters.js';
import { templateError } from './template.js';
import { own } from './own.js';

type Obj = Record<string, unknown>;

/** The EC2 resources RefAll and ValueOf look at, by parameter type. */
export interface Inventory {
  /** e.g. 'AWS::EC2::VPC::Id' → [{ id, attributes }] */
  byType: Record<string, Array<{ id: string; attributes: Record<string, string> }>>;
}

export interface RuleEnv {
  parameters: StackParameter[];
  /** Pseudo parameters (AWS::Region …). */
  pseudo: Record<string, string | string[]>;
  conditions: Record<string, boolean>;
  inventory: Inventory;
}

const RULE_FUNCTIONS = [
  'Fn::And',
  'Fn::Contains',
  'Fn::EachMemberEquals',
  'Fn::EachMemberIn',
  'Fn::Equals',
  'Fn::If',
  'Fn::Not',
  'Fn::Or',
  'Fn::RefAll',
  'Fn::ValueOf',
  'Fn::ValueOfAll',
  'Ref',
];

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const text = (v: unknown) => (typeof v === 'number' || typeof v === 'boolean' ? String(v) : v);

function args(fn: string, arg: unknown, count: number): unknown[] {
  if (!Array.isArray(arg) || arg.length !== count)
    throw templateErr(`${fn} requires a list argument with ${count === 2 ? 'two' : count === 3 ? 'three' : 'one'} element${count === 1 ? '' : 's'}`);
  return arg;
}

function list(v: unknown, fn: string): string[] {
  if (!Array.isArray(v)) throw templateErr(`${fn}: expected a list of strings`);
  return v.map((x) => String(text(x)));
}

const bool = (v: unknown, fn: string): boolean => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === 'false') return v === 'true';
  throw templateErr(`${fn}: every rule function must evaluate to true or false`);
};

/** An attribute of one EC2 resource a parameter names (`VpcId`, `AvailabilityZone`, `Tags.<key>` …). */
function attributeOf(env: RuleEnv, type: string, id: string, attribute: string): string | undefined {
  const resource = own(env.inventory.byType, type)?.find((r) => r.id === id);
  return own(resource?.attributes, attribute);
}

/** The value of a rule expression (booleans for the condition functions, strings and lists otherwise). */
export function ruleValue(expr: unknown, env: RuleEnv): unknown {
  if (Array.isArray(expr)) return expr.map((x) => ruleValue(x, env));
  if (!isObj(expr)) return text(expr);
  const entries = Object.entries(expr);
  if (entries.length !== 1) throw templateErr('Every Rules function is an object with one key');
  const [fn, arg] = entries[0]!;
  if (!RULE_FUNCTIONS.includes(fn)) throw templateErr(`Unsupported function in Rules: ${fn}. Supported functions are: [${RULE_FUNCTIONS.join(', ')}]`);
  switch (fn) {
    case 'Ref': {
      const p = env.parameters.find((x) => x.key === arg);
      if (p) return parameterValue(p);
      if (typeof arg === 'string' && Object.hasOwn(env.pseudo, arg)) return env.pseudo[arg];
      throw templateErr(`Unresolved dependencies [${String(arg)}]. Cannot reference resources in the Rules block of the template`);
    }
    case 'Fn::Equals': {
      const [a, b] = args(fn, arg, 2).map((x) => ruleValue(x, env));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    case 'Fn::And':
    case 'Fn::Or': {
      if (!Array.isArray(arg) || arg.length < 2 || arg.length > 10) throw templateErr(`${fn} requires a list argument with between 2 and 10 elements`);
      const vs = arg.map((x) => bool(ruleValue(x, env), fn));
      return fn === 'Fn::And' ? vs.every(Boolean) : vs.some(Boolean);
    }
    case 'Fn::Not':
      return !bool(ruleValue(args(fn, arg, 1)[0], env), fn);
    case 'Fn::If': {
      const [name, yes, no] = args(fn, arg, 3);
      if (typeof name !== 'string' || !Object.hasOwn(env.conditions, name)) throw templateErr(`unresolved condition dependency ${String(name)} in Fn::If`);
      return ruleValue(env.conditions[name] ? yes : no, env);
    }
    case 'Fn::Contains': {
      const [values, value] = args(fn, arg, 2).map((x) => ruleValue(x, env));
      return list(values, fn).includes(String(value));
    }
    case 'Fn::EachMemberEquals': {
      const [values, value] = args(fn, arg, 2).map((x) => ruleValue(x, env));
      return list(values, fn).every((v) => v === String(value));
    }
    case 'Fn::EachMemberIn': {
      const [check, allowed] = args(fn, arg, 2).map((x) => ruleValue(x, env));
      const within = new Set(list(allowed, fn));
      return list(check, fn).every((v) => within.has(v));
    }
    case 'Fn::RefAll': {
      const type = String(ruleValue(arg, env));
      return (own(env.inventory.byType, type) ?? []).map((r) => r.id);
    }
    case 'Fn::ValueOf': {
      const [name, attribute] = args(fn, arg, 2).map((x) => ruleValue(x, env));
      const p = env.parameters.find((x) => x.key === name);
      if (!p) throw templateErr(`Fn::ValueOf: ${String(name)} is not a parameter of the template`);
      const type = p.type.replace(/^List<(.+)>$/, '$1');
      const v = parameterValue(p);
      const values = (Array.isArray(v) ? v : [v]).map((id) => attributeOf(env, type, id, String(attribute)) ?? '');
      return Array.isArray(v) ? values : values[0];
    }
    case 'Fn::ValueOfAll': {
      // The attribute of every value given to a parameter of that type (list parameters included).
      const [type, attribute] = args(fn, arg, 2).map((x) => String(ruleValue(x, env))) as [string, string];
      const out: string[] = [];
      for (const p of env.parameters) {
        if (p.type !== type && p.type !== `List<${type}>`) continue;
        const v = parameterValue(p);
        for (const id of Array.isArray(v) ? v : [v]) out.push(attributeOf(env, type, id, attribute) ?? '');
      }
      return out;
    }
  }
  return undefined;
}

/** The Rules section's shape (ValidateTemplate has no values to evaluate with). */
export function checkRuleShapes(rules: Record<string, unknown> | undefined): void {
  for (const [name, rule] of Object.entries(rules ?? {})) {
    if (!isObj(rule)) throw templateError(`Rule ${name} must be an object`);
    if (!Array.isArray(rule.Assertions) || rule.Assertions.length === 0) throw templateError(`Rule ${name} must contain an Assertions list`);
    for (const a of rule.Assertions) if (!isObj(a) || a.Assert === undefined) throw templateError(`Every assertion of rule ${name} must contain an Assert`);
    const extra = Object.keys(rule).filter((k) => k !== 'RuleCondition' && k !== 'Assertions');
    if (extra.length) throw templateError(`Invalid rule ${name}: unsupported properties [${extra.join(', ')}]`);
  }
}

/** Checks every rule; the first false assertion refuses the operation with its AssertDescription. */
export function checkRules(rules: Record<string, unknown> | undefined, env: RuleEnv): void {
  checkRuleShapes(rules);
  for (const [name, rule] of Object.entries(rules ?? {})) {
    const r = rule as { RuleCondition?: unknown; Assertions: Array<{ Assert: unknown; AssertDescription?: unknown }> };
    if (r.RuleCondition !== undefined && !bool(ruleValue(r.RuleCondition, env), 'RuleCondition')) continue;
    for (const a of r.Assertions) {
      if (bool(ruleValue(a.Assert, env), 'Assert')) continue;
      throw new AwsError('ValidationError', typeof a.AssertDescription === 'string' ? a.AssertDescription : `Template error: rule ${name} failed an assertion`);
    }
  }
}

/** Whether the rules read EC2 resources (RefAll, ValueOf, ValueOfAll), so the inventory must be fetched. */
export function rulesNeedInventory(rules: Record<string, unknown> | undefined): boolean {
  return /"Fn::(RefAll|ValueOf|ValueOfAll)"/.test(JSON.stringify(rules ?? {}));
}

/** Reads the account's VPCs, subnets and security groups (their attributes ValueOf can name) through EC2's operations. */
export async function fetchInventory(call: (operation: string, input: Obj) => Promise<Obj>): Promise<Inventory> {
  const tagsOf = (o: Obj) => Object.fromEntries(((o.Tags as Obj[] | undefined) ?? []).map((t) => [`Tags.${String(t.Key)}`, String(t.Value)]));
  const vpcs = ((await call('DescribeVpcs', {})).Vpcs as Obj[] | undefined) ?? [];
  const subnets = ((await call('DescribeSubnets', {})).Subnets as Obj[] | undefined) ?? [];
  const groups = ((await call('DescribeSecurityGroups', {})).SecurityGroups as Obj[] | undefined) ?? [];
  const acls = ((await call('DescribeNetworkAcls', { Filters: [{ Name: 'default', Values: ['true'] }] })).NetworkAcls as Obj[] | undefined) ?? [];
  return {
    byType: {
      'AWS::EC2::VPC::Id': vpcs.map((v) => ({
        id: String(v.VpcId),
        attributes: {
          ...tagsOf(v),
          DefaultSecurityGroup: String(groups.find((g) => g.VpcId === v.VpcId && g.GroupName === 'default')?.GroupId ?? ''),
          DefaultNetworkAcl: String(acls.find((a) => a.VpcId === v.VpcId)?.NetworkAclId ?? ''),
        },
      })),
      'AWS::EC2::Subnet::Id': subnets.map((s) => ({ id: String(s.SubnetId), attributes: { ...tagsOf(s), VpcId: String(s.VpcId), AvailabilityZone: String(s.AvailabilityZone) } })),
      'AWS::EC2::SecurityGroup::Id': groups.map((g) => ({ id: String(g.GroupId), attributes: { ...tagsOf(g), VpcId: String(g.VpcId ?? '') } })),
    },
  };
}
