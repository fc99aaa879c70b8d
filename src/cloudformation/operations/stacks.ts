// Stack operations: CreateStack, UpdateStack, DeleteStack, Describe/List, events, resources,
// templates, exports, termination protection and stack policies.
import { AwsError } from '../../kernel/errors.js';
import { pageOf } from './paging.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Cfn from '../../protocol/generated/cloudformation.js';
import type { OperationCaller } from '../../protocol/invoke.js';
import { LIVE_FOR_EXPORTS } from '../context.js';
import type { StackEngine } from '../engine.js';
import { stackArn } from '../ids.js';
import type { StackParameter, SuppliedParameter } from '../parameters.js';
import { checkTemplate, prepare, requiredCapabilities, templateText } from '../prepare.js';
import type { ResourceProvider, Tag } from '../providers/provider.js';
import { type Scope, scopePrefix } from '../../store/store.js';
import type { CfnStore, StackRecord } from '../store.js';
import { eventWire, resourceWire, stackWire, summaryWire } from '../wire.js';
import { own } from '../own.js';

export interface StackOpsDeps {
  cfn: CfnStore;
  engine: StackEngine;
  call: OperationCaller;
  providers: Map<string, ResourceProvider>;
}

/** How long a stack operation's call waits for the operation to end before answering (engine.settle). */
export const SETTLE_MS = 5_000;

/** Statuses from which a stack may be updated. */
export const UPDATABLE = ['CREATE_COMPLETE', 'UPDATE_COMPLETE', 'UPDATE_ROLLBACK_COMPLETE', 'IMPORT_COMPLETE', 'IMPORT_ROLLBACK_COMPLETE'];

export const noSuchStack = (name: string) => new AwsError('ValidationError', `Stack with id ${name} does not exist`);

export function liveStack(cfn: CfnStore, ctx: RequestContext, name: string): StackRecord {
  const s = cfn.find(ctx, name);
  if (!s || s.status === 'DELETE_COMPLETE') throw noSuchStack(name);
  return s;
}

/**
 * CloudFormation's "Stacks" quota: 2,000 per account and Region, nested stacks included (a stack that is
 * not DELETE_COMPLETE counts, REVIEW_IN_PROGRESS too). It also stops a template that nests itself,
 * directly or through others, from making stacks without end. WAYFINDER_CFN_MAX_STACKS lowers it (tests).
 */
export function maxStacks(): number {
  const n = Number(process.env.WAYFINDER_CFN_MAX_STACKS);
  return Number.isInteger(n) && n > 0 ? Math.min(n, 2000) : 2000;
}

/** Refuses one more stack past the quota, with AWS's LimitExceededException. */
export function requireStackQuota(cfn: CfnStore, scope: Scope): void {
  if (cfn.stacksIn(scope).filter((s) => s.status !== 'DELETE_COMPLETE').length >= maxStacks()) {
    throw new AwsError('LimitExceededException', 'Limit for stack has been exceeded');
  }
}

export function newStackRecord(ctx: Scope, name: string, input: { Tags?: Tag[]; NotificationARNs?: string[] }): StackRecord {
  return {
    stackId: stackArn(ctx.region, ctx.accountId, name),
    name,
    region: ctx.region,
    accountId: ctx.accountId,
    status: 'CREATE_IN_PROGRESS',
    createdAt: Date.now(),
    templateBody: '',
    parameters: [],
    capabilities: [],
    tags: input.Tags ?? [],
    notificationARNs: input.NotificationARNs ?? [],
    disableRollback: false,
    terminationProtection: false,
    resources: {},
    outputs: [],
    imports: [],
    eventSeq: 0,
  };
}

/** Moves a stack into an update to `body`/`parameters` and starts it (UpdateStack, ExecuteChangeSet). */
export function beginUpdate(
  deps: StackOpsDeps,
  stack: StackRecord,
  next: { body: string; parameters: StackParameter[]; description?: string; capabilities: string[]; tags?: Tag[]; deferCleanup?: boolean },
): void {
  stack.update = {
    oldTemplateBody: stack.templateBody,
    oldParameters: stack.parameters,
    oldResources: structuredClone(stack.resources),
    oldOutputs: stack.outputs,
    cleanup: [],
    deferCleanup: next.deferCleanup,
  };
  stack.templateBody = next.body;
  stack.parameters = next.parameters;
  stack.description = next.description;
  stack.capabilities = next.capabilities;
  if (next.tags) stack.tags = next.tags;
  stack.updatedAt = Date.now();
  stack.status = 'UPDATE_IN_PROGRESS';
  stack.reason = 'User Initiated';
  deps.cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'UPDATE_IN_PROGRESS', reason: 'User Initiated' });
  deps.engine.update(stack);
}

