// Custom domain names and API mappings (docs/aws-behavior.md §2.8). A domain is served on the edge port by its Host
// header; a request selects the mapping with the longest key that prefixes its path and goes to that
// API and stage with the key removed (no stage in the path). Names must be real DNS names, so a
// domain can never capture the control plane's own host (localhost, 127.0.0.1).
import { alnum } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type { ApiGatewayV2Operations, ApiMapping, DomainName, DomainNameConfiguration, MutualTlsAuthentication } from '../../protocol/generated/apigatewayv2.js';
import { mappingKey, type ApiMappingRecord, type DomainConfigRecord, type DomainNameRecord } from '../store.js';
import { badRequest, checkTags, conflict, notFound, page, requireApi, requireStage, resourceArn, type GatewayOpsContext, wireDate } from './common.js';
import { scopedKey, scopePrefix } from '../../store/store.js';

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,61}[a-z0-9]$/i;
const MAPPING_KEY = /^[A-Za-z0-9_.$-]+(?:\/[A-Za-z0-9_.$-]+)*$/;
/** Regional API Gateway hosted zone ids, as AWS returns them (us-east-1 first). */
const HOSTED_ZONES: Record<string, string> = {
  'us-east-1': 'Z1UJRXOUMOOFQ8',
  'us-east-2': 'ZOJJZC49E0EPZ',
  'us-west-1': 'Z2MUQ32089INYE',
  'us-west-2': 'Z2OJLYMUO9EFXC',
  'eu-west-1': 'ZLY8HYME6SFDD',
  'eu-central-1': 'Z1U9ULNL0V5AJ3',
};

function configWire(d: DomainConfigRecord): DomainNameConfiguration {
  return {
    ApiGatewayDomainName: d.apiGatewayDomainName,
    CertificateArn: d.certificateArn,
    CertificateName: d.certificateName,
    CertificateUploadDate: d.certificateUploadDate ? wireDate(d.certificateUploadDate) : undefined,
    DomainNameStatus: 'AVAILABLE',
    DomainNameStatusMessage: undefined,
    EndpointType: d.endpointType as DomainNameConfiguration['EndpointType'],
    HostedZoneId: d.hostedZoneId,
    IpAddressType: (d.ipAddressType ?? 'ipv4') as DomainNameConfiguration['IpAddressType'],
    SecurityPolicy: d.securityPolicy as DomainNameConfiguration['SecurityPolicy'],
    OwnershipVerificationCertificateArn: d.ownershipVerificationCertificateArn,
  };
}

export function domainWire(d: DomainNameRecord): DomainName {
  return {
    ApiMappingSelectionExpression: '$request.basepath',
    DomainName: d.domainName,
    DomainNameArn: resourceArn(d.region, `/domainnames/${d.domainName}`),
    DomainNameConfigurations: d.configurations.map(configWire),
    MutualTlsAuthentication: d.mutualTlsAuthentication
      ? ({ TruststoreUri: d.mutualTlsAuthentication.truststoreUri, TruststoreVersion: d.mutualTlsAuthentication.truststoreVersion } as MutualTlsAuthentication)
      : undefined,
    RoutingMode: (d.routingMode ?? 'API_MAPPING_ONLY') as DomainName['RoutingMode'],
    Tags: d.tags,
  };
}

export function mappingWire(m: ApiMappingRecord): ApiMapping {
  return { ApiId: m.apiId, ApiMappingId: m.apiMappingId, ApiMappingKey: m.apiMappingKey, Stage: m.stage };
}

