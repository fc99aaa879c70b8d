// AWS::CloudFormation::Stack: a nested stack is a whole stack of its own (its record, events and
// resources, ParentId/RootId set), made by this same engine from the template its TemplateURL names
// (read by templateText: a local regular file, or a loopback http(s) URL, within AWS's size quota).
// The provider is CloudFormation's own, so it drives the engine directly instead of going through
// the wire: create/update/delete start the child's operation and wait for it to end.
import type { StackParameter, SuppliedParameter } from './parameters.js';
import { beginUpdate, newStackRecord, requireStackQuota, type StackOpsDeps, UPDATABLE } from './operations/stacks.js';
import { prepare, templateText } from './prepare.js';
import { mergedTags, type ProviderContext, type ResourceProvider, type Tag } from './providers/provider.js';
import type { StackRecord } from './store.js';
import { parseTemplate } from './template.js';
import { parseLargeYaml } from './off-loop.js';

export const NESTED_STACK_TYPE = 'AWS::CloudFormation::Stack';

/** The JSON type a schema error names for a value (as CloudFormation's resource schema validation does). */
const jsonType = (v: unknown): string => (Array.isArray(v) ? 'JSONArray' : v === null ? 'null' : typeof v === 'object' ? 'JSONObject' : typeof v);

const scalar = (v: unknown): v is string | number | boolean => typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean';

/**
 * The template's `Parameters` map as CreateStack's list. Its values are strings (AWS's schema: a map of
 * String); a number or boolean is its text, a list of them is comma-joined (a CommaDelimitedList).
 * Anything else (an object, a list holding one) fails the resource, as AWS's validation does,
 * instead of reaching the child as "[object Object]".
 */
function suppliedParameters(props: Record<string, unknown>, ctx: ProviderContext): SuppliedParameter[] {
  const map = props.Parameters;
  const invalid = (path: string, expected: string, v: unknown) =>
    new Error(`Properties validation failed for resource ${ctx.logicalId} with message: #${path}: expected type: ${expected}, found: ${jsonType(v)}`);
  if (map === undefined) return [];
  if (!map || typeof map !== 'object' || Array.isArray(map)) throw invalid('/Parameters', 'JSONObject', map);
  return Object.entries(map as Record<string, unknown>).map(([k, v]) => {
    if (scalar(v)) return { ParameterKey: k, ParameterValue: String(v) };
    if (Array.isArray(v) && v.every(scalar)) return { ParameterKey: k, ParameterValue: v.map(String).join(',') };
    throw invalid(`/Parameters/${k}`, 'String', v);
  });
}

function templateUrl(props: Record<string, unknown>, ctx: ProviderContext): string {
  if (typeof props.TemplateURL !== 'string') throw new Error(`Properties validation failed for resource ${ctx.logicalId} with message: #: required key [TemplateURL] not found`);
  return props.TemplateURL;
}

/** A nested stack's own tags: the parent's and the template's, not CloudFormation's system tags (its resources get their own). */
const stackTags = (props: Record<string, unknown>, ctx: ProviderContext): Tag[] => mergedTags(props, { ...ctx, systemTags: [] });

/** `Fn::GetAtt Nested.Outputs.X` values, from the child's outputs. */
function outputAttributes(child: StackRecord): Record<string, unknown> {
  return Object.fromEntries(child.outputs.map((o) => [`Outputs.${o.key}`, o.value]));
}

const timeout = (props: Record<string, unknown>) => (props.TimeoutInMinutes === undefined ? undefined : Number(props.TimeoutInMinutes));
const notifications = (props: Record<string, unknown>) => (Array.isArray(props.NotificationARNs) ? props.NotificationARNs.map(String) : []);

