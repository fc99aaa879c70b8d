// Everything CloudFormation checks before it accepts a template for a stack (CreateStack,
// UpdateStack, CreateChangeSet, ValidateTemplate): the template's structure, its resource types,
// parameters, references and cycles, and the capabilities its IAM resources need. Errors are
// AWS's ValidationError / InsufficientCapabilitiesException, answered to the call itself.
import { readFile } from 'node:fs/promises';
import { AwsError } from '../kernel/errors.js';
import type { OperationCaller } from '../protocol/invoke.js';
import { stackContext } from './context.js';
import { dependencies } from './graph.js';
import { checkExistence, resolveParameters, type StackParameter, type SuppliedParameter } from './parameters.js';
import type { ResourceProvider } from './providers/provider.js';
import type { CfnStore, StackRecord } from './store.js';
import { parseTemplate, templateError, type Template } from './template.js';

export interface Prepared {
  template: Template;
  body: string;
  parameters: StackParameter[];
}

/** The template text of a request: TemplateBody, or TemplateURL naming a local file or a loopback URL. */
export async function templateText(input: { TemplateBody?: string; TemplateURL?: string }): Promise<string> {
  if (input.TemplateBody !== undefined) return input.TemplateBody;
  const url = input.TemplateURL;
  if (url === undefined) throw new AwsError('ValidationError', 'Either Template URL or Template Body must be specified.');
  try {
    if (url.startsWith('file://')) return await readFile(new URL(url), 'utf8');
    if (url.startsWith('/')) return await readFile(url, 'utf8');
    const u = new URL(url);
    if (u.protocol.startsWith('http') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
      const res = await fetch(u, { signal: AbortSignal.timeout(10_000) });
      if (res.ok) return await res.text();
    }
  } catch {
    // fall through to AWS's answer
  }
  throw new AwsError('ValidationError', `TemplateURL must be a supported URL.`);
}

/** The capabilities the template's resources need, with the types that need them. */
export function requiredCapabilities(t: Template, providers: Map<string, ResourceProvider>): { capabilities: string[]; types: string[] } {
  const caps = new Set<string>();
  const types = new Set<string>();
  for (const r of Object.values(t.Resources)) {
    const c = providers.get(r.Type)?.capability?.(r.Properties ?? {});
    if (c) {
      caps.add(c);
      types.add(r.Type);
    }
  }
  if (caps.has('CAPABILITY_NAMED_IAM')) caps.delete('CAPABILITY_IAM');
  return { capabilities: [...caps], types: [...types] };
}

/** Parses and checks a template on its own (no parameter values): ValidateTemplate, GetTemplateSummary. */
export function checkTemplate(body: string, providers: Map<string, ResourceProvider>): Template {
  return asTemplateError(() => checkStructure(body, providers));
}

/**
 * A template's data can be any JSON; a shape the checks did not foresee (a number where a list goes)
 * is the template's error, answered as AWS does, never a 500.
 */
function asTemplateError<T>(fn: () => T): T {
  try {
    return fn();
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw templateError(e instanceof Error ? e.message : String(e));
  }
}

function checkStructure(body: string, providers: Map<string, ResourceProvider>): Template {
  const t = parseTemplate(body);
  const unknown = [...new Set(Object.values(t.Resources).map((r) => r.Type))].filter((type) => !providers.has(type));
  if (unknown.length) throw templateError(`Unrecognized resource types: [${unknown.join(', ')}]`);
  dependencies(t);
  return t;
}

export async function prepare(
  args: {
    body: string;
    supplied?: SuppliedParameter[];
    previous?: StackParameter[];
    capabilities?: string[];
    stack: Pick<StackRecord, 'stackId' | 'name' | 'region' | 'accountId' | 'notificationARNs'>;
  },
  deps: { cfn: CfnStore; call: OperationCaller; providers: Map<string, ResourceProvider> },
): Promise<Prepared> {
  const t = checkTemplate(args.body, deps.providers);
  const parameters = asTemplateError(() => resolveParameters(t, args.supplied, args.previous));
  const { capabilities } = requiredCapabilities(t, deps.providers);
  const granted = new Set(args.capabilities ?? []);
  const missing = capabilities.filter((c) => !granted.has(c) && !(c === 'CAPABILITY_IAM' && granted.has('CAPABILITY_NAMED_IAM')));
  if (missing.length) throw new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${missing.join(', ')}]`);
  await checkExistence(parameters, (operation, input) => deps.call('ec2', operation, input, args.stack));
  // Conditions evaluate now (their errors are the caller's), and so does the graph under them.
  const probe = { ...args.stack, parameters, resources: {}, outputs: [], imports: [] } as unknown as StackRecord;
  asTemplateError(() => dependencies(t, stackContext(probe, t, { cfn: deps.cfn, providers: deps.providers, azs: [] }).included));
  return { template: t, body: args.body, parameters };
}