function configsOf(region: string, input: DomainNameConfiguration[] | undefined, existing?: DomainConfigRecord[]): DomainConfigRecord[] {
  const list = input?.length ? input : existing ? [] : [{}];
  if (!list.length) return existing!;
  if (list.length > 1) throw badRequest('A domain name takes one domain name configuration.');
  return list.map((cfg, i) => {
    const endpointType = cfg.EndpointType ?? 'REGIONAL';
    if (endpointType !== 'REGIONAL') throw badRequest(`Invalid endpoint type ${endpointType}: HTTP API custom domain names are REGIONAL.`);
    const prev = existing?.[i];
    return {
      apiGatewayDomainName: prev?.apiGatewayDomainName ?? `d-${alnum(10)}.execute-api.${region}.amazonaws.com`,
      certificateArn: cfg.CertificateArn ?? prev?.certificateArn,
      certificateName: cfg.CertificateName ?? prev?.certificateName,
      certificateUploadDate: cfg.CertificateArn ? Date.now() : prev?.certificateUploadDate,
      endpointType,
      hostedZoneId: HOSTED_ZONES[region] ?? 'Z1UJRXOUMOOFQ8',
      securityPolicy: cfg.SecurityPolicy ?? prev?.securityPolicy ?? 'TLS_1_2',
      ipAddressType: cfg.IpAddressType ?? prev?.ipAddressType,
      ownershipVerificationCertificateArn: cfg.OwnershipVerificationCertificateArn ?? prev?.ownershipVerificationCertificateArn,
    };
  });
}

function requireDomain(c: GatewayOpsContext, ctx: RequestContext, name: string): DomainNameRecord {
  const d = c.gw.domainNames.get(scopedKey(ctx, name.toLowerCase()));
  if (!d) throw notFound('DomainName', 'The domain name resource specified in the request was not found.');
  return d;
}

function requireMapping(c: GatewayOpsContext, ctx: RequestContext, domain: string, id: string): ApiMappingRecord {
  const m = c.gw.apiMappings.get(mappingKey(ctx, domain, id));
  if (!m) throw notFound('ApiMapping', `Invalid ApiMapping identifier specified ${id}`);
  return m;
}

function checkMapping(c: GatewayOpsContext, ctx: RequestContext, m: ApiMappingRecord): void {
  if (m.apiMappingKey && !MAPPING_KEY.test(m.apiMappingKey)) throw badRequest(`Invalid API mapping key '${m.apiMappingKey}'.`);
  requireApi(c, ctx, m.apiId);
  requireStage(c, ctx, m.apiId, m.stage);
  const clash = c.gw.apiMappings.withPrefix(mappingKey(ctx, m.domainName, '')).find((o) => o.apiMappingKey === m.apiMappingKey && o.apiMappingId !== m.apiMappingId);
  if (clash) throw conflict(`An API mapping with key '${m.apiMappingKey}' already exists for domain name ${m.domainName}.`);
}

