// Change sets: CreateChangeSet (CREATE makes a REVIEW_IN_PROGRESS stack, as `aws cloudformation
// deploy` and CDK expect), Describe/List/Delete, and ExecuteChangeSet, which runs the same create or
// update the stack operations run.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Cfn from '../../protocol/generated/cloudformation.js';
import { changeSetArn } from '../ids.js';
import type { SuppliedParameter } from '../parameters.js';
import { prepare, templateText } from '../prepare.js';
import type { StackRecord, ChangeSetRecord } from '../store.js';
import { parseTemplate, type Template } from '../template.js';
import { references } from '../graph.js';
import { changeSetSummaryWire, changeSetWire } from '../wire.js';
import { beginUpdate, liveStack, newStackRecord, noSuchStack, requireStackQuota, SETTLE_MS, UPDATABLE, type StackOpsDeps } from './stacks.js';
import { own } from '../own.js';
import { parseLargeYaml } from '../off-loop.js';

const NO_CHANGES = "The submitted information didn't contain changes. Submit different information to create a change set.";

/** The resource changes between a stack's current template and a new one (what DescribeChangeSet lists). */
function diff(stack: StackRecord, oldT: Template | undefined, newT: Template, changedParams: Set<string>, deps: StackOpsDeps): ChangeSetRecord['changes'] {
  const changes: ChangeSetRecord['changes'] = [];
  for (const [id, decl] of Object.entries(newT.Resources)) {
    const before = own(oldT?.Resources, id);
    const current = own(stack.resources, id);
    if (!before || !current || current.status === 'DELETE_COMPLETE') {
      changes.push({ action: 'Add', logicalId: id, type: decl.Type, scope: [], details: [] });
      continue;
    }
    const props = decl.Properties ?? {};
    const oldProps = before.Properties ?? {};
    const keys = [...new Set([...Object.keys(props), ...Object.keys(oldProps)])].filter(
      (k) => JSON.stringify(props[k]) !== JSON.stringify(oldProps[k]) || [...references(props[k])].some((r) => changedParams.has(r)),
    );
    const provider = deps.providers.get(decl.Type);
    // A nested stack is always listed: its template, at the same URL, may have changed (as AWS lists it).
    if (!keys.length && before.Type === decl.Type && !provider?.updatesEveryTime) continue;
    const recreate = (k: string) => before.Type !== decl.Type || !provider?.update || provider.replaceOn.includes(k) || provider.replaceOn.includes('*');
    const details = keys.map((k) => ({ name: k, requiresRecreation: recreate(k) ? 'Always' : 'Never' }));
    changes.push({
      action: 'Modify',
      logicalId: id,
      physicalId: current.physicalId,
      type: decl.Type,
      replacement: details.some((d) => d.requiresRecreation === 'Always') ? 'True' : 'False',
      scope: ['Properties'],
      details,
    });
  }
  for (const [id, r] of Object.entries(stack.resources)) {
    if (!own(newT.Resources, id) && r.status !== 'DELETE_COMPLETE')
      changes.push({ action: 'Remove', logicalId: id, physicalId: r.physicalId, type: r.type, scope: [], details: [] });
  }
  return changes;
}

