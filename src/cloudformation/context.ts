// What intrinsics and providers see while a stack operation runs: the evaluation context over the
// stack's parameters, pseudo parameters, resources and the region's exports, and each provider's
// calling context. Kept apart from the engine so the engine is only the walk.
import { AwsError } from '../kernel/errors.js';
import { randomId } from './ids.js';
import { evaluateConditions, templateErr, type EvalContext } from './intrinsics.js';
import { parameterValue } from './parameters.js';
import { tagMap, type ProviderContext, type ResourceProvider } from './providers/provider.js';
import type { CfnStore, StackRecord } from './store.js';
import type { Template } from './template.js';
import type { OperationCaller } from '../protocol/invoke.js';
import { own } from './own.js';
import { withSystemTags } from '../kernel/system-tags.js';

export const LIVE_FOR_EXPORTS = (status: string) =>
  !['DELETE_COMPLETE', 'REVIEW_IN_PROGRESS', 'ROLLBACK_COMPLETE', 'ROLLBACK_IN_PROGRESS', 'CREATE_IN_PROGRESS', 'CREATE_FAILED', 'ROLLBACK_FAILED'].includes(status);

export interface StackContext {
  eval: EvalContext;
  conditions: Record<string, boolean>;
  /** Whether a resource exists in this template under its Condition. */
  included(logicalId: string): boolean;
  /** Export names the evaluation read (Fn::ImportValue). */
  imported: Set<string>;
}

/** The pseudo parameters' values for a stack (AWS::NoValue is handled by the evaluator). */
export function pseudoParameters(stack: Pick<StackRecord, 'accountId' | 'region' | 'name' | 'stackId' | 'notificationARNs'>): Record<string, string | string[]> {
  return {
    'AWS::AccountId': stack.accountId,
    'AWS::Region': stack.region,
    'AWS::StackName': stack.name,
    'AWS::StackId': stack.stackId,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::NotificationARNs': stack.notificationARNs,
  };
}

export function stackContext(stack: StackRecord, t: Template, deps: { cfn: CfnStore; providers: Map<string, ResourceProvider>; azs: string[] }): StackContext {
  const values = pseudoParameters(stack);
  for (const p of stack.parameters) values[p.key] = parameterValue(p);
  const imported = new Set<string>();
  const base = {
    values,
    mappings: t.Mappings,
    region: stack.region,
    azs: (region: string) => (region === stack.region ? deps.azs : []),
    importValue: (name: string) => {
      for (const other of deps.cfn.stacksIn(stack)) {
        if (other.stackId === stack.stackId || !LIVE_FOR_EXPORTS(other.status)) continue;
        const out = other.outputs.find((o) => o.exportName === name);
        if (out) {
          imported.add(name);
          return out.value;
        }
      }
      throw new AwsError('ValidationError', `No export named ${name} found. Rollback requested by user.`);
    },
    ref: (): string => {
      throw new Error('unreachable');
    },
    getAtt: (): unknown => {
      throw new Error('unreachable');
    },
  };
  const conditions = evaluateConditions(t.Conditions, base);
  const included = (id: string) => {
    const decl = own(t.Resources, id);
    return decl !== undefined && (decl.Condition === undefined || own(conditions, decl.Condition) === true);
  };
  const ev: EvalContext = {
    ...base,
    conditions,
    ref: (id) => {
      const r = own(stack.resources, id);
      if (!own(t.Resources, id)) throw templateErr(`Unresolved resource dependencies [${id}] in the Resources block of the template`);
      if (!included(id)) throw templateErr(`Unresolved resource dependency ${id}: its Condition is false`);
      if (!r?.physicalId) throw templateErr(`resource ${id} has no physical id yet`);
      return r.physicalId;
    },
    getAtt: (id, attribute) => {
      const decl = own(t.Resources, id);
      if (!decl) throw templateErr(`instance of Fn::GetAtt references undefined resource ${id}`);
      const provider = deps.providers.get(decl.Type);
      if (provider && !namesAttribute(provider.attributes, attribute)) throw templateErr(`resource ${id} does not support attribute type ${attribute} in Fn::GetAtt`);
      const v = own(own(stack.resources, id)?.attributes, attribute);
      if (v === undefined) throw templateErr(`attribute ${attribute} of ${id} is not available`);
      return v;
    },
  };
  return { eval: ev, conditions, included, imported };
}

/** Whether a provider's attribute list names an attribute (`Outputs.*` names every `Outputs.X`). */
export function namesAttribute(attributes: readonly string[], attribute: string): boolean {
  return attributes.some((a) => a === attribute || (a.endsWith('.*') && attribute.startsWith(a.slice(0, -1)) && attribute.length > a.length - 1));
}

export function providerContext(stack: StackRecord, logicalId: string, call: OperationCaller): ProviderContext {
  const systemTags = [
    { Key: 'aws:cloudformation:stack-name', Value: stack.name },
    { Key: 'aws:cloudformation:stack-id', Value: stack.stackId },
    { Key: 'aws:cloudformation:logical-id', Value: logicalId },
  ];
  return {
    // The services accept exactly these aws: tags, and only inside this call.
    call: (service, operation, input) => withSystemTags(tagMap(systemTags), () => call(service, operation, input, { region: stack.region, accountId: stack.accountId })),
    region: stack.region,
    accountId: stack.accountId,
    stackName: stack.name,
    stackId: stack.stackId,
    logicalId,
    tags: stack.tags,
    systemTags,
    generatedName: (max = 255) => {
      const suffix = randomId(12).toUpperCase();
      const head = `${stack.name}-${logicalId}`.slice(0, Math.max(1, max - suffix.length - 1));
      return `${head}-${suffix}`;
    },
    sleep: (ms) => new Promise((r) => setTimeout(r, ms)),
  };
}
