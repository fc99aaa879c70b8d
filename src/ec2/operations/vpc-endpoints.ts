// VPC endpoints to the AWS services Wayfinder serves. A Gateway endpoint adds a route to its service's
// prefix list (target: the endpoint) in each of its route tables; an Interface endpoint gets one ENI in
// each of its subnets (one subnet per zone), DNS names under vpce.amazonaws.com and, with private DNS,
// the service's own name in the VPC (docs/aws-behavior.md §8.6).
import { createHash } from 'node:crypto';
import { AwsError } from '../../kernel/errors.js';
import { ec2Id, hex } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { allocateEniTx, releaseEniTx } from '../enis.js';
import { endpointService, endpointServices, prefixLists, serviceDetail, vpceHostedZoneId } from '../endpoint-services.js';
import { scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import { vpcEndpointState } from '../lifecycle.js';
import { networkInterfaceKey, routeTableKey, vpcEndpointKey, type VpcEndpointRecord } from '../records.js';
import { vpcAttributes, type Ec2Store } from '../store.js';
import { dryRun, page, tagsFromSpecifications } from './common.js';

const FULL_ACCESS_POLICY = JSON.stringify({ Version: '2008-10-17', Statement: [{ Effect: 'Allow', Principal: '*', Action: '*', Resource: '*' }] });

/** The id of the private hosted zone an endpoint with private DNS answers its service's name from (stable per endpoint). */
const privateZoneId = (e: VpcEndpointRecord) => `Z${createHash('sha256').update(e.vpcEndpointId).digest('hex').slice(0, 20).toUpperCase()}`;

function checkPolicy(document: string): string {
  try {
    const parsed: unknown = JSON.parse(document);
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) return document;
  } catch {
    /* answered below */
  }
  throw new AwsError('InvalidParameterValue', 'Invalid policy document: the policy is not valid JSON.');
}