export function stackOperations(deps: StackOpsDeps) {
  const { cfn, engine } = deps;

  const refuseIfBusy = (stack: StackRecord, verb: string) => {
    if (stack.status.endsWith('_IN_PROGRESS') || engine.busy(stack.stackId)) {
      throw new AwsError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be ${verb}.`);
    }
  };

  return {
    async CreateStack(input: Cfn.CreateStackInput, ctx: RequestContext): Promise<Cfn.CreateStackOutput> {
      const requireRoom = () => {
        if (cfn.find(ctx, input.StackName)) throw new AwsError('AlreadyExistsException', `Stack [${input.StackName}] already exists`);
        requireStackQuota(cfn, ctx);
      };
      requireRoom();
      const stack = newStackRecord(ctx, input.StackName, input);
      const body = await templateText(input);
      const p = await prepare({ body, supplied: input.Parameters as SuppliedParameter[], capabilities: input.Capabilities, stack }, deps);
      // Reading and checking the template may have waited (a URL, a worker): a CreateStack of the same
      // name, or the last one the quota allows, may have been stored meanwhile. Nothing awaits from here to the store.
      requireRoom();
      Object.assign(stack, {
        templateBody: body,
        parameters: p.parameters,
        description: p.template.Description,
        capabilities: input.Capabilities ?? [],
        disableRollback: input.DisableRollback === true || input.OnFailure === 'DO_NOTHING',
        terminationProtection: input.EnableTerminationProtection === true,
        stackPolicy: input.StackPolicyBody,
        roleARN: input.RoleARN,
        timeoutInMinutes: input.TimeoutInMinutes,
      });
      cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' });
      engine.create(stack);
      await engine.settle(stack.stackId, SETTLE_MS);
      return { StackId: stack.stackId };
    },

    async UpdateStack(input: Cfn.UpdateStackInput, ctx: RequestContext): Promise<Cfn.UpdateStackOutput> {
      const stack = liveStack(cfn, ctx, input.StackName);
      if (!UPDATABLE.includes(stack.status) || engine.busy(stack.stackId)) {
        throw new AwsError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
      }
      const body = input.UsePreviousTemplate ? stack.templateBody : await templateText(input);
      const p = await prepare({ body, supplied: input.Parameters as SuppliedParameter[], previous: stack.parameters, capabilities: input.Capabilities, stack }, deps);
      if (input.StackPolicyBody !== undefined) stack.stackPolicy = input.StackPolicyBody;
      const sameParams = JSON.stringify(p.parameters) === JSON.stringify(stack.parameters);
      const sameTags = input.Tags === undefined || JSON.stringify(input.Tags) === JSON.stringify(stack.tags);
      if (body === stack.templateBody && sameParams && sameTags) throw new AwsError('ValidationError', 'No updates are to be performed.');
      beginUpdate(deps, stack, { body, parameters: p.parameters, description: p.template.Description, capabilities: input.Capabilities ?? [], tags: input.Tags });
      await engine.settle(stack.stackId, SETTLE_MS);
      return { StackId: stack.stackId };
    },

    async DeleteStack(input: Cfn.DeleteStackInput, ctx: RequestContext): Promise<void> {
      const stack = cfn.find(ctx, input.StackName);
      if (!stack || stack.status === 'DELETE_COMPLETE' || stack.status === 'DELETE_IN_PROGRESS') return;
      // A nested stack carries its root's termination protection (AWS: deleting it directly then fails).
      const root = stack.rootId ? cfn.find(ctx, stack.rootId) : stack;
      if (stack.terminationProtection || root?.terminationProtection)
        throw new AwsError('ValidationError', `Stack [${stack.name}] cannot be deleted while TerminationProtection is enabled`);
      refuseIfBusy(stack, 'deleted');
      const retain = new Set(input.RetainResources ?? []);
      for (const r of Object.values(stack.resources)) if (retain.has(r.logicalId)) r.deletionPolicy = 'Retain';
      const inUse = engine.importedExports(stack);
      if (inUse.length) {
        stack.status = 'DELETE_IN_PROGRESS';
        stack.reason = 'User Initiated';
        cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'DELETE_IN_PROGRESS', reason: 'User Initiated' });
        stack.status = 'DELETE_FAILED';
        stack.reason = `Export ${inUse[0]!.name} cannot be deleted as it is in use by ${inUse[0]!.by}`;
        cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'DELETE_FAILED', reason: stack.reason });
        return;
      }
      engine.delete(stack);
      await engine.settle(stack.stackId, SETTLE_MS);
    },

    DescribeStacks(input: Cfn.DescribeStacksInput, ctx: RequestContext): Cfn.DescribeStacksOutput {
      if (input.StackName !== undefined) {
        const s = cfn.find(ctx, input.StackName);
        if (!s) throw noSuchStack(input.StackName);
        return { Stacks: [stackWire(s)] };
      }
      return {
        Stacks: cfn
          .stacksIn(ctx)
          .filter((s) => s.status !== 'DELETE_COMPLETE')
          .reverse()
          .map(stackWire),
      };
    },

    ListStacks(input: Cfn.ListStacksInput, ctx: RequestContext): Cfn.ListStacksOutput {
      const filter = input.StackStatusFilter;
      const all = cfn.stacksIn(ctx).reverse();
      const page = pageOf(
        all.filter((s) => !filter?.length || filter.includes(s.status as Cfn.StackStatus)),
        (s) => s.stackId,
        input.NextToken,
      );
      return { StackSummaries: page.items.map(summaryWire), NextToken: page.NextToken };
    },

    DescribeStackEvents(input: Cfn.DescribeStackEventsInput, ctx: RequestContext): Cfn.DescribeStackEventsOutput {
      const s = cfn.find(ctx, input.StackName);
      if (!s) throw noSuchStack(input.StackName);
      const page = pageOf(cfn.eventsOf(s), (e) => e.eventId, input.NextToken);
      return { StackEvents: page.items.map(eventWire), NextToken: page.NextToken };
    },

    DescribeStackResource(input: Cfn.DescribeStackResourceInput, ctx: RequestContext): Cfn.DescribeStackResourceOutput {
      const s = cfn.find(ctx, input.StackName);
      if (!s) throw noSuchStack(input.StackName);
      const r = own(s.resources, input.LogicalResourceId);
      if (!r) throw new AwsError('ValidationError', `Resource ${input.LogicalResourceId} does not exist for stack ${input.StackName}`);
      return { StackResourceDetail: resourceWire(s, r) };
    },

    DescribeStackResources(input: Cfn.DescribeStackResourcesInput, ctx: RequestContext): Cfn.DescribeStackResourcesOutput {
      let s: StackRecord | undefined;
      if (input.StackName !== undefined) {
        s = cfn.find(ctx, input.StackName);
        if (!s) throw noSuchStack(input.StackName);
      } else if (input.PhysicalResourceId !== undefined) {
        s = cfn.stacksIn(ctx).find((x) => x.status !== 'DELETE_COMPLETE' && Object.values(x.resources).some((r) => r.physicalId === input.PhysicalResourceId));
        if (!s) throw new AwsError('ValidationError', `Stack for ${input.PhysicalResourceId} does not exist`);
      } else throw new AwsError('ValidationError', 'Either StackName or PhysicalResourceId must be specified.');
      const stack = s;
      const rs = Object.values(stack.resources).filter((r) => input.LogicalResourceId === undefined || r.logicalId === input.LogicalResourceId);
      return {
        StackResources: rs.map((r) => {
          const { LastUpdatedTimestamp, Metadata: _m, ...rest } = resourceWire(stack, r);
          return { ...rest, Timestamp: LastUpdatedTimestamp };
        }),
      };
    },

    ListStackResources(input: Cfn.ListStackResourcesInput, ctx: RequestContext): Cfn.ListStackResourcesOutput {
      const s = cfn.find(ctx, input.StackName);
      if (!s) throw noSuchStack(input.StackName);
      const page = pageOf(Object.values(s.resources), (r) => r.logicalId, input.NextToken);
      return {
        NextToken: page.NextToken,
        StackResourceSummaries: page.items.map((r) => {
          const { StackName: _n, StackId: _i, Metadata: _m, ...rest } = resourceWire(s, r);
          return rest;
        }),
      };
    },

    GetTemplate(input: Cfn.GetTemplateInput, ctx: RequestContext): Cfn.GetTemplateOutput {
      if (input.ChangeSetName !== undefined) {
        const c = cfn.changeSets
          .withPrefix(scopePrefix(ctx))
          .find((x) => x.changeSetId === input.ChangeSetName || (x.name === input.ChangeSetName && (x.stackName === input.StackName || x.stackId === input.StackName)));
        if (!c) throw new AwsError('ChangeSetNotFound', `ChangeSet [${input.ChangeSetName}] does not exist`);
        return { TemplateBody: c.templateBody, StagesAvailable: ['Original', 'Processed'] };
      }
      const s = cfn.find(ctx, input.StackName ?? '');
      if (!s) throw noSuchStack(input.StackName ?? '');
      return { TemplateBody: s.templateBody, StagesAvailable: ['Original', 'Processed'] };
    },

    async GetTemplateSummary(input: Cfn.GetTemplateSummaryInput, ctx: RequestContext): Promise<Cfn.GetTemplateSummaryOutput> {
      const body = input.StackName !== undefined ? liveStack(cfn, ctx, input.StackName).templateBody : await templateText(input);
      const t = checkTemplate(body, deps.providers);
      const caps = requiredCapabilities(t, deps.providers);
      return {
        Parameters: Object.entries(t.Parameters).map(([k, p]) => ({
          ParameterKey: k,
          DefaultValue: p.Default === undefined ? undefined : String(p.Default),
          ParameterType: p.Type,
          NoEcho: p.NoEcho === true || p.NoEcho === 'true',
          Description: p.Description,
          ParameterConstraints: p.AllowedValues ? { AllowedValues: p.AllowedValues.map(String) } : {},
        })),
        Description: t.Description,
        Capabilities: caps.capabilities as Cfn.Capability[],
        CapabilitiesReason: caps.types.length ? `The following resource(s) require capabilities: [${caps.types.join(', ')}]` : undefined,
        ResourceTypes: [...new Set(Object.values(t.Resources).map((r) => r.Type))],
        Version: t.AWSTemplateFormatVersion ?? '2010-09-09',
        Metadata: t.Metadata === undefined ? undefined : JSON.stringify(t.Metadata),
        DeclaredTransforms: [],
      };
    },

    async ValidateTemplate(input: Cfn.ValidateTemplateInput): Promise<Cfn.ValidateTemplateOutput> {
      const t = checkTemplate(await templateText(input), deps.providers);
      const caps = requiredCapabilities(t, deps.providers);
      return {
        Parameters: Object.entries(t.Parameters).map(([k, p]) => ({
          ParameterKey: k,
          DefaultValue: p.Default === undefined ? undefined : String(p.Default),
          NoEcho: p.NoEcho === true || p.NoEcho === 'true',
          Description: p.Description,
        })),
        Description: t.Description,
        Capabilities: caps.capabilities as Cfn.Capability[],
        CapabilitiesReason: caps.types.length ? `The following resource(s) require capabilities: [${caps.types.join(', ')}]` : undefined,
        DeclaredTransforms: [],
      };
    },

    ListExports(input: Cfn.ListExportsInput, ctx: RequestContext): Cfn.ListExportsOutput {
      const exports: Cfn.Export[] = [];
      for (const s of cfn.stacksIn(ctx)) {
        if (!LIVE_FOR_EXPORTS(s.status)) continue;
        for (const o of s.outputs) if (o.exportName) exports.push({ ExportingStackId: s.stackId, Name: o.exportName, Value: o.value });
      }
      const page = pageOf(exports, (e) => e.Name!, input.NextToken);
      return { Exports: page.items, NextToken: page.NextToken };
    },

    ListImports(input: Cfn.ListImportsInput, ctx: RequestContext): Cfn.ListImportsOutput {
      const importers = cfn
        .stacksIn(ctx)
        .filter((s) => s.status !== 'DELETE_COMPLETE' && s.imports.includes(input.ExportName))
        .map((s) => s.name);
      if (!importers.length) throw new AwsError('ValidationError', `Export '${input.ExportName}' is not imported by any stack.`);
      const page = pageOf(importers, (n) => n, input.NextToken);
      return { Imports: page.items, NextToken: page.NextToken };
    },

    UpdateTerminationProtection(input: Cfn.UpdateTerminationProtectionInput, ctx: RequestContext): Cfn.UpdateTerminationProtectionOutput {
      const s = liveStack(cfn, ctx, input.StackName);
      // AWS: termination protection is set on the root stack only; its nested stacks follow it.
      if (s.rootId) throw new AwsError('ValidationError', `Termination protection cannot be updated on nested stack ${s.name}; update the root stack instead.`);
      s.terminationProtection = input.EnableTerminationProtection;
      cfn.put(s);
      return { StackId: s.stackId };
    },

    SetStackPolicy(input: Cfn.SetStackPolicyInput, ctx: RequestContext): void {
      const s = liveStack(cfn, ctx, input.StackName);
      if (input.StackPolicyBody !== undefined) {
        try {
          JSON.parse(input.StackPolicyBody);
        } catch {
          throw new AwsError('ValidationError', 'Error validating stack policy: Invalid stack policy');
        }
      }
      s.stackPolicy = input.StackPolicyBody;
      cfn.put(s);
    },

    CancelUpdateStack(input: Cfn.CancelUpdateStackInput, ctx: RequestContext): void {
      engine.cancelUpdate(liveStack(cfn, ctx, input.StackName));
    },

    async ContinueUpdateRollback(input: Cfn.ContinueUpdateRollbackInput, ctx: RequestContext): Promise<Cfn.ContinueUpdateRollbackOutput> {
      const stack = liveStack(cfn, ctx, input.StackName);
      engine.continueRollback(stack, input.ResourcesToSkip ?? []);
      await engine.settle(stack.stackId, SETTLE_MS);
      return {};
    },

    GetStackPolicy(input: Cfn.GetStackPolicyInput, ctx: RequestContext): Cfn.GetStackPolicyOutput {
      return { StackPolicyBody: liveStack(cfn, ctx, input.StackName).stackPolicy };
    },
  };
}
