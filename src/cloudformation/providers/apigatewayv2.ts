// AWS::ApiGatewayV2::* → API Gateway's own operations (the model's PascalCase members match the
// template's). A VPC link is waited on until AVAILABLE, as CloudFormation does.
import { asInput } from './api-shape.js';
import { deleteIgnoringMissing, mergedTags, tagMap, type ProviderContext, type ResourceProvider } from './provider.js';

type Props = Record<string, unknown>;
type Out = Record<string, unknown>;

function apiTags(props: Props, ctx: ProviderContext): Record<string, string> | undefined {
  const own = props.Tags && !Array.isArray(props.Tags) ? (props.Tags as Record<string, string>) : tagMap(mergedTags(props, ctx));
  const all = { ...tagMap(ctx.tags), ...own, ...tagMap((ctx.systemTags ?? []).filter((t) => !Object.hasOwn(own, t.Key))) };
  return Object.keys(all).length ? all : undefined;
}

interface ChildSpec {
  type: string;
  noun: string; // Integration, Route, Stage …
  idMember: string; // IntegrationId …
  attributes: string[];
  replaceOn: string[];
  /** What Ref returns (and the delete key): the id member, or StageName for stages. */
  refMember?: string;
  tags?: boolean;
}

function child(spec: ChildSpec): ResourceProvider {
  const ref = spec.refMember ?? spec.idMember;
  return {
    type: spec.type,
    attributes: spec.attributes,
    replaceOn: spec.replaceOn,
    async create(props, ctx) {
      const input = asInput('apigatewayv2', `Create${spec.noun}`, { ...props, Tags: spec.tags ? apiTags(props, ctx) : undefined });
      const out = await ctx.call('apigatewayv2', `Create${spec.noun}`, input);
      const id = String(out[ref]);
      return { physicalId: id, attributes: Object.fromEntries(spec.attributes.map((a) => [a, out[a]])) };
    },
    async update(id, props, _old, ctx) {
      const input = asInput('apigatewayv2', `Update${spec.noun}`, { ...props, [ref]: id });
      const out = await ctx.call('apigatewayv2', `Update${spec.noun}`, input);
      return { attributes: Object.fromEntries(spec.attributes.map((a) => [a, out[a]])) };
    },
    async delete(id, props, ctx) {
      await deleteIgnoringMissing(() => ctx.call('apigatewayv2', `Delete${spec.noun}`, asInput('apigatewayv2', `Delete${spec.noun}`, { ...props, [ref]: id })));
    },
  };
}

export const api: ResourceProvider = {
  type: 'AWS::ApiGatewayV2::Api',
  attributes: ['ApiEndpoint', 'ApiId'],
  replaceOn: ['ProtocolType'],
  async create(props, ctx) {
    const input = asInput('apigatewayv2', 'CreateApi', { ...props, Name: props.Name ?? ctx.generatedName(128), Tags: apiTags(props, ctx) });
    const out = await ctx.call('apigatewayv2', 'CreateApi', input);
    return { physicalId: out.ApiId as string, attributes: { ApiId: out.ApiId, ApiEndpoint: out.ApiEndpoint } };
  },
  async update(id, props, _old, ctx) {
    const out = await ctx.call('apigatewayv2', 'UpdateApi', asInput('apigatewayv2', 'UpdateApi', { ...props, ApiId: id }));
    return { attributes: { ApiId: id, ApiEndpoint: out.ApiEndpoint } };
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('apigatewayv2', 'DeleteApi', { ApiId: id }));
  },
};

async function waitAvailable(ctx: ProviderContext, id: string): Promise<void> {
  for (;;) {
    const link = await ctx.call('apigatewayv2', 'GetVpcLink', { VpcLinkId: id });
    if (link.VpcLinkStatus === 'AVAILABLE') return;
    if (link.VpcLinkStatus === 'FAILED') throw new Error(String(link.VpcLinkStatusMessage ?? `VPC link ${id} failed`));
    await ctx.sleep(100);
  }
}

export const vpcLink: ResourceProvider = {
  type: 'AWS::ApiGatewayV2::VpcLink',
  attributes: ['VpcLinkId'],
  replaceOn: ['SubnetIds', 'SecurityGroupIds'],
  async create(props, ctx) {
    const out = await ctx.call('apigatewayv2', 'CreateVpcLink', asInput('apigatewayv2', 'CreateVpcLink', { ...props, Tags: apiTags(props, ctx) }));
    const id = out.VpcLinkId as string;
    return { physicalId: id, attributes: { VpcLinkId: id } };
  },
  async stabilize(id, _props, ctx) {
    await waitAvailable(ctx, id);
    return undefined;
  },
  async update(id, props, _old, ctx) {
    await ctx.call('apigatewayv2', 'UpdateVpcLink', { VpcLinkId: id, Name: props.Name });
    return {};
  },
  async delete(id, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('apigatewayv2', 'DeleteVpcLink', { VpcLinkId: id }));
  },
};

export const integration = child({ type: 'AWS::ApiGatewayV2::Integration', noun: 'Integration', idMember: 'IntegrationId', attributes: ['IntegrationId'], replaceOn: ['ApiId'] });
export const route = child({ type: 'AWS::ApiGatewayV2::Route', noun: 'Route', idMember: 'RouteId', attributes: ['RouteId'], replaceOn: ['ApiId'] });
export const stage = child({ type: 'AWS::ApiGatewayV2::Stage', noun: 'Stage', idMember: 'StageName', attributes: [], replaceOn: ['ApiId', 'StageName'], tags: true });
export const deployment = child({ type: 'AWS::ApiGatewayV2::Deployment', noun: 'Deployment', idMember: 'DeploymentId', attributes: ['DeploymentId'], replaceOn: ['ApiId'] });
export const authorizer = child({ type: 'AWS::ApiGatewayV2::Authorizer', noun: 'Authorizer', idMember: 'AuthorizerId', attributes: ['AuthorizerId'], replaceOn: ['ApiId'] });
export const apiMapping = child({ type: 'AWS::ApiGatewayV2::ApiMapping', noun: 'ApiMapping', idMember: 'ApiMappingId', attributes: ['ApiMappingId'], replaceOn: ['DomainName'] });

export const domainName: ResourceProvider = {
  type: 'AWS::ApiGatewayV2::DomainName',
  attributes: ['RegionalDomainName', 'RegionalHostedZoneId', 'DomainNameArn'],
  replaceOn: ['DomainName'],
  async create(props, ctx) {
    const out = await ctx.call('apigatewayv2', 'CreateDomainName', asInput('apigatewayv2', 'CreateDomainName', { ...props, Tags: apiTags(props, ctx) }));
    const cfg = ((out.DomainNameConfigurations as Out[] | undefined) ?? [])[0] ?? {};
    return {
      physicalId: out.DomainName as string,
      attributes: { RegionalDomainName: cfg.ApiGatewayDomainName, RegionalHostedZoneId: cfg.HostedZoneId, DomainNameArn: out.DomainNameArn },
    };
  },
  async delete(name, _props, ctx) {
    await deleteIgnoringMissing(() => ctx.call('apigatewayv2', 'DeleteDomainName', { DomainName: name }));
  },
};