export function nestedStackProvider(deps: StackOpsDeps): ResourceProvider {
  const { cfn, engine } = deps;
  const parentOf = (ctx: ProviderContext) => cfn.find(ctx, ctx.stackId);

  /** Why a child's operation failed: its status reason, or (a completed rollback clears it) its last stack event's that has one. */
  const why = (child: StackRecord | undefined): string => {
    if (!child) return 'Stack does not exist';
    if (child.reason) return child.reason;
    return cfn.eventsOf(child).find((e) => e.logicalId === child.name && e.type === NESTED_STACK_TYPE && e.reason && e.reason !== 'User Initiated')?.reason ?? child.status;
  };

  /** Waits for the child's running operation, then stops if the server is stopping (ctx.sleep throws then). */
  const settled = async (childId: string, ctx: ProviderContext): Promise<StackRecord | undefined> => {
    await engine.waitFor(childId);
    await ctx.sleep(0);
    return cfn.find(ctx, childId);
  };

  const provider: ResourceProvider = {
    type: NESTED_STACK_TYPE,
    attributes: ['Outputs.*'],
    replaceOn: [],
    updatesEveryTime: true,

    async create(props, ctx) {
      const parent = parentOf(ctx);
      const body = await templateText({ TemplateURL: templateUrl(props, ctx) });
      // Nested stacks count as stacks; the quota also ends a template that nests itself.
      requireStackQuota(cfn, ctx);
      const child = newStackRecord(ctx, ctx.generatedName(128), { Tags: stackTags(props, ctx), NotificationARNs: notifications(props) });
      child.parentId = ctx.stackId;
      child.rootId = parent?.rootId ?? ctx.stackId;
      // Capabilities the parent was granted cover its nested stacks (AWS asks for them once, at the root).
      const capabilities = parent?.capabilities ?? [];
      const p = await prepare({ body, supplied: suppliedParameters(props, ctx), capabilities, stack: child }, deps);
      Object.assign(child, {
        templateBody: body,
        parameters: p.parameters,
        description: p.template.Description,
        capabilities,
        disableRollback: parent?.disableRollback ?? false,
        timeoutInMinutes: timeout(props),
      });
      cfn.addEvent(child, { logicalId: child.name, physicalId: child.stackId, type: NESTED_STACK_TYPE, status: 'CREATE_IN_PROGRESS', reason: 'User Initiated' });
      engine.create(child);
      return { physicalId: child.stackId };
    },

    async stabilize(physicalId, _props, ctx) {
      const child = await settled(physicalId, ctx);
      if (child?.status !== 'CREATE_COMPLETE') throw new Error(`Embedded stack ${physicalId} was not successfully created: ${why(child)}`);
      return outputAttributes(child);
    },

    async update(physicalId, props, _old, ctx) {
      const child = await settled(physicalId, ctx);
      if (!child || child.status === 'DELETE_COMPLETE') throw new Error(`Embedded stack ${physicalId} does not exist`);
      const parent = parentOf(ctx);
      // The parent's rollback returns the child to what it was before this update (its template may
      // have changed at the same URL, so the URL cannot be read again for it).
      const rollingBack = parent?.status.startsWith('UPDATE_ROLLBACK') === true;
      let body: string;
      let parameters: StackParameter[];
      let description: string | undefined;
      if (rollingBack && child.status === 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' && child.update?.deferCleanup) {
        // The child's update waits for this parent's: it rolls back too (UPDATE_ROLLBACK_COMPLETE).
        engine.rollbackDeferredUpdate(child, 'Update of the parent stack failed; rolling back');
        const after = await settled(physicalId, ctx);
        if (after?.status !== 'UPDATE_ROLLBACK_COMPLETE') throw new Error(`Embedded stack ${physicalId} was not successfully rolled back: ${why(after)}`);
        return { attributes: outputAttributes(after) };
      }
      if (rollingBack) {
        if (!child.nestedPrevious) return { attributes: outputAttributes(child) }; // this update did not change it
        ({ body, parameters } = child.nestedPrevious);
        await parseLargeYaml(body);
        description = parseTemplate(body).Description;
      } else {
        body = await templateText({ TemplateURL: templateUrl(props, ctx) });
        const p = await prepare({ body, supplied: suppliedParameters(props, ctx), previous: child.parameters, capabilities: parent?.capabilities ?? [], stack: child }, deps);
        parameters = p.parameters;
        description = p.template.Description;
      }
      const tags: Tag[] = stackTags(props, ctx);
      const same = body === child.templateBody && JSON.stringify(parameters) === JSON.stringify(child.parameters) && JSON.stringify(tags) === JSON.stringify(child.tags);
      if (same) {
        if (child.nestedPrevious) {
          child.nestedPrevious = undefined;
          cfn.put(child);
        }
        return { attributes: outputAttributes(child) };
      }
      if (!UPDATABLE.includes(child.status)) throw new Error(`Embedded stack ${physicalId} is in ${child.status} state and can not be updated.`);
      child.nestedPrevious = rollingBack ? undefined : { body: child.templateBody, parameters: child.parameters };
      child.timeoutInMinutes = timeout(props);
      child.notificationARNs = notifications(props);
      // Started by this parent's update (not its rollback), the child's update waits for the parent's to end.
      beginUpdate(deps, child, { body, parameters, description, capabilities: parent?.capabilities ?? [], tags, deferCleanup: !rollingBack });
      const after = await settled(physicalId, ctx);
      if (after?.status !== 'UPDATE_COMPLETE' && after?.status !== 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS')
        throw new Error(`Embedded stack ${physicalId} was not successfully updated. Currently in ${after?.status} with reason: ${why(after)}`);
      return { attributes: outputAttributes(after) };
    },

    async afterUpdate(physicalId, ctx) {
      const child = await settled(physicalId, ctx);
      if (child?.status !== 'UPDATE_COMPLETE_CLEANUP_IN_PROGRESS' || !child.update?.deferCleanup) return;
      engine.finishDeferredUpdate(child);
      await settled(physicalId, ctx);
    },

    async delete(physicalId, _props, ctx) {
      const child = await settled(physicalId, ctx);
      if (!child || child.status === 'DELETE_COMPLETE') return;
      engine.delete(child);
      const after = await settled(physicalId, ctx);
      if (after && after.status !== 'DELETE_COMPLETE') throw new Error(`Embedded stack ${physicalId} was not successfully deleted: ${why(after)}`);
    },
  };
  return provider;
}
