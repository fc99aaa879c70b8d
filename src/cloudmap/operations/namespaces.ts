// Namespaces: HTTP, private DNS and public DNS; create/update/delete are asynchronous operations.
import { AwsError } from '../../kernel/errors.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as SD from '../../protocol/generated/servicediscovery.js';
import { hostedZoneId, namespaceArn, namespaceId, operationId } from '../ids.js';
import type { NamespaceRecord, NamespaceType } from '../store.js';
import {
  checkFilter,
  matchFilter,
  namespaceProperties,
  namespaceWire,
  ownerMatches,
  page,
  refuseInFlight,
  rememberTokenTx,
  replayedOperation,
  requireNamespace,
  tagsFromList,
  type Condition,
  type CloudMapOpsContext,
} from './common.js';
import { scopePrefix } from '../../store/store.js';

const DEFAULT_SOA_TTL = 15;

/** DNS namespace names become zones: labels of 1–63 characters, no trailing dot kept. */
function dnsName(name: string): string {
  const n = name.endsWith('.') && name.length > 1 ? name.slice(0, -1) : name;
  if (n.split('.').some((l) => l.length === 0 || l.length > 63)) throw new AwsError('InvalidInput', `Namespace name ${name} is not a valid DNS name.`);
  return n;
}

const sameName = (a: NamespaceRecord, name: string, type: NamespaceType) =>
  a.name === name || (a.type !== 'HTTP' && type !== 'HTTP' && a.name.toLowerCase() === name.toLowerCase());

