// Reading a template: JSON or YAML (with the short-form tags !Ref, !Sub, !GetAtt a.b …), then the
// structural checks CloudFormation makes before it creates anything, with its messages
// ("Template format error: …"). Evaluation lives in intrinsics.ts, ordering in graph.ts.
import { AwsError } from '../kernel/errors.js';
import { isValidPattern } from './allowed-pattern.js';
import { readYaml } from './yaml.js';

export interface ParameterDecl {
  Type: string;
  Default?: unknown;
  AllowedValues?: unknown[];
  AllowedPattern?: string;
  MinLength?: number | string;
  MaxLength?: number | string;
  MinValue?: number | string;
  MaxValue?: number | string;
  NoEcho?: boolean | string;
  Description?: string;
  ConstraintDescription?: string;
}

export interface ResourceDecl {
  Type: string;
  Properties?: Record<string, unknown>;
  DependsOn?: string | string[];
  Condition?: string;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
  Metadata?: unknown;
}

export interface OutputDecl {
  Value: unknown;
  Description?: string;
  Condition?: string;
  Export?: { Name: unknown };
}

export interface Template {
  AWSTemplateFormatVersion?: string;
  Description?: string;
  Metadata?: unknown;
  Transform?: unknown;
  Parameters: Record<string, ParameterDecl>;
  Mappings: Record<string, Record<string, Record<string, unknown>>>;
  Conditions: Record<string, unknown>;
  Rules?: Record<string, unknown>;
  Resources: Record<string, ResourceDecl>;
  Outputs: Record<string, OutputDecl>;
}

const TOP_LEVEL = new Set(['AWSTemplateFormatVersion', 'Description', 'Metadata', 'Parameters', 'Mappings', 'Conditions', 'Transform', 'Rules', 'Resources', 'Outputs', 'Hooks']);
const PARAMETER_TYPES =
  /^(String|Number|List<Number>|CommaDelimitedList|AWS::EC2::[A-Za-z]+::[A-Za-z]*(Name|Id)|AWS::SSM::Parameter::(Name|Value<.+>)|List<AWS::EC2::[A-Za-z]+::[A-Za-z]*(Name|Id)>)$/;

export const templateError = (message: string): AwsError => new AwsError('ValidationError', `Template format error: ${message}`);

/** Parses a template body (JSON when it starts with `{`, else YAML) into a checked Template. */
export function parseTemplate(body: string): Template {
  const doc = readDocument(body);
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) throw templateError('not a valid template');
  if (depthOf(doc, 0) > MAX_DEPTH) throw templateError(`The template is nested more than ${MAX_DEPTH} levels deep.`);
  const t = doc as Record<string, unknown>;
  const unknown = Object.keys(t).filter((k) => !TOP_LEVEL.has(k));
  if (unknown.length) throw templateError(`Invalid template property or properties [${unknown.join(', ')}]`);
  if (t.AWSTemplateFormatVersion !== undefined && String(t.AWSTemplateFormatVersion) !== '2010-09-09') {
    throw templateError(`"${String(t.AWSTemplateFormatVersion)}" is not a supported value for AWSTemplateFormatVersion.`);
  }
  if (t.Description !== undefined && typeof t.Description !== 'string') throw templateError('Every Description member must be a string.');
  for (const section of ['Parameters', 'Mappings', 'Conditions', 'Resources', 'Outputs'] as const) {
    const v = t[section];
    if (v !== undefined && (v === null || typeof v !== 'object' || Array.isArray(v))) throw templateError(`The ${section} section must be a JSON object.`);
  }
  const resources = (t.Resources ?? {}) as Record<string, unknown>;
  if (!Object.keys(resources).length) throw templateError('At least one Resources member must be defined.');
  const template: Template = {
    AWSTemplateFormatVersion: t.AWSTemplateFormatVersion as string | undefined,
    Description: t.Description as string | undefined,
    Metadata: t.Metadata,
    Transform: t.Transform,
    Parameters: (t.Parameters ?? {}) as Template['Parameters'],
    Mappings: (t.Mappings ?? {}) as Template['Mappings'],
    Conditions: (t.Conditions ?? {}) as Template['Conditions'],
    Rules: t.Rules as Template['Rules'],
    Resources: resources as Template['Resources'],
    Outputs: (t.Outputs ?? {}) as Template['Outputs'],
  };
  checkSections(template);
  return template;
}

/** Deeper than any real template; the evaluator and the graph walk recurse, so depth is bounded here. */
const MAX_DEPTH = 100;

function depthOf(v: unknown, depth: number): number {
  if (depth > MAX_DEPTH || !v || typeof v !== 'object') return depth;
  let max = depth;
  for (const child of Object.values(v)) max = Math.max(max, depthOf(child, depth + 1));
  return max;
}

/**
 * YAML documents parsed off the main thread (off-loop.ts), by body: parseTemplate is synchronous and
 * called again on a stack's stored body, so the large ones it finds here. The last few only.
 */
const parsedYaml = new Map<string, unknown>();
const PARSED_YAML_KEPT = 8;

