// AWS::IAM::* → IAM's own operations (CreateRole, PutRolePolicy, AttachRolePolicy, CreatePolicy,
// CreateInstanceProfile …). Each needs CAPABILITY_IAM, or CAPABILITY_NAMED_IAM when it names itself.
import { deleteIgnoringMissing, mergedTags, type ProviderContext, type ResourceProvider } from './provider.js';

type Props = Record<string, unknown>;
type Out = Record<string, unknown>;

const doc = (d: unknown) => (typeof d === 'string' ? d : JSON.stringify(d));
const named = (member: string) => (props: Props) => (props[member] !== undefined ? ('CAPABILITY_NAMED_IAM' as const) : ('CAPABILITY_IAM' as const));

async function putInline(ctx: ProviderContext, role: string, policies: Props[]): Promise<void> {
  for (const p of policies) await ctx.call('iam', 'PutRolePolicy', { RoleName: role, PolicyName: p.PolicyName, PolicyDocument: doc(p.PolicyDocument) });
}

export const role: ResourceProvider = {
  type: 'AWS::IAM::Role',
  attributes: ['Arn', 'RoleId'],
  replaceOn: ['RoleName', 'Path'],
  capability: named('RoleName'),
  async create(props, ctx) {
    const name = (props.RoleName as string | undefined) ?? ctx.generatedName(64);
    const tags = mergedTags(props, ctx);
    const out = await ctx.call('iam', 'CreateRole', {
      RoleName: name,
      Path: props.Path,
      AssumeRolePolicyDocument: doc(props.AssumeRolePolicyDocument),
      Description: props.Description,
      MaxSessionDuration: props.MaxSessionDuration,
      PermissionsBoundary: props.PermissionsBoundary,
      Tags: tags.length ? tags : undefined,
    });
    const r = out.Role as Out;
    for (const arn of (props.ManagedPolicyArns as string[] | undefined) ?? []) await ctx.call('iam', 'AttachRolePolicy', { RoleName: name, PolicyArn: arn });
    await putInline(ctx, name, (props.Policies as Props[] | undefined) ?? []);
    return { physicalId: name, attributes: { Arn: r.Arn, RoleId: r.RoleId } };
  },
  async update(name, props, old, ctx) {
    if (doc(props.AssumeRolePolicyDocument) !== doc(old.AssumeRolePolicyDocument)) {
      await ctx.call('iam', 'UpdateAssumeRolePolicy', { RoleName: name, PolicyDocument: doc(props.AssumeRolePolicyDocument) });
    }
    const now = new Set((props.ManagedPolicyArns as string[] | undefined) ?? []);
    const before = new Set((old.ManagedPolicyArns as string[] | undefined) ?? []);
    for (const arn of before) if (!now.has(arn)) await deleteIgnoringMissing(() => ctx.call('iam', 'DetachRolePolicy', { RoleName: name, PolicyArn: arn }));
    for (const arn of now) if (!before.has(arn)) await ctx.call('iam', 'AttachRolePolicy', { RoleName: name, PolicyArn: arn });
    const inline = (props.Policies as Props[] | undefined) ?? [];
    for (const p of (old.Policies as Props[] | undefined) ?? []) {
      if (!inline.some((n) => n.PolicyName === p.PolicyName)) await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteRolePolicy', { RoleName: name, PolicyName: p.PolicyName }));
    }
    await putInline(ctx, name, inline);
    const r = (await ctx.call('iam', 'GetRole', { RoleName: name })).Role as Out;
    return { attributes: { Arn: r.Arn, RoleId: r.RoleId } };
  },
  async delete(name, props, ctx) {
    for (const arn of (props.ManagedPolicyArns as string[] | undefined) ?? [])
      await deleteIgnoringMissing(() => ctx.call('iam', 'DetachRolePolicy', { RoleName: name, PolicyArn: arn }));
    for (const p of (props.Policies as Props[] | undefined) ?? [])
      await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteRolePolicy', { RoleName: name, PolicyName: p.PolicyName }));
    await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteRole', { RoleName: name }));
  },
};

const roleNames = (props: Props) => ((props.Roles as string[] | undefined) ?? []).map((r) => String(r).split('/').pop()!);

