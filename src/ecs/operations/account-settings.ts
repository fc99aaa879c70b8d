// Account settings: PutAccountSetting, PutAccountSettingDefault, ListAccountSettings, DeleteAccountSetting.
// Stored per region and account. A principal's effective value is its own setting, else the root
// user's (PutAccountSettingDefault writes that one), else AWS's default for the setting. Requests are
// made as the account's root user (Wayfinder has no IAM users), so that is the caller's principal.
// The values are stored and returned; only containerInsights changes anything here (the default of new clusters).
import { accountRootArn } from '../../kernel/arn.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ecs from '../../protocol/generated/ecs.js';
import { accountSettingKey, type AccountSettingRecord } from '../store.js';
import { invalid, page, type EcsOpsContext } from './common.js';
import type { Scope } from '../../store/store.js';

interface SettingRule {
  values: readonly string[];
  /** AWS's value for an account that never set it. */
  default: string;
  /** Settings AWS manages: read-only (type aws_managed). */
  awsManaged?: boolean;
  /** Settings that can no longer be turned off (AWS refuses the disabled value). */
  alwaysEnabled?: boolean;
  /** Settings only the root user may set. */
  rootOnly?: boolean;
}

const ON_OFF = ['enabled', 'disabled'] as const;

/** Every SettingName of the model, with its values and AWS's default. */
export const SETTING_RULES: Record<Ecs.SettingName, SettingRule> = {
  serviceLongArnFormat: { values: ON_OFF, default: 'enabled', alwaysEnabled: true },
  taskLongArnFormat: { values: ON_OFF, default: 'enabled', alwaysEnabled: true },
  containerInstanceLongArnFormat: { values: ON_OFF, default: 'enabled', alwaysEnabled: true },
  awsvpcTrunking: { values: ON_OFF, default: 'disabled' },
  containerInsights: { values: ['enabled', 'disabled', 'enhanced'], default: 'disabled' },
  fargateFIPSMode: { values: ON_OFF, default: 'disabled' },
  tagResourceAuthorization: { values: ['on', 'off'], default: 'on' },
  fargateTaskRetirementWaitPeriod: { values: ['0', '7', '14'], default: '7', rootOnly: true },
  guardDutyActivate: { values: ['on', 'off'], default: 'off', awsManaged: true },
  defaultLogDriverMode: { values: ['blocking', 'non-blocking'], default: 'non-blocking' },
  fargateEventWindows: { values: ON_OFF, default: 'disabled' },
};

const SETTING_NAMES = Object.keys(SETTING_RULES) as Ecs.SettingName[];
const PRINCIPAL = /^arn:aws[a-z-]*:iam::(\d{12}):(root|user\/.+|role\/.+)$/;

/** The value of setting `name` for `principal` (default: the root user) in this region and account. */
export function effectiveSetting(c: EcsOpsContext, scope: Scope, name: Ecs.SettingName, principal?: string): Ecs.Setting {
  const root = accountRootArn(scope.accountId);
  const own = principal && principal !== root ? c.ecs.accountSettings.get(accountSettingKey(scope, principal, name)) : undefined;
  const chosen = own ?? c.ecs.accountSettings.get(accountSettingKey(scope, root, name));
  return settingWire(name, chosen?.value ?? SETTING_RULES[name].default, chosen?.principalArn ?? root);
}

function settingWire(name: Ecs.SettingName, value: string, principalArn: string): Ecs.Setting {
  return { name, value, principalArn, type: SETTING_RULES[name].awsManaged ? 'aws_managed' : 'user' };
}

export function accountSettingOperations(c: EcsOpsContext) {
  function principalOf(ctx: RequestContext, given: string | undefined): string {
    if (given === undefined) return accountRootArn(ctx.accountId);
    const m = PRINCIPAL.exec(given);
    if (!m) throw invalid(`The principal ARN '${given}' is not valid. Specify the ARN of an IAM user, an IAM role, or the root user.`);
    if (m[1] !== ctx.accountId) throw invalid(`The principal ARN '${given}' does not belong to account ${ctx.accountId}.`);
    return m[2] === 'root' ? accountRootArn(ctx.accountId) : given;
  }

  function put(ctx: RequestContext, name: Ecs.SettingName, value: string, principalArn: string): Ecs.Setting {
    const rule = SETTING_RULES[name];
    if (rule.awsManaged) throw invalid(`The ${name} account setting is managed by AWS and is read-only.`);
    if (!rule.values.includes(value)) throw invalid(`Invalid value '${value}' for the ${name} account setting. Valid values: ${rule.values.join(', ')}.`);
    if (rule.alwaysEnabled && value !== 'enabled') throw invalid(`You can no longer disable ${name}.`);
    if (rule.rootOnly && principalArn !== accountRootArn(ctx.accountId)) throw invalid(`You must use the root user to set ${name}.`);
    const record: AccountSettingRecord = { region: ctx.region, accountId: ctx.accountId, principalArn, name, value };
    c.ecs.store.withTx(() => c.ecs.accountSettings.putTx(accountSettingKey(ctx, principalArn, name), record));
    return settingWire(name, value, principalArn);
  }

  return {
    PutAccountSetting(input: Ecs.PutAccountSettingRequest, ctx: RequestContext): Ecs.PutAccountSettingResponse {
      return { setting: put(ctx, input.name, input.value, principalOf(ctx, input.principalArn)) };
    },

    PutAccountSettingDefault(input: Ecs.PutAccountSettingDefaultRequest, ctx: RequestContext): Ecs.PutAccountSettingDefaultResponse {
      return { setting: put(ctx, input.name, input.value, accountRootArn(ctx.accountId)) };
    },

    DeleteAccountSetting(input: Ecs.DeleteAccountSettingRequest, ctx: RequestContext): Ecs.DeleteAccountSettingResponse {
      const principal = principalOf(ctx, input.principalArn);
      if (SETTING_RULES[input.name].awsManaged) throw invalid(`The ${input.name} account setting is managed by AWS and is read-only.`);
      const key = accountSettingKey(ctx, principal, input.name);
      const existing = c.ecs.accountSettings.get(key);
      if (!existing) return { setting: effectiveSetting(c, ctx, input.name, principal) };
      c.ecs.store.withTx(() => c.ecs.accountSettings.deleteTx(key));
      return { setting: settingWire(existing.name, existing.value, existing.principalArn) };
    },

    ListAccountSettings(input: Ecs.ListAccountSettingsRequest, ctx: RequestContext): Ecs.ListAccountSettingsResponse {
      if (input.value !== undefined && input.name === undefined) throw invalid('The name parameter must be specified when you filter by value.');
      const principal = principalOf(ctx, input.principalArn);
      const names = input.name ? [input.name] : SETTING_NAMES;
      const settings = input.effectiveSettings
        ? names.map((n) => effectiveSetting(c, ctx, n, principal))
        : names.flatMap((n) => {
            const own = c.ecs.accountSettings.get(accountSettingKey(ctx, principal, n));
            return own ? [settingWire(own.name, own.value, own.principalArn)] : [];
          });
      const matching = settings.filter((s) => input.value === undefined || s.value === input.value);
      const p = page(matching, (s) => s.name!, input.maxResults, input.nextToken, 10);
      return { settings: p.items, nextToken: p.nextToken };
    },
  };
}
