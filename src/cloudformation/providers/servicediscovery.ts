// AWS::ServiceDiscovery::* → Cloud Map's own operations. Namespace operations are asynchronous in
// Cloud Map (an OperationId); the provider polls GetOperation as CloudFormation does.
import { randomUUID } from 'node:crypto';
import { asInput } from './api-shape.js';
import { deleteIgnoringMissing, mergedTags, type ProviderContext, type ResourceProvider } from './provider.js';

type Out = Record<string, unknown>;

async function awaitOperation(ctx: ProviderContext, operationId: string): Promise<Out> {
  for (;;) {
    const op = (await ctx.call('servicediscovery', 'GetOperation', { OperationId: operationId })).Operation as Out;
    if (op.Status === 'SUCCESS') return op;
    if (op.Status === 'FAIL') throw new Error(`${String(op.ErrorCode ?? 'Failed')}: ${String(op.ErrorMessage ?? 'the Cloud Map operation failed')}`);
    await ctx.sleep(100);
  }
}

async function namespaceAttributes(ctx: ProviderContext, id: string): Promise<Out> {
  const ns = (await ctx.call('servicediscovery', 'GetNamespace', { Id: id })).Namespace as Out;
  const dns = (ns.Properties as Out | undefined)?.DnsProperties as Out | undefined;
  return { Id: id, Arn: ns.Arn, HostedZoneId: dns?.HostedZoneId };
}

function namespaceProvider(type: string, operation: string, extra: string[]): ResourceProvider {
  return {
    type,
    attributes: ['Arn', 'Id', ...(operation === 'CreateHttpNamespace' ? [] : ['HostedZoneId'])],
    replaceOn: ['Name', ...extra],
    async create(props, ctx) {
      const tags = mergedTags(props, ctx);
      const input = asInput('servicediscovery', operation, { ...props, CreatorRequestId: randomUUID(), Tags: tags.length ? tags : undefined });
      const op = await awaitOperation(ctx, (await ctx.call('servicediscovery', operation, input)).OperationId as string);
      const id = (op.Targets as Record<string, string>).NAMESPACE!;
      return { physicalId: id, attributes: await namespaceAttributes(ctx, id) };
    },
    async delete(id, _props, ctx) {
      await deleteIgnoringMissing(async () => {
        const out = await ctx.call('servicediscovery', 'DeleteNamespace', { Id: id });
        if (out.OperationId) await awaitOperation(ctx, out.OperationId as string);
      });
    },
  };
}

export const privateDnsNamespace = namespaceProvider('AWS::ServiceDiscovery::PrivateDnsNamespace', 'CreatePrivateDnsNamespace', ['Vpc']);
export const publicDnsNamespace = namespaceProvider('AWS::ServiceDiscovery::PublicDnsNamespace', 'CreatePublicDnsNamespace', []);
export const httpNamespace = namespaceProvider('AWS::ServiceDiscovery::HttpNamespace', 'CreateHttpNamespace', []);

export const discoveryService: ResourceProvider = {
  type: 'AWS::ServiceDiscovery::Service',
  attributes: ['Arn', 'Id', 'Name'],
  replaceOn: ['Name', 'NamespaceId', 'HealthCheckCustomConfig', 'Type'],
  async create(props, ctx) {
    const tags = mergedTags(props, ctx);
    const input = asInput('servicediscovery', 'CreateService', {
      ...props,
      Name: props.Name ?? ctx.generatedName(127),
      CreatorRequestId: randomUUID(),
      Tags: tags.length ? tags : undefined,
    });
    const svc = (await ctx.call('servicediscovery', 'CreateService', input)).Service as Out;
    return { physicalId: svc.Id as string, attributes: { Id: svc.Id, Arn: svc.Arn, Name: svc.Name } };
  },
  async update(id, props, _old, ctx) {
    const dns = props.DnsConfig as Out | undefined;
    const input = asInput('servicediscovery', 'UpdateService', {
      Id: id,
      Service: { Description: props.Description, DnsConfig: dns ? { DnsRecords: dns.DnsRecords } : undefined, HealthCheckConfig: props.HealthCheckConfig },
    });
    const out = await ctx.call('servicediscovery', 'UpdateService', input);
    if (out.OperationId) await awaitOperation(ctx, out.OperationId as string);
    return {};
  },
  async delete(id, _props, ctx) {
    // ECS deregisters a deleted service's instances as its tasks stop: a service still in use is retried.
    for (let i = 0; ; i++) {
      try {
        await deleteIgnoringMissing(() => ctx.call('servicediscovery', 'DeleteService', { Id: id }));
        return;
      } catch (e) {
        if ((e as { code?: string }).code !== 'ResourceInUse' || i > 1200) throw e;
        await ctx.sleep(250);
      }
    }
  },
};

export const discoveryInstance: ResourceProvider = {
  type: 'AWS::ServiceDiscovery::Instance',
  attributes: [],
  replaceOn: ['*'],
  async create(props, ctx) {
    const instanceId = (props.InstanceId as string | undefined) ?? ctx.generatedName(64);
    const out = await ctx.call('servicediscovery', 'RegisterInstance', {
      ServiceId: props.ServiceId,
      InstanceId: instanceId,
      Attributes: props.InstanceAttributes,
      CreatorRequestId: randomUUID(),
    });
    if (out.OperationId) await awaitOperation(ctx, out.OperationId as string);
    return { physicalId: instanceId };
  },
  async delete(id, props, ctx) {
    await deleteIgnoringMissing(async () => {
      const out = await ctx.call('servicediscovery', 'DeregisterInstance', { ServiceId: props.ServiceId, InstanceId: id });
      if (out.OperationId) await awaitOperation(ctx, out.OperationId as string);
    });
  },
};