export const policy: ResourceProvider = {
  type: 'AWS::IAM::Policy',
  attributes: ['Id'],
  replaceOn: [],
  capability: () => 'CAPABILITY_IAM',
  async create(props, ctx) {
    for (const r of roleNames(props)) await ctx.call('iam', 'PutRolePolicy', { RoleName: r, PolicyName: props.PolicyName, PolicyDocument: doc(props.PolicyDocument) });
    for (const u of (props.Users as string[] | undefined) ?? [])
      await ctx.call('iam', 'PutUserPolicy', { UserName: u, PolicyName: props.PolicyName, PolicyDocument: doc(props.PolicyDocument) });
    for (const g of (props.Groups as string[] | undefined) ?? [])
      await ctx.call('iam', 'PutGroupPolicy', { GroupName: g, PolicyName: props.PolicyName, PolicyDocument: doc(props.PolicyDocument) });
    const id = ctx.generatedName(64);
    return { physicalId: id, attributes: { Id: id } };
  },
  async update(id, props, old, ctx) {
    await policy.delete(id, old, ctx);
    await policy.create(props, ctx);
    return { physicalId: id };
  },
  async delete(_id, props, ctx) {
    for (const r of roleNames(props)) await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteRolePolicy', { RoleName: r, PolicyName: props.PolicyName }));
    for (const u of (props.Users as string[] | undefined) ?? [])
      await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteUserPolicy', { UserName: u, PolicyName: props.PolicyName }));
    for (const g of (props.Groups as string[] | undefined) ?? [])
      await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteGroupPolicy', { GroupName: g, PolicyName: props.PolicyName }));
  },
};

export const managedPolicy: ResourceProvider = {
  type: 'AWS::IAM::ManagedPolicy',
  attributes: ['PolicyArn', 'AttachmentCount', 'CreateDate', 'DefaultVersionId', 'IsAttachable', 'PolicyId', 'UpdateDate'],
  replaceOn: ['ManagedPolicyName', 'Path', 'Description', 'PolicyDocument'],
  capability: named('ManagedPolicyName'),
  async create(props, ctx) {
    const out = await ctx.call('iam', 'CreatePolicy', {
      PolicyName: props.ManagedPolicyName ?? ctx.generatedName(128),
      Path: props.Path,
      Description: props.Description,
      PolicyDocument: doc(props.PolicyDocument),
    });
    const p = out.Policy as Out;
    const arn = p.Arn as string;
    for (const r of roleNames(props)) await ctx.call('iam', 'AttachRolePolicy', { RoleName: r, PolicyArn: arn });
    return {
      physicalId: arn,
      attributes: { PolicyArn: arn, PolicyId: p.PolicyId, DefaultVersionId: p.DefaultVersionId ?? 'v1', IsAttachable: true, AttachmentCount: roleNames(props).length },
    };
  },
  async update(arn, props, old, ctx) {
    for (const r of roleNames(old)) if (!roleNames(props).includes(r)) await deleteIgnoringMissing(() => ctx.call('iam', 'DetachRolePolicy', { RoleName: r, PolicyArn: arn }));
    for (const r of roleNames(props)) if (!roleNames(old).includes(r)) await ctx.call('iam', 'AttachRolePolicy', { RoleName: r, PolicyArn: arn });
    return { attributes: { AttachmentCount: roleNames(props).length } };
  },
  async delete(arn, props, ctx) {
    for (const r of roleNames(props)) await deleteIgnoringMissing(() => ctx.call('iam', 'DetachRolePolicy', { RoleName: r, PolicyArn: arn }));
    await deleteIgnoringMissing(() => ctx.call('iam', 'DeletePolicy', { PolicyArn: arn }));
  },
};

export const instanceProfile: ResourceProvider = {
  type: 'AWS::IAM::InstanceProfile',
  attributes: ['Arn'],
  replaceOn: ['InstanceProfileName', 'Path'],
  capability: named('InstanceProfileName'),
  async create(props, ctx) {
    const name = (props.InstanceProfileName as string | undefined) ?? ctx.generatedName(128);
    const out = await ctx.call('iam', 'CreateInstanceProfile', { InstanceProfileName: name, Path: props.Path });
    for (const r of roleNames(props)) await ctx.call('iam', 'AddRoleToInstanceProfile', { InstanceProfileName: name, RoleName: r });
    return { physicalId: name, attributes: { Arn: (out.InstanceProfile as Out).Arn } };
  },
  async update(name, props, old, ctx) {
    for (const r of roleNames(old))
      if (!roleNames(props).includes(r)) await deleteIgnoringMissing(() => ctx.call('iam', 'RemoveRoleFromInstanceProfile', { InstanceProfileName: name, RoleName: r }));
    for (const r of roleNames(props)) if (!roleNames(old).includes(r)) await ctx.call('iam', 'AddRoleToInstanceProfile', { InstanceProfileName: name, RoleName: r });
    return {};
  },
  async delete(name, props, ctx) {
    for (const r of roleNames(props)) await deleteIgnoringMissing(() => ctx.call('iam', 'RemoveRoleFromInstanceProfile', { InstanceProfileName: name, RoleName: r }));
    await deleteIgnoringMissing(() => ctx.call('iam', 'DeleteInstanceProfile', { InstanceProfileName: name }));
  },
};