export function domainOperations(c: GatewayOpsContext) {
  return {
    CreateDomainName(input, ctx: RequestContext) {
      const name = input.DomainName.toLowerCase();
      if (!DOMAIN.test(name)) throw badRequest(`Invalid domain name '${input.DomainName}': use a fully qualified DNS name such as api.example.com.`);
      if (c.reservedHost(name)) {
        // The control plane answers on this name: a domain here would receive AWS calls (with their signatures and secrets).
        throw badRequest(`Invalid domain name '${input.DomainName}': Wayfinder's own endpoint answers on it. Use a name of your own, such as api.example.com.`);
      }
      return c.gw.store.withTx(() => {
        // The edge routes a Host to one domain, whatever the account or region: a name is taken once (as on AWS, where a
        // custom domain name belongs to one account).
        if (c.gw.domainNames.has(scopedKey(ctx, name)) || c.gw.domainNames.all().some((d) => d.domainName === name)) {
          throw conflict('The domain name resource already exists.');
        }
        const d: DomainNameRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          domainName: name,
          configurations: configsOf(ctx.region, input.DomainNameConfigurations),
          mutualTlsAuthentication: input.MutualTlsAuthentication
            ? { truststoreUri: input.MutualTlsAuthentication.TruststoreUri, truststoreVersion: input.MutualTlsAuthentication.TruststoreVersion }
            : undefined,
          routingMode: input.RoutingMode,
          tags: checkTags(input.Tags),
          createdAt: c.now(),
        };
        c.gw.domainNames.putTx(scopedKey(ctx, name), d);
        return domainWire(d);
      });
    },

    GetDomainName(input, ctx) {
      return domainWire(requireDomain(c, ctx, input.DomainName));
    },

    GetDomainNames(input, ctx) {
      const p = page(c.gw.domainNames.withPrefix(scopePrefix(ctx)), (d) => d.domainName, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(domainWire), NextToken: p.NextToken };
    },

    UpdateDomainName(input, ctx) {
      return c.gw.store.withTx(() => {
        const d = requireDomain(c, ctx, input.DomainName);
        const next: DomainNameRecord = {
          ...d,
          configurations: configsOf(ctx.region, input.DomainNameConfigurations, d.configurations),
          mutualTlsAuthentication: input.MutualTlsAuthentication
            ? { truststoreUri: input.MutualTlsAuthentication.TruststoreUri, truststoreVersion: input.MutualTlsAuthentication.TruststoreVersion }
            : d.mutualTlsAuthentication,
          routingMode: input.RoutingMode ?? d.routingMode,
        };
        c.gw.domainNames.putTx(scopedKey(ctx, d.domainName), next);
        return domainWire(next);
      });
    },

    DeleteDomainName(input, ctx) {
      c.gw.store.withTx(() => {
        const d = requireDomain(c, ctx, input.DomainName);
        for (const m of c.gw.apiMappings.withPrefix(mappingKey(ctx, d.domainName, ''))) c.gw.apiMappings.deleteTx(mappingKey(ctx, d.domainName, m.apiMappingId));
        c.gw.domainNames.deleteTx(scopedKey(ctx, d.domainName));
      });
    },

    CreateApiMapping(input, ctx) {
      return c.gw.store.withTx(() => {
        const d = requireDomain(c, ctx, input.DomainName);
        const m: ApiMappingRecord = {
          region: ctx.region,
          domainName: d.domainName,
          apiMappingId: alnum(6),
          apiId: input.ApiId,
          apiMappingKey: input.ApiMappingKey ?? '',
          stage: input.Stage,
        };
        checkMapping(c, ctx, m);
        c.gw.apiMappings.putTx(mappingKey(ctx, d.domainName, m.apiMappingId), m);
        return mappingWire(m);
      });
    },

    GetApiMapping(input, ctx) {
      const d = requireDomain(c, ctx, input.DomainName);
      return mappingWire(requireMapping(c, ctx, d.domainName, input.ApiMappingId));
    },

    GetApiMappings(input, ctx) {
      const d = requireDomain(c, ctx, input.DomainName);
      const p = page(c.gw.apiMappings.withPrefix(mappingKey(ctx, d.domainName, '')), (m) => m.apiMappingId, input.MaxResults, input.NextToken);
      return { Items: p.Items.map(mappingWire), NextToken: p.NextToken };
    },

    UpdateApiMapping(input, ctx) {
      return c.gw.store.withTx(() => {
        const d = requireDomain(c, ctx, input.DomainName);
        const m = requireMapping(c, ctx, d.domainName, input.ApiMappingId);
        const next: ApiMappingRecord = { ...m, apiId: input.ApiId ?? m.apiId, apiMappingKey: input.ApiMappingKey ?? m.apiMappingKey, stage: input.Stage ?? m.stage };
        checkMapping(c, ctx, next);
        c.gw.apiMappings.putTx(mappingKey(ctx, d.domainName, m.apiMappingId), next);
        return mappingWire(next);
      });
    },

    DeleteApiMapping(input, ctx) {
      c.gw.store.withTx(() => {
        const d = requireDomain(c, ctx, input.DomainName);
        requireMapping(c, ctx, d.domainName, input.ApiMappingId);
        c.gw.apiMappings.deleteTx(mappingKey(ctx, d.domainName, input.ApiMappingId));
      });
    },
  } satisfies Partial<ApiGatewayV2Operations>;
}