export function changeSetOperations(deps: StackOpsDeps) {
  const { cfn, engine } = deps;

  const findChangeSet = (ctx: RequestContext, name: string, stackName?: string): ChangeSetRecord => {
    let c: ChangeSetRecord | undefined;
    if (name.startsWith('arn:')) c = cfn.changeSets.get(cfn.changeSetKey({ region: ctx.region, accountId: ctx.accountId, changeSetId: name }));
    else {
      if (stackName === undefined) throw new AwsError('ValidationError', 'StackName must be specified if ChangeSetName is not specified as an ARN.');
      const stack = cfn.find(ctx, stackName);
      c = stack ? cfn.changeSetsOf(stack).find((x) => x.name === name) : undefined;
    }
    if (!c || c.accountId !== ctx.accountId) throw new AwsError('ChangeSetNotFound', `ChangeSet [${name}] does not exist`);
    return c;
  };

  return {
    async CreateChangeSet(input: Cfn.CreateChangeSetInput, ctx: RequestContext): Promise<Cfn.CreateChangeSetOutput> {
      const type = input.ChangeSetType ?? 'UPDATE';
      if (type === 'IMPORT') throw new AwsError('ValidationError', 'ChangeSetType IMPORT is not supported by Wayfinder.');
      let stack = cfn.find(ctx, input.StackName);
      let fresh = false;
      if (type === 'CREATE') {
        if (stack && stack.status !== 'REVIEW_IN_PROGRESS') {
          throw new AwsError('AlreadyExistsException', `Stack [${input.StackName}] already exists and cannot be created again with the changeSet [${input.ChangeSetName}].`);
        }
        if (!stack) {
          requireStackQuota(cfn, ctx);
          stack = newStackRecord(ctx, input.StackName, input);
          fresh = true;
        }
      } else {
        if (!stack || stack.status === 'DELETE_COMPLETE') throw noSuchStack(input.StackName);
        if (!UPDATABLE.includes(stack.status)) throw new AwsError('ValidationError', `Stack:${stack.stackId} is in ${stack.status} state and can not be updated.`);
      }
      const sameName = cfn.changeSetsOf(stack).find((c) => c.name === input.ChangeSetName);
      // An executed or FAILED change set can never run: its name may be used again. `aws cloudformation deploy`
      // names its change sets by the second (awscli-cloudformation-package-deploy-<epoch>) and leaves a FAILED
      // one behind when there is nothing to change; here a deploy can end within the second the last one began.
      if (sameName && (sameName.executionStatus === 'EXECUTE_COMPLETE' || sameName.status === 'FAILED')) cfn.deleteChangeSet(sameName);
      else if (sameName) {
        throw new AwsError('AlreadyExistsException', `ChangeSet ${input.ChangeSetName} cannot be created due to a mismatch with existing attribute ClientToken`);
      }
      const body = input.UsePreviousTemplate ? stack.templateBody : await templateText(input);
      const p = await prepare({ body, supplied: input.Parameters as SuppliedParameter[], previous: stack.parameters, capabilities: input.Capabilities, stack }, deps);
      if (type === 'UPDATE') await parseLargeYaml(stack.templateBody);
      const oldT = type === 'UPDATE' ? parseTemplate(stack.templateBody) : undefined;
      const changedParams = new Set(p.parameters.filter((np) => stack.parameters.find((op) => op.key === np.key)?.value !== np.value).map((np) => np.key));
      const changes = diff(stack, oldT, p.template, changedParams, deps);
      const tags = input.Tags ?? stack.tags;
      const unchanged = type === 'UPDATE' && !changes.length && body === stack.templateBody && !changedParams.size && JSON.stringify(tags) === JSON.stringify(stack.tags);
      const noResourceChange = type === 'UPDATE' && !changes.length && !changedParams.size && JSON.stringify(tags) === JSON.stringify(stack.tags);
      const failed = unchanged || noResourceChange;
      if (fresh) {
        stack.status = 'REVIEW_IN_PROGRESS';
        stack.reason = 'User Initiated';
        cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'REVIEW_IN_PROGRESS', reason: 'User Initiated' });
      }
      const record: ChangeSetRecord = {
        changeSetId: changeSetArn(ctx.region, ctx.accountId, input.ChangeSetName),
        name: input.ChangeSetName,
        stackId: stack.stackId,
        stackName: stack.name,
        region: ctx.region,
        accountId: ctx.accountId,
        type,
        status: failed ? 'FAILED' : 'CREATE_COMPLETE',
        executionStatus: failed ? 'UNAVAILABLE' : 'AVAILABLE',
        reason: failed ? NO_CHANGES : undefined,
        createdAt: Date.now(),
        description: input.Description,
        templateBody: body,
        parameters: p.parameters,
        capabilities: input.Capabilities ?? [],
        tags,
        notificationARNs: input.NotificationARNs ?? stack.notificationARNs,
        changes,
      };
      cfn.putChangeSet(record);
      return { Id: record.changeSetId, StackId: stack.stackId };
    },

    DescribeChangeSet(input: Cfn.DescribeChangeSetInput, ctx: RequestContext): Cfn.DescribeChangeSetOutput {
      return changeSetWire(findChangeSet(ctx, input.ChangeSetName, input.StackName));
    },

    ListChangeSets(input: Cfn.ListChangeSetsInput, ctx: RequestContext): Cfn.ListChangeSetsOutput {
      const stack = cfn.find(ctx, input.StackName);
      if (!stack) throw noSuchStack(input.StackName);
      return { Summaries: cfn.changeSetsOf(stack).map(changeSetSummaryWire) };
    },

    DeleteChangeSet(input: Cfn.DeleteChangeSetInput, ctx: RequestContext): Cfn.DeleteChangeSetOutput {
      const c = findChangeSet(ctx, input.ChangeSetName, input.StackName);
      if (c.executionStatus === 'EXECUTE_IN_PROGRESS') {
        throw new AwsError('InvalidChangeSetStatus', `Cannot delete ChangeSet in status ${c.executionStatus}`);
      }
      cfn.deleteChangeSet(c);
      return {};
    },

    async ExecuteChangeSet(input: Cfn.ExecuteChangeSetInput, ctx: RequestContext): Promise<Cfn.ExecuteChangeSetOutput> {
      // A large YAML template is parsed off the main thread first; everything after runs without a pause.
      await parseLargeYaml(findChangeSet(ctx, input.ChangeSetName, input.StackName).templateBody);
      const c = findChangeSet(ctx, input.ChangeSetName, input.StackName);
      if (c.executionStatus !== 'AVAILABLE') {
        throw new AwsError('InvalidChangeSetStatus', `ChangeSet [${c.changeSetId}] cannot be executed in its current status of [${c.status}]`);
      }
      const stack = liveStack(cfn, ctx, c.stackId);
      const description = parseTemplate(c.templateBody).Description;
      // The stack's other change sets are spent once one executes (AWS deletes them).
      for (const other of cfn.changeSetsOf(stack)) if (other.changeSetId !== c.changeSetId) cfn.deleteChangeSet(other);
      c.executionStatus = 'EXECUTE_COMPLETE';
      cfn.putChangeSet(c);
      stack.changeSetId = c.changeSetId;
      if (c.type === 'CREATE') {
        if (stack.status !== 'REVIEW_IN_PROGRESS')
          throw new AwsError('InvalidChangeSetStatus', `ChangeSet [${c.changeSetId}] cannot be executed in its current status of [${c.status}]`);
        Object.assign(stack, {
          templateBody: c.templateBody,
          parameters: c.parameters,
          description,
          capabilities: c.capabilities,
          tags: c.tags,
          disableRollback: input.DisableRollback === true,
          status: 'CREATE_IN_PROGRESS',
          reason: 'User Initiated',
        });
        cfn.addEvent(stack, { logicalId: stack.name, physicalId: stack.stackId, type: 'AWS::CloudFormation::Stack', status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' });
        engine.create(stack);
      } else {
        if (!UPDATABLE.includes(stack.status) || engine.busy(stack.stackId)) {
          throw new AwsError('InvalidChangeSetStatus', `ChangeSet [${c.changeSetId}] cannot be executed in its current status of [${c.status}]`);
        }
        beginUpdate(deps, stack, { body: c.templateBody, parameters: c.parameters, description, capabilities: c.capabilities, tags: c.tags });
      }
      await engine.settle(stack.stackId, SETTLE_MS);
      return {};
    },
  };
}
