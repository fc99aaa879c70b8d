// Everything CloudFormation checks before it accepts a template for a stack (CreateStack,
// UpdateStack, CreateChangeSet, ValidateTemplate): the template's structure, its resource types,
// parameters, references and cycles, and the capabilities its IAM resources need. Errors are
// AWS's ValidationError / InsufficientCapabilitiesException, answered to the call itself.
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { AwsError } from '../kernel/errors.js';
import type { OperationCaller } from '../protocol/invoke.js';
import { pseudoParameters, stackContext } from './context.js';
import { dependencies } from './graph.js';
import { templateErr } from './intrinsics.js';
import { parseLargeYaml } from './off-loop.js';
import { checkExistence, resolveParameters, type StackParameter, type SuppliedParameter } from './parameters.js';
import type { ResourceProvider } from './providers/provider.js';
import type { CfnStore, StackRecord } from './store.js';
import { checkRules, checkRuleShapes, fetchInventory, rulesNeedInventory } from './rules.js';
import { parseTemplate, templateError, type Template } from './template.js';

export interface Prepared {
  template: Template;
  body: string;
  parameters: StackParameter[];
}

/** AWS's quotas on a template's size (docs/cloudformation.md "Limits"): inline, and read from a URL. */
export const TEMPLATE_BODY_MAX = 51_200;
export const TEMPLATE_URL_MAX = 1_000_000;

/**
 * The template text of a request: TemplateBody, or TemplateURL naming a local regular file or a loopback
 * URL. Both sizes are AWS's quotas, and a URL's is enforced while the bytes arrive: a TemplateURL of
 * /dev/zero, a FIFO or an endless loopback stream is refused, never read into memory or waited on.
 * A large YAML text is parsed here, off the main thread (off-loop.ts), for the checks that follow.
 */
export async function templateText(input: { TemplateBody?: string; TemplateURL?: string }): Promise<string> {
  if (input.TemplateBody !== undefined) {
    if (Buffer.byteLength(input.TemplateBody) > TEMPLATE_BODY_MAX) {
      throw new AwsError(
        'ValidationError',
        `1 validation error detected: Value '${input.TemplateBody.slice(0, 64)}…' at 'templateBody' failed to satisfy constraint: Member must have length less than or equal to ${TEMPLATE_BODY_MAX}`,
      );
    }
    await parseLargeYaml(input.TemplateBody);
    return input.TemplateBody;
  }
  const url = input.TemplateURL;
  if (url === undefined) throw new AwsError('ValidationError', 'Either Template URL or Template Body must be specified.');
  let text: string | undefined;
  try {
    if (url.startsWith('file://')) text = await readLocalFile(new URL(url));
    else if (url.startsWith('/')) text = await readLocalFile(url);
    else text = await readLoopbackUrl(new URL(url));
  } catch (e) {
    if (e instanceof AwsError) throw e;
    // fall through to AWS's answer
  }
  if (text === undefined) throw new AwsError('ValidationError', `TemplateURL must be a supported URL.`);
  await parseLargeYaml(text);
  return text;
}

const isLoopbackHttp = (u: URL): boolean => (u.protocol === 'http:' || u.protocol === 'https:') && ['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname);
/** Redirects followed, each to a loopback URL again (fetch's own limit is 20). */
const MAX_REDIRECTS = 5;

/**
 * A loopback http(s) URL's body. Redirects are followed by hand, so that a loopback server cannot
 * send the request off loopback (fetch would follow a Location anywhere). 10 s in all.
 */
async function readLoopbackUrl(first: URL): Promise<string | undefined> {
  const signal = AbortSignal.timeout(10_000);
  let u = first;
  for (let hop = 0; hop <= MAX_REDIRECTS && isLoopbackHttp(u); hop++) {
    const res = await fetch(u, { signal, redirect: 'manual' });
    const location = res.headers.get('location');
    if (res.status >= 300 && res.status < 400 && location !== null) {
      await res.body?.cancel();
      u = new URL(location, u);
      continue;
    }
    if (res.ok && res.body) return await readLimited(res.body);
    await res.body?.cancel();
    return undefined;
  }
  return undefined;
}

const tooLarge = () => new AwsError('ValidationError', `Template may not exceed ${TEMPLATE_URL_MAX} bytes in size.`);

/** A regular file only: opening a FIFO blocks a thread of libuv's small pool, and a device (/dev/zero) never ends. */
async function readLocalFile(path: string | URL): Promise<string | undefined> {
  const info = await stat(path);
  if (!info.isFile()) return undefined;
  if (info.size > TEMPLATE_URL_MAX) throw tooLarge();
  return await readLimited(createReadStream(path, { end: TEMPLATE_URL_MAX }));
}

/** Reads a stream to text, refusing it as soon as it passes TEMPLATE_URL_MAX bytes. */
async function readLimited(body: AsyncIterable<Uint8Array>): Promise<string> {
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of body) {
    total += chunk.length;
    if (total > TEMPLATE_URL_MAX) throw tooLarge(); // leaving the loop closes the stream
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks).toString('utf8');
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

async function asTemplateErrorAsync<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    if (e instanceof AwsError) throw e;
    throw templateError(e instanceof Error ? e.message : String(e));
  }
}