export function namespaceOperations(deps: CloudMapOpsContext) {
  const { store, cm, runner } = deps;

  interface CreateSpec {
    type: NamespaceType;
    name: string;
    token?: string;
    description?: string;
    tags?: SD.TagList;
    vpc?: string;
    soaTtl?: number;
  }

  function create(ctx: RequestContext, spec: CreateSpec): { OperationId: string } {
    const name = spec.type === 'HTTP' ? spec.name : dnsName(spec.name);
    const tags = tagsFromList(spec.tags);
    const fingerprint = JSON.stringify([spec.type, name, spec.description ?? null, spec.vpc ?? null, spec.soaTtl ?? null, tags]);
    return store.withTx(() => {
      const replay = replayedOperation(cm, ctx, 'create-namespace', spec.token, fingerprint);
      if (replay) return { OperationId: replay };
      const existing = cm.namespaces.withPrefix(scopePrefix(ctx)).find((n) => sameName(n, name, spec.type));
      if (existing) {
        throw new AwsError('NamespaceAlreadyExists', `Namespace ${name} already exists (${existing.id}).`, {
          fields: { CreatorRequestId: existing.creatorRequestId, NamespaceId: existing.id },
        });
      }
      refuseInFlight(runner.inFlight(ctx), (op) => op.action?.kind === 'createNamespace' && sameName(op.action.namespace, name, spec.type));
      const id = namespaceId();
      const opId = operationId();
      const ns: NamespaceRecord = {
        region: ctx.region,
        accountId: ctx.accountId,
        id,
        arn: namespaceArn(ctx.region, ctx.accountId, id),
        name,
        type: spec.type,
        httpName: name,
        createdAt: Date.now(),
        operationId: opId,
        tags,
        ...(spec.description !== undefined ? { description: spec.description } : {}),
        ...(spec.token ? { creatorRequestId: spec.token } : {}),
        ...(spec.type !== 'HTTP' ? { hostedZoneId: hostedZoneId(), soaTtl: spec.soaTtl ?? DEFAULT_SOA_TTL } : {}),
        ...(spec.vpc ? { vpc: spec.vpc } : {}),
      };
      runner.submitTx({
        id: opId,
        region: ctx.region,
        accountId: ctx.accountId,
        type: 'CREATE_NAMESPACE',
        targets: { NAMESPACE: id },
        action: { kind: 'createNamespace', namespace: ns },
      });
      rememberTokenTx(cm, ctx, 'create-namespace', spec.token, fingerprint, opId);
      return { OperationId: opId };
    });
  }

  function update(ctx: RequestContext, idOrArn: string, type: NamespaceType, token: string | undefined, description: string | undefined, soaTtl: number | undefined) {
    const fingerprint = JSON.stringify([idOrArn, description ?? null, soaTtl ?? null]);
    return store.withTx(() => {
      const replay = replayedOperation(cm, ctx, 'update-namespace', token, fingerprint);
      if (replay) return { OperationId: replay };
      const ns = requireNamespace(cm, ctx, idOrArn);
      if (ns.type !== type) throw new AwsError('InvalidInput', `Namespace ${ns.id} is of type ${ns.type}; use the matching Update…Namespace operation.`);
      if (description === undefined && soaTtl === undefined) throw new AwsError('InvalidInput', 'Nothing to update: specify Description or Properties.');
      refuseInFlight(runner.inFlight(ctx), (op) => op.targets.NAMESPACE === ns.id);
      const opId = runner.submitTx({
        region: ctx.region,
        accountId: ctx.accountId,
        type: 'UPDATE_NAMESPACE',
        targets: { NAMESPACE: ns.id },
        action: { kind: 'updateNamespace', namespaceId: ns.id, ...(description !== undefined ? { description } : {}), ...(soaTtl !== undefined ? { soaTtl } : {}) },
      });
      rememberTokenTx(cm, ctx, 'update-namespace', token, fingerprint, opId);
      return { OperationId: opId };
    });
  }

  return {
    CreateHttpNamespace(input: SD.CreateHttpNamespaceRequest, ctx: RequestContext): SD.CreateHttpNamespaceResponse {
      return create(ctx, { type: 'HTTP', name: input.Name, token: input.CreatorRequestId, description: input.Description, tags: input.Tags });
    },

    CreatePrivateDnsNamespace(input: SD.CreatePrivateDnsNamespaceRequest, ctx: RequestContext): SD.CreatePrivateDnsNamespaceResponse {
      if (!deps.ec2.vpc(ctx, input.Vpc)) throw new AwsError('InvalidInput', `VPC ${input.Vpc} does not exist in ${ctx.region}.`);
      return create(ctx, {
        type: 'DNS_PRIVATE',
        name: input.Name,
        token: input.CreatorRequestId,
        description: input.Description,
        tags: input.Tags,
        vpc: input.Vpc,
        soaTtl: input.Properties?.DnsProperties.SOA.TTL,
      });
    },

    CreatePublicDnsNamespace(input: SD.CreatePublicDnsNamespaceRequest, ctx: RequestContext): SD.CreatePublicDnsNamespaceResponse {
      return create(ctx, {
        type: 'DNS_PUBLIC',
        name: input.Name,
        token: input.CreatorRequestId,
        description: input.Description,
        tags: input.Tags,
        soaTtl: input.Properties?.DnsProperties.SOA.TTL,
      });
    },

    UpdateHttpNamespace(input: SD.UpdateHttpNamespaceRequest, ctx: RequestContext): SD.UpdateHttpNamespaceResponse {
      return update(ctx, input.Id, 'HTTP', input.UpdaterRequestId, input.Namespace.Description, undefined);
    },

    UpdatePrivateDnsNamespace(input: SD.UpdatePrivateDnsNamespaceRequest, ctx: RequestContext): SD.UpdatePrivateDnsNamespaceResponse {
      return update(ctx, input.Id, 'DNS_PRIVATE', input.UpdaterRequestId, input.Namespace.Description, input.Namespace.Properties?.DnsProperties.SOA.TTL);
    },

    UpdatePublicDnsNamespace(input: SD.UpdatePublicDnsNamespaceRequest, ctx: RequestContext): SD.UpdatePublicDnsNamespaceResponse {
      return update(ctx, input.Id, 'DNS_PUBLIC', input.UpdaterRequestId, input.Namespace.Description, input.Namespace.Properties?.DnsProperties.SOA.TTL);
    },

    DeleteNamespace(input: SD.DeleteNamespaceRequest, ctx: RequestContext): SD.DeleteNamespaceResponse {
      return store.withTx(() => {
        const ns = requireNamespace(cm, ctx, input.Id);
        const services = cm.serviceCount(ctx, ns.id);
        if (services) throw new AwsError('ResourceInUse', `Namespace ${ns.id} has ${services} service(s); delete them first.`);
        refuseInFlight(runner.inFlight(ctx), (op) => op.targets.NAMESPACE === ns.id);
        const opId = runner.submitTx({
          region: ctx.region,
          accountId: ctx.accountId,
          type: 'DELETE_NAMESPACE',
          targets: { NAMESPACE: ns.id },
          action: { kind: 'deleteNamespace', namespaceId: ns.id },
        });
        return { OperationId: opId };
      });
    },

    GetNamespace(input: SD.GetNamespaceRequest, ctx: RequestContext): SD.GetNamespaceResponse {
      return { Namespace: namespaceWire(cm, requireNamespace(cm, ctx, input.Id)) };
    },

    ListNamespaces(input: SD.ListNamespacesRequest, ctx: RequestContext): SD.ListNamespacesResponse {
      let items = cm.namespaces.withPrefix(scopePrefix(ctx));
      for (const f of input.Filters ?? []) {
        const values = f.Values;
        switch (f.Name) {
          case 'TYPE': {
            const c = checkFilter('TYPE', f.Condition as Condition, values, ['EQ', 'IN']);
            const bad = values.find((v) => !['HTTP', 'DNS_PRIVATE', 'DNS_PUBLIC'].includes(v));
            if (bad) throw new AwsError('InvalidInput', `Unknown namespace type ${bad}.`);
            items = items.filter((n) => matchFilter(n.type, c, values));
            break;
          }
          case 'NAME':
          case 'HTTP_NAME': {
            const c = checkFilter(f.Name, f.Condition as Condition, values, ['EQ', 'BEGINS_WITH']);
            items = items.filter((n) => matchFilter(f.Name === 'NAME' ? n.name : n.httpName, c, values));
            break;
          }
          case 'RESOURCE_OWNER':
            checkFilter('RESOURCE_OWNER', f.Condition as Condition, values, ['EQ']);
            items = items.filter((n) => ownerMatches(n.accountId, ctx, values));
            break;
        }
      }
      const p = page(items, (n) => n.id, input.MaxResults, input.NextToken);
      return {
        Namespaces: p.items.map((n) => {
          const { CreatorRequestId: _omit, ...summary } = namespaceWire(cm, n);
          return { ...summary, Properties: namespaceProperties(n) };
        }),
        NextToken: p.nextToken,
      };
    },
  } satisfies Partial<SD.ServiceDiscoveryOperations>;
}