export const isYamlParsed = (body: string): boolean => parsedYaml.has(body);

export function rememberYaml(body: string, doc: unknown): void {
  parsedYaml.delete(body);
  parsedYaml.set(body, doc);
  if (parsedYaml.size > PARSED_YAML_KEPT) parsedYaml.delete(parsedYaml.keys().next().value!);
}

function readDocument(body: string): unknown {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{')) {
    try {
      return JSON.parse(body);
    } catch (e) {
      const at = /position (\d+)/.exec((e as Error).message);
      const pos = at ? lineColumn(body, Number(at[1])) : undefined;
      throw templateError(`JSON not well-formed.${pos ? ` (line ${pos.line}, column ${pos.column})` : ''}`);
    }
  }
  const cached = parsedYaml.get(body);
  if (cached !== undefined) return structuredClone(cached);
  try {
    return readYaml(body);
  } catch (e) {
    throw templateError((e as Error).message);
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  const before = text.slice(0, offset).split('\n');
  return { line: before.length, column: before.at(-1)!.length + 1 };
}

/** AWS's quotas on a template's sections (docs/cloudformation.md "Limits"): more would also hold the event loop longer per call. */
const MAX_RESOURCES = 500;
const MAX_PARAMETERS = 200;
const MAX_OUTPUTS = 200;
const MAX_MAPPINGS = 200;

function checkCounts(t: Template): void {
  const resources = Object.keys(t.Resources).length;
  if (resources > MAX_RESOURCES) throw templateError(`Number of resources, ${resources}, is greater than maximum allowed, ${MAX_RESOURCES}`);
  for (const [what, section, max] of [
    ['Parameter', t.Parameters, MAX_PARAMETERS],
    ['Output', t.Outputs, MAX_OUTPUTS],
    ['Mapping', t.Mappings, MAX_MAPPINGS],
  ] as const) {
    const n = Object.keys(section).length;
    if (n > max) throw templateError(`${what} count ${n} is greater than max value of ${max}`);
  }
}

function checkSections(t: Template): void {
  checkCounts(t);
  for (const [name, p] of Object.entries(t.Parameters)) {
    // Alphanumeric (as AWS requires) also keeps `__proto__` out of the objects parameters are copied into.
    if (!/^[A-Za-z0-9]+$/.test(name)) throw templateError(`Parameter name ${name} is non alphanumeric.`);
    if (!p || typeof p !== 'object' || typeof p.Type !== 'string') throw templateError(`Every Parameters object must contain a Type member.`);
    if (!PARAMETER_TYPES.test(p.Type)) throw templateError(`Unrecognized parameter type: ${p.Type}`);
    if (p.AllowedValues !== undefined && !Array.isArray(p.AllowedValues)) throw templateError(`Every AllowedValues member of parameter ${name} must be a list.`);
    if (p.AllowedPattern !== undefined && (typeof p.AllowedPattern !== 'string' || !isValidPattern(p.AllowedPattern))) {
      throw templateError(`AllowedPattern of parameter ${name} is not a valid regular expression`);
    }
  }
  for (const [name, r] of Object.entries(t.Resources)) {
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw templateError(`[/Resources/${name}] resource definition is malformed`);
    if (typeof r.Type !== 'string') throw templateError(`[/Resources/${name}] Every Resources object must contain a Type member.`);
    if (r.Properties !== undefined && (r.Properties === null || typeof r.Properties !== 'object' || Array.isArray(r.Properties))) {
      throw templateError(`[/Resources/${name}/Properties] Every Properties member must be an object.`);
    }
    for (const policy of [r.DeletionPolicy, r.UpdateReplacePolicy]) {
      if (policy !== undefined && !['Delete', 'Retain', 'RetainExceptOnCreate', 'Snapshot'].includes(policy)) {
        throw templateError(`Unrecognized DeletionPolicy ${String(policy)} for resource ${name}`);
      }
    }
    if (r.Condition !== undefined && (typeof r.Condition !== 'string' || !Object.hasOwn(t.Conditions, r.Condition)))
      throw templateError(`Unresolved dependencies [${r.Condition}]. Cannot reference resources in the Conditions block of the template`);
    if (!/^[A-Za-z0-9]+$/.test(name)) throw templateError(`Resource name ${name} is non alphanumeric.`);
  }
  for (const [name, o] of Object.entries(t.Outputs)) {
    if (!o || typeof o !== 'object' || !Object.hasOwn(o, 'Value')) throw templateError(`Every Outputs member must contain a Value object, the Outputs member ${name} does not.`);
    if (o.Condition !== undefined && (typeof o.Condition !== 'string' || !Object.hasOwn(t.Conditions, o.Condition)))
      throw templateError(`Unresolved dependencies [${o.Condition}]. Cannot reference resources in the Conditions block of the template`);
  }
  for (const [name, m] of Object.entries(t.Mappings)) {
    if (!m || typeof m !== 'object') throw templateError(`Mappings attribute ${name} must be a JSON object`);
  }
}