/** Every Fn::If of the resources and outputs names a condition of the template (checked before anything is made, as AWS does). */
function checkIfConditions(t: Template): void {
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) return v.forEach(walk);
    if (!v || typeof v !== 'object') return;
    const ifArg = (v as Record<string, unknown>)['Fn::If'];
    if (Array.isArray(ifArg) && typeof ifArg[0] === 'string' && !Object.hasOwn(t.Conditions, ifArg[0])) {
      throw templateErr(`unresolved condition dependency ${ifArg[0]} in Fn::If`);
    }
    for (const child of Object.values(v)) walk(child);
  };
  walk(t.Resources);
  walk(t.Outputs);
}

function checkStructure(body: string, providers: Map<string, ResourceProvider>): Template {
  const t = parseTemplate(body);
  checkRuleShapes(t.Rules);
  checkIfConditions(t);
  const unknown = [...new Set(Object.values(t.Resources).map((r) => r.Type))].filter((type) => !providers.has(type));
  if (unknown.length) throw templateError(`Unrecognized resource types: [${unknown.join(', ')}]`);
  dependencies(t);
  return t;
}

/** The Rules section against the parameter values (rules.ts), before anything is created or updated. */
async function checkTemplateRules(
  t: Template,
  parameters: StackParameter[],
  stack: Pick<StackRecord, 'stackId' | 'name' | 'region' | 'accountId' | 'notificationARNs'>,
  deps: { cfn: CfnStore; call: OperationCaller; providers: Map<string, ResourceProvider> },
): Promise<void> {
  if (!t.Rules || !Object.keys(t.Rules).length) return;
  const inventory = rulesNeedInventory(t.Rules) ? await fetchInventory((operation, input) => deps.call('ec2', operation, input, stack)) : { byType: {} };
  const probe = { ...stack, parameters, resources: {}, outputs: [], imports: [] } as unknown as StackRecord;
  const conditions = asTemplateError(() => stackContext(probe, t, { cfn: deps.cfn, providers: deps.providers, azs: [] }).conditions);
  const pseudo = pseudoParameters(stack);
  checkRules(t.Rules, { parameters, pseudo, conditions, inventory });
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
  const parameters = await asTemplateErrorAsync(() => resolveParameters(t, args.supplied, args.previous));
  const { capabilities } = requiredCapabilities(t, deps.providers);
  const granted = new Set(args.capabilities ?? []);
  const missing = capabilities.filter((c) => !granted.has(c) && !(c === 'CAPABILITY_IAM' && granted.has('CAPABILITY_NAMED_IAM')));
  if (missing.length) throw new AwsError('InsufficientCapabilitiesException', `Requires capabilities : [${missing.join(', ')}]`);
  await checkExistence(parameters, (operation, input) => deps.call('ec2', operation, input, args.stack));
  await checkTemplateRules(t, parameters, args.stack, deps);
  // Conditions evaluate now (their errors are the caller's), and so does the graph under them.
  const probe = { ...args.stack, parameters, resources: {}, outputs: [], imports: [] } as unknown as StackRecord;
  asTemplateError(() => dependencies(t, stackContext(probe, t, { cfn: deps.cfn, providers: deps.providers, azs: [] }).included));
  return { template: t, body: args.body, parameters };
}