export function vpcEndpointOperations(ec2: Ec2Store) {
  const key = (ctx: RequestContext, id: string) => vpcEndpointKey(ctx, id);
  const all = (ctx: RequestContext) => ec2.vpcEndpoints.withPrefix(scopePrefix(ctx));

  function dnsEntries(e: VpcEndpointRecord): Ec2.DnsEntry[] {
    if (e.vpcEndpointType === 'Gateway') return [];
    const service = endpointService(e.region, e.serviceName, 'Interface')!;
    const zone = vpceHostedZoneId(e.region);
    const base = `${e.vpcEndpointId}-${e.dnsLabel}`;
    const zonal = e.subnetIds.map((id) => ec2.subnet(e, id)?.availabilityZone).filter((z) => z !== undefined);
    return [
      { DnsName: `${base}.${service.dnsLabel}.${e.region}.vpce.amazonaws.com`, HostedZoneId: zone },
      ...zonal.map((az) => ({ DnsName: `${base}-${az}.${service.dnsLabel}.${e.region}.vpce.amazonaws.com`, HostedZoneId: zone })),
      ...(e.privateDnsEnabled && service.privateDnsName ? [{ DnsName: service.privateDnsName, HostedZoneId: privateZoneId(e) }] : []),
    ];
  }

  const wire = (e: VpcEndpointRecord): Ec2.VpcEndpoint => ({
    VpcEndpointId: e.vpcEndpointId,
    VpcEndpointType: e.vpcEndpointType,
    VpcId: e.vpcId,
    ServiceName: e.serviceName,
    // AWS answers lowercase states (`available`); the model's enum spells them capitalised.
    State: vpcEndpointState(e, Date.now()) as Ec2.State,
    PolicyDocument: e.policyDocument,
    RouteTableIds: e.routeTableIds,
    SubnetIds: e.subnetIds,
    Groups: e.groupIds.map((GroupId) => ({ GroupId, GroupName: ec2.group(e, GroupId)?.groupName })),
    IpAddressType: 'ipv4',
    DnsOptions: e.vpcEndpointType === 'Interface' ? { DnsRecordIpType: 'ipv4', PrivateDnsOnlyForInboundResolverEndpoint: false } : undefined,
    PrivateDnsEnabled: e.privateDnsEnabled,
    RequesterManaged: false,
    NetworkInterfaceIds: Object.values(e.networkInterfaces),
    DnsEntries: dnsEntries(e),
    CreationTimestamp: new Date(e.createdAt),
    OwnerId: e.ownerId,
    Tags: tagList(e.tags),
  });

  const FILTERS: FilterFields<VpcEndpointRecord> = {
    'service-name': (e) => [e.serviceName],
    'vpc-id': (e) => [e.vpcId],
    'vpc-endpoint-id': (e) => [e.vpcEndpointId],
    'vpc-endpoint-state': (e) => [vpcEndpointState(e, Date.now())],
    'vpc-endpoint-type': (e) => [e.vpcEndpointType],
    'ip-address-type': () => ['ipv4'],
  };

  function find(ctx: RequestContext, id: string): VpcEndpointRecord {
    const e = ec2.vpcEndpoints.get(key(ctx, id));
    if (!e) throw new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${id}' does not exist`);
    return e;
  }

  function checkRouteTables(ctx: RequestContext, vpcId: string, ids: string[]): void {
    for (const id of ids) {
      const t = ec2.routeTables.get(routeTableKey(ctx, id));
      if (!t) throw new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
      if (t.vpcId !== vpcId) throw new AwsError('InvalidParameter', `Route table ${id} is not in VPC ${vpcId}`);
    }
  }

  /** Subnets of the VPC, at most one per availability zone (AWS's rule for interface endpoints). */
  function checkSubnets(ctx: RequestContext, vpcId: string, ids: string[]): void {
    const zones = new Set<string>();
    for (const id of ids) {
      const s = ec2.subnet(ctx, id);
      if (!s) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${id}' does not exist`);
      if (s.vpcId !== vpcId) throw new AwsError('InvalidParameter', `Subnet ${id} is not in VPC ${vpcId}`);
      if (zones.has(s.availabilityZone))
        throw new AwsError(
          'DuplicateSubnetsInSameZone',
          `Found another VPC endpoint subnet in the availability zone of ${id}. VPC endpoint subnets should be in different availability zones supported by the VPC endpoint service.`,
        );
      zones.add(s.availabilityZone);
    }
  }

  function checkGroups(ctx: RequestContext, vpcId: string, ids: string[]): void {
    for (const id of ids) {
      const g = ec2.group(ctx, id);
      if (!g || g.vpcId !== vpcId) throw new AwsError('InvalidGroup.NotFound', `The security group '${id}' does not exist in VPC '${vpcId}'`);
    }
  }

  /** Private DNS needs both DNS attributes of the VPC, and one endpoint per name in a VPC. */
  function checkPrivateDns(ctx: RequestContext, e: VpcEndpointRecord): void {
    if (!e.privateDnsEnabled) return;
    const vpc = ec2.vpc(ctx, e.vpcId)!;
    const { enableDnsSupport, enableDnsHostnames } = vpcAttributes(vpc);
    if (!enableDnsSupport || !enableDnsHostnames) {
      throw new AwsError('InvalidParameter', `Enabling private DNS requires both enableDnsSupport and enableDnsHostnames VPC attributes set to true for ${vpc.vpcId}`);
    }
    const clash = all(ctx).find((o) => o.vpcEndpointId !== e.vpcEndpointId && o.vpcId === e.vpcId && o.serviceName === e.serviceName && o.privateDnsEnabled);
    if (clash) {
      const name = endpointService(ctx.region, e.serviceName, 'Interface')?.privateDnsName ?? e.serviceName;
      throw new AwsError('InvalidParameter', `private-dns-enabled cannot be set because there is already a conflicting DNS domain for ${name} in the VPC ${e.vpcId}`);
    }
  }

  const prefixListOf = (region: string, serviceName: string) => prefixLists(region).find((p) => p.name === serviceName)!;

  function addRoutesTx(ctx: RequestContext, e: VpcEndpointRecord, tableIds: string[]): void {
    const pl = prefixListOf(ctx.region, e.serviceName).id;
    for (const id of tableIds) {
      const t = ec2.routeTables.get(routeTableKey(ctx, id))!;
      if (t.routes.some((r) => r.destinationPrefixListId === pl)) {
        throw new AwsError('RouteAlreadyExists', `route table ${id} already has a route with destination-prefix-list-id ${pl}`);
      }
      const route = { destinationPrefixListId: pl, gatewayId: e.vpcEndpointId, origin: 'CreateRoute' as const };
      ec2.routeTables.putTx(routeTableKey(ctx, id), { ...t, routes: [...t.routes, route] });
    }
  }

  function removeRoutesTx(ctx: RequestContext, e: VpcEndpointRecord, tableIds: string[]): void {
    for (const id of tableIds) {
      const t = ec2.routeTables.get(routeTableKey(ctx, id));
      if (t) ec2.routeTables.putTx(routeTableKey(ctx, id), { ...t, routes: t.routes.filter((r) => r.gatewayId !== e.vpcEndpointId) });
    }
  }

  function addEnisTx(ctx: RequestContext, e: VpcEndpointRecord, subnetIds: string[]): Record<string, string> {
    const enis = { ...e.networkInterfaces };
    for (const subnetId of subnetIds) {
      const eni = allocateEniTx(ec2, {
        region: ctx.region,
        accountId: ctx.accountId,
        subnetId,
        groupIds: e.groupIds,
        description: `VPC Endpoint Interface ${e.vpcEndpointId}`,
        interfaceType: 'vpc_endpoint',
        requesterManaged: true,
        attached: true,
      });
      enis[subnetId] = eni.networkInterfaceId;
    }
    return enis;
  }

  function removeEnisTx(ctx: RequestContext, e: VpcEndpointRecord, subnetIds: string[]): Record<string, string> {
    const enis = { ...e.networkInterfaces };
    for (const subnetId of subnetIds) {
      if (enis[subnetId]) releaseEniTx(ec2, ctx, enis[subnetId]);
      delete enis[subnetId];
    }
    return enis;
  }

  return {
    CreateVpcEndpoint(input: Ec2.CreateVpcEndpointRequest, ctx: RequestContext): Ec2.CreateVpcEndpointResult {
      ec2.ensureRegion(ctx);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      const type = input.VpcEndpointType ?? 'Gateway';
      if (type !== 'Gateway' && type !== 'Interface') {
        throw new AwsError('InvalidParameter', `Wayfinder serves Gateway and Interface endpoints only, not ${type}.`);
      }
      const service = input.ServiceName ? endpointService(ctx.region, input.ServiceName, type) : undefined;
      if (!service) {
        const exists = endpointServices(ctx.region).some((s) => s.name === input.ServiceName);
        if (exists) throw new AwsError('InvalidParameter', `The Vpc Endpoint Service '${input.ServiceName}' does not support endpoint type ${type}.`);
        throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${input.ServiceName ?? ''}' does not exist`);
      }
      const routeTableIds = [...new Set(input.RouteTableIds ?? [])];
      const subnetIds = [...new Set(input.SubnetIds ?? [])];
      let groupIds = [...new Set(input.SecurityGroupIds ?? [])];
      if (type === 'Gateway') {
        if (subnetIds.length || groupIds.length || input.PrivateDnsEnabled) {
          throw new AwsError('InvalidParameter', 'Subnets, security groups and private DNS are not supported for Gateway endpoints.');
        }
        checkRouteTables(ctx, vpc.vpcId, routeTableIds);
      } else {
        if (routeTableIds.length) throw new AwsError('InvalidParameter', 'Route tables are not supported for Interface endpoints.');
        checkSubnets(ctx, vpc.vpcId, subnetIds);
        checkGroups(ctx, vpc.vpcId, groupIds);
        if (!groupIds.length) {
          // AWS puts an interface endpoint without groups in the VPC's default group.
          const fallback = ec2.groups.withPrefix(scopePrefix(ctx)).find((g) => g.vpcId === vpc.vpcId && g.groupName === 'default');
          groupIds = fallback ? [fallback.groupId] : [];
        }
      }
      const policyDocument = input.PolicyDocument !== undefined ? checkPolicy(input.PolicyDocument) : FULL_ACCESS_POLICY;
      const tags = tagsFromSpecifications(input.TagSpecifications, 'vpc-endpoint');
      dryRun(input);
      const endpoint = ec2.store.withTx(() => {
        const e: VpcEndpointRecord = {
          region: ctx.region,
          accountId: ctx.accountId,
          vpcEndpointId: ec2Id('vpce'),
          vpcEndpointType: type,
          vpcId: vpc.vpcId,
          serviceName: service.name,
          policyDocument,
          routeTableIds,
          subnetIds,
          groupIds,
          networkInterfaces: {},
          privateDnsEnabled: type === 'Interface' && (input.PrivateDnsEnabled ?? true),
          dnsLabel: hex(8),
          createdAt: Date.now(),
          ownerId: ctx.accountId,
          tags,
        };
        checkPrivateDns(ctx, e);
        if (type === 'Gateway') addRoutesTx(ctx, e, routeTableIds);
        else e.networkInterfaces = addEnisTx(ctx, e, subnetIds);
        ec2.vpcEndpoints.putTx(key(ctx, e.vpcEndpointId), e);
        return e;
      });
      return { VpcEndpoint: wire(endpoint), ClientToken: input.ClientToken };
    },

    DescribeVpcEndpoints(input: Ec2.DescribeVpcEndpointsRequest, ctx: RequestContext): Ec2.DescribeVpcEndpointsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const byId = input.VpcEndpointIds?.length ? input.VpcEndpointIds.map((id) => find(ctx, id)) : all(ctx);
      const p = page(applyFilters(byId, input.Filters, FILTERS), (e) => e.vpcEndpointId, input.MaxResults, input.NextToken);
      return { VpcEndpoints: p.items.map(wire), NextToken: p.nextToken };
    },

    ModifyVpcEndpoint(input: Ec2.ModifyVpcEndpointRequest, ctx: RequestContext): Ec2.ModifyVpcEndpointResult {
      ec2.ensureRegion(ctx);
      const current = find(ctx, input.VpcEndpointId);
      const gateway = current.vpcEndpointType === 'Gateway';
      const addTables = input.AddRouteTableIds ?? [];
      const addSubnets = input.AddSubnetIds ?? [];
      const addGroups = input.AddSecurityGroupIds ?? [];
      if (gateway && (addSubnets.length || input.RemoveSubnetIds?.length || addGroups.length || input.RemoveSecurityGroupIds?.length || input.PrivateDnsEnabled)) {
        throw new AwsError('InvalidParameter', 'Subnets, security groups and private DNS are not supported for Gateway endpoints.');
      }
      if (!gateway && (addTables.length || input.RemoveRouteTableIds?.length)) throw new AwsError('InvalidParameter', 'Route tables are not supported for Interface endpoints.');
      checkRouteTables(ctx, current.vpcId, addTables);
      checkGroups(ctx, current.vpcId, addGroups);
      const policy = input.ResetPolicy ? FULL_ACCESS_POLICY : input.PolicyDocument !== undefined ? checkPolicy(input.PolicyDocument) : undefined;
      dryRun(input);
      ec2.store.withTx(() => {
        let e = find(ctx, input.VpcEndpointId);
        if (policy !== undefined) e = { ...e, policyDocument: policy };
        if (gateway) {
          const remove = (input.RemoveRouteTableIds ?? []).filter((id) => e.routeTableIds.includes(id));
          const add = addTables.filter((id) => !e.routeTableIds.includes(id));
          removeRoutesTx(ctx, e, remove);
          addRoutesTx(ctx, e, add);
          e = { ...e, routeTableIds: [...e.routeTableIds.filter((id) => !remove.includes(id)), ...add] };
        } else {
          const removeSubnets = (input.RemoveSubnetIds ?? []).filter((id) => e.subnetIds.includes(id));
          const subnetIds = [...e.subnetIds.filter((id) => !removeSubnets.includes(id)), ...addSubnets.filter((id) => !e.subnetIds.includes(id))];
          checkSubnets(ctx, e.vpcId, subnetIds);
          const removeGroups = input.RemoveSecurityGroupIds ?? [];
          const groupIds = [...e.groupIds.filter((id) => !removeGroups.includes(id)), ...addGroups.filter((id) => !e.groupIds.includes(id))];
          e = { ...e, groupIds, networkInterfaces: removeEnisTx(ctx, e, removeSubnets) };
          e = {
            ...e,
            subnetIds,
            networkInterfaces: addEnisTx(
              ctx,
              e,
              subnetIds.filter((id) => !e.networkInterfaces[id]),
            ),
          };
          // The endpoint's ENIs follow its groups.
          for (const eniId of Object.values(e.networkInterfaces)) {
            const eniKey = networkInterfaceKey(ctx, eniId);
            const eni = ec2.enis.get(eniKey);
            if (eni) ec2.enis.putTx(eniKey, { ...eni, groupIds });
          }
          if (input.PrivateDnsEnabled !== undefined) {
            e = { ...e, privateDnsEnabled: input.PrivateDnsEnabled };
            checkPrivateDns(ctx, e);
          }
        }
        ec2.vpcEndpoints.putTx(key(ctx, e.vpcEndpointId), e);
      });
      return { Return: true };
    },

    /** Deletes what it can; an unknown id is an Unsuccessful item, not an error, as AWS. */
    DeleteVpcEndpoints(input: Ec2.DeleteVpcEndpointsRequest, ctx: RequestContext): Ec2.DeleteVpcEndpointsResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const unsuccessful: Ec2.UnsuccessfulItem[] = [];
      ec2.store.withTx(() => {
        for (const id of input.VpcEndpointIds) {
          const e = ec2.vpcEndpoints.get(key(ctx, id));
          if (!e) {
            unsuccessful.push({ ResourceId: id, Error: { Code: 'InvalidVpcEndpoint.NotFound', Message: `The Vpc Endpoint Id '${id}' does not exist` } });
            continue;
          }
          removeRoutesTx(ctx, e, e.routeTableIds);
          removeEnisTx(ctx, e, Object.keys(e.networkInterfaces));
          ec2.vpcEndpoints.deleteTx(key(ctx, id));
        }
      });
      return { Unsuccessful: unsuccessful };
    },

    DescribeVpcEndpointServices(input: Ec2.DescribeVpcEndpointServicesRequest, ctx: RequestContext): Ec2.DescribeVpcEndpointServicesResult {
      dryRun(input);
      const services = endpointServices(ctx.region);
      for (const name of input.ServiceNames ?? []) {
        if (!services.some((s) => s.name === name)) throw new AwsError('InvalidServiceName', `The Vpc Endpoint Service '${name}' does not exist`);
      }
      const rows = services
        .filter((s) => !input.ServiceNames?.length || input.ServiceNames.includes(s.name))
        .map((s) => ({ detail: serviceDetail(ctx.region, s), tags: {} as Record<string, string> }));
      const filtered = applyFilters(rows, input.Filters, {
        'service-name': (r) => [r.detail.ServiceName],
        'service-type': (r) => [r.detail.ServiceType?.[0]?.ServiceType],
        'service-region': (r) => [r.detail.ServiceRegion],
        owner: (r) => [r.detail.Owner],
        'supported-ip-address-types': () => ['ipv4'],
      });
      const p = page(filtered, (r) => `${r.detail.ServiceName}/${r.detail.ServiceType?.[0]?.ServiceType}`, input.MaxResults, input.NextToken);
      return { ServiceNames: [...new Set(p.items.map((r) => r.detail.ServiceName!))], ServiceDetails: p.items.map((r) => r.detail), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
