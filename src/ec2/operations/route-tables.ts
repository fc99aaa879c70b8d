// Route tables: create/describe/delete, routes (create/replace/delete) and associations with subnets and
// gateways, including moving a VPC's main association. Every table has the immutable `local` route of
// its VPC; a route whose target is gone shows `blackhole`, as AWS (docs/aws-behavior.md §8.2).
import { AwsError } from '../../kernel/errors.js';
import { ec2Id } from '../../kernel/ids.js';
import type { RequestContext } from '../../protocol/handlers.js';
import type * as Ec2 from '../../protocol/generated/ec2.js';
import { parseCidr } from '../cidr.js';
import { scopePrefix } from '../../store/store.js';
import { tagList, type FilterFields } from '../filters.js';
import { natGatewayState } from '../lifecycle.js';
import { internetGatewayKey, natGatewayKey, networkInterfaceKey, routeTableKey, vpcEndpointKey } from '../records.js';
import { ec2Scope, type Ec2Store, type RouteRecord, type RouteTableRecord } from '../store.js';
import { describePage, dryRun, tagsFromSpecifications } from './common.js';

type RouteInput = Pick<
  Ec2.CreateRouteRequest,
  | 'DestinationCidrBlock'
  | 'DestinationIpv6CidrBlock'
  | 'DestinationPrefixListId'
  | 'GatewayId'
  | 'NatGatewayId'
  | 'NetworkInterfaceId'
  | 'VpcEndpointId'
  | 'TransitGatewayId'
  | 'VpcPeeringConnectionId'
  | 'InstanceId'
  | 'EgressOnlyInternetGatewayId'
  | 'LocalGatewayId'
  | 'CarrierGatewayId'
  | 'CoreNetworkArn'
  | 'RouteTableId'
>;

const destinationOf = (r: RouteRecord) => r.destinationCidrBlock ?? r.destinationIpv6CidrBlock ?? r.destinationPrefixListId ?? '';

export function routeTableOperations(ec2: Ec2Store) {
  function routeState(t: RouteTableRecord, r: RouteRecord): 'active' | 'blackhole' {
    const now = Date.now();
    const scope = ec2Scope(t);
    if (r.gatewayId?.startsWith('igw-')) return ec2.internetGateways.get(internetGatewayKey(scope, r.gatewayId))?.vpcId === t.vpcId ? 'active' : 'blackhole';
    if (r.gatewayId?.startsWith('vpce-')) return ec2.vpcEndpoints.get(vpcEndpointKey(scope, r.gatewayId)) ? 'active' : 'blackhole';
    if (r.natGatewayId) {
      const nat = ec2.natGateways.get(natGatewayKey(scope, r.natGatewayId));
      return nat && natGatewayState(nat, now) !== 'deleted' && natGatewayState(nat, now) !== 'failed' ? 'active' : 'blackhole';
    }
    if (r.networkInterfaceId) return ec2.enis.get(networkInterfaceKey(scope, r.networkInterfaceId)) ? 'active' : 'blackhole';
    return 'active';
  }

  const wire = (t: RouteTableRecord): Ec2.RouteTable => ({
    RouteTableId: t.routeTableId,
    VpcId: t.vpcId,
    OwnerId: t.ownerId,
    Associations: [
      ...(t.mainAssociationId
        ? [{ Main: true, RouteTableAssociationId: t.mainAssociationId, RouteTableId: t.routeTableId, AssociationState: { State: 'associated' as const } }]
        : []),
      ...(t.associations ?? []).map((a) => ({
        Main: false,
        RouteTableAssociationId: a.associationId,
        RouteTableId: t.routeTableId,
        SubnetId: a.subnetId,
        GatewayId: a.gatewayId,
        AssociationState: { State: 'associated' as const },
      })),
    ],
    PropagatingVgws: [],
    Routes: t.routes.map((r) => ({
      DestinationCidrBlock: r.destinationCidrBlock,
      DestinationIpv6CidrBlock: r.destinationIpv6CidrBlock,
      DestinationPrefixListId: r.destinationPrefixListId,
      GatewayId: r.gatewayId,
      NatGatewayId: r.natGatewayId,
      NetworkInterfaceId: r.networkInterfaceId,
      Origin: r.origin,
      State: routeState(t, r),
    })),
    Tags: tagList(t.tags),
  });

  const FILTERS: FilterFields<RouteTableRecord> = {
    'route-table-id': (t) => [t.routeTableId],
    'vpc-id': (t) => [t.vpcId],
    'owner-id': (t) => [t.ownerId],
    'association.main': (t) => [...(t.mainAssociationId ? [true] : []), ...(t.associations?.length ? [false] : [])],
    'association.route-table-association-id': (t) => [t.mainAssociationId, ...(t.associations ?? []).map((a) => a.associationId)],
    'association.route-table-id': (t) => (t.mainAssociationId || t.associations?.length ? [t.routeTableId] : []),
    'association.subnet-id': (t) => (t.associations ?? []).map((a) => a.subnetId),
    'association.gateway-id': (t) => (t.associations ?? []).map((a) => a.gatewayId),
    'association.association-state': (t) => (t.mainAssociationId || t.associations?.length ? ['associated'] : []),
    'route.destination-cidr-block': (t) => t.routes.map((r) => r.destinationCidrBlock),
    'route.destination-ipv6-cidr-block': (t) => t.routes.map((r) => r.destinationIpv6CidrBlock),
    'route.destination-prefix-list-id': (t) => t.routes.map((r) => r.destinationPrefixListId),
    'route.gateway-id': (t) => t.routes.map((r) => r.gatewayId),
    'route.nat-gateway-id': (t) => t.routes.map((r) => r.natGatewayId),
    'route.network-interface-id': (t) => t.routes.map((r) => r.networkInterfaceId),
    'route.origin': (t) => t.routes.map((r) => r.origin),
    'route.state': (t) => t.routes.map((r) => routeState(t, r)),
  };

  const key = (ctx: RequestContext, id: string) => routeTableKey(ctx, id);
  const tables = (ctx: RequestContext) => ec2.routeTables.withPrefix(scopePrefix(ctx));

  function find(ctx: RequestContext, id: string): RouteTableRecord {
    const t = ec2.routeTables.get(key(ctx, id));
    if (!t) throw new AwsError('InvalidRouteTableID.NotFound', `The routeTable ID '${id}' does not exist`);
    return t;
  }

  /** A route from CreateRoute/ReplaceRoute's input: one destination, one existing target in the table's VPC. */
  function routeFrom(ctx: RequestContext, t: RouteTableRecord, input: RouteInput): RouteRecord {
    const destinations = [input.DestinationCidrBlock, input.DestinationIpv6CidrBlock, input.DestinationPrefixListId].filter((d) => d !== undefined);
    if (destinations.length !== 1) {
      throw new AwsError('MissingParameter', 'The request must contain exactly one of: destinationCidrBlock, destinationIpv6CidrBlock, destinationPrefixListId');
    }
    if (input.DestinationCidrBlock !== undefined && !parseCidr(input.DestinationCidrBlock)) {
      throw new AwsError('InvalidParameterValue', `Value (${input.DestinationCidrBlock}) for parameter destinationCidrBlock is invalid. This is not a valid CIDR block.`);
    }
    const unsupported = [
      input.TransitGatewayId,
      input.VpcPeeringConnectionId,
      input.InstanceId,
      input.EgressOnlyInternetGatewayId,
      input.LocalGatewayId,
      input.CarrierGatewayId,
      input.CoreNetworkArn,
    ];
    if (unsupported.some((x) => x !== undefined)) {
      throw new AwsError('InvalidParameterValue', 'Wayfinder routes to internet gateways, NAT gateways, network interfaces and VPC endpoints only.');
    }
    const gateway = input.GatewayId ?? input.VpcEndpointId;
    const targets = [gateway, input.NatGatewayId, input.NetworkInterfaceId].filter((x) => x !== undefined);
    if (targets.length !== 1) {
      throw new AwsError('InvalidParameterCombination', 'The request must contain exactly one of gatewayId, natGatewayId, networkInterfaceId, vpcEndpointId.');
    }
    const route: RouteRecord = { origin: 'CreateRoute' };
    if (input.DestinationCidrBlock !== undefined) route.destinationCidrBlock = input.DestinationCidrBlock;
    if (input.DestinationIpv6CidrBlock !== undefined) route.destinationIpv6CidrBlock = input.DestinationIpv6CidrBlock;
    if (input.DestinationPrefixListId !== undefined) route.destinationPrefixListId = input.DestinationPrefixListId;
    const differentNetworks = (target: string) => new AwsError('InvalidParameterValue', `route table ${t.routeTableId} and network gateway ${target} belong to different networks`);
    if (gateway !== undefined) {
      if (gateway.startsWith('igw-')) {
        const igw = ec2.internetGateways.get(internetGatewayKey(ctx, gateway));
        if (!igw) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${gateway}' does not exist`);
        if (igw.vpcId !== t.vpcId) throw differentNetworks(gateway);
      } else if (gateway.startsWith('vpce-')) {
        const endpoint = ec2.vpcEndpoints.get(vpcEndpointKey(ctx, gateway));
        if (!endpoint) throw new AwsError('InvalidVpcEndpointId.NotFound', `The Vpc Endpoint Id '${gateway}' does not exist`);
        if (endpoint.vpcId !== t.vpcId) throw differentNetworks(gateway);
      } else {
        throw new AwsError('InvalidGatewayID.NotFound', `The gateway ID '${gateway}' does not exist`);
      }
      route.gatewayId = gateway;
    }
    if (input.NatGatewayId !== undefined) {
      const nat = ec2.natGateways.get(natGatewayKey(ctx, input.NatGatewayId));
      if (!nat || natGatewayState(nat, Date.now()) === 'deleted') throw new AwsError('InvalidNatGatewayID.NotFound', `The natGateway ID '${input.NatGatewayId}' does not exist`);
      if (nat.vpcId !== t.vpcId) throw differentNetworks(input.NatGatewayId);
      route.natGatewayId = input.NatGatewayId;
    }
    if (input.NetworkInterfaceId !== undefined) {
      const eni = ec2.enis.get(networkInterfaceKey(ctx, input.NetworkInterfaceId));
      if (!eni) throw new AwsError('InvalidNetworkInterfaceID.NotFound', `The networkInterface ID '${input.NetworkInterfaceId}' does not exist`);
      if (eni.vpcId !== t.vpcId) throw differentNetworks(input.NetworkInterfaceId);
      route.networkInterfaceId = input.NetworkInterfaceId;
    }
    return route;
  }

  /** The route a ReplaceRoute/DeleteRoute names (by its destination); never the `local` one. */
  function routeIndex(t: RouteTableRecord, input: Pick<RouteInput, 'DestinationCidrBlock' | 'DestinationIpv6CidrBlock' | 'DestinationPrefixListId'>, verb: string): number {
    const destination = input.DestinationCidrBlock ?? input.DestinationIpv6CidrBlock ?? input.DestinationPrefixListId;
    if (destination === undefined)
      throw new AwsError('MissingParameter', 'The request must contain exactly one of: destinationCidrBlock, destinationIpv6CidrBlock, destinationPrefixListId');
    const i = t.routes.findIndex((r) => destinationOf(r) === destination);
    if (i < 0) throw new AwsError('InvalidRoute.NotFound', `no route with destination-cidr-block ${destination} in route table ${t.routeTableId}`);
    if (t.routes[i]!.gatewayId === 'local') throw new AwsError('InvalidParameterValue', `cannot ${verb} local route ${destination} in route table ${t.routeTableId}`);
    return i;
  }

  function findAssociation(ctx: RequestContext, associationId: string): { table: RouteTableRecord; main: boolean } {
    for (const t of tables(ctx)) {
      if (t.mainAssociationId === associationId) return { table: t, main: true };
      if (t.associations?.some((a) => a.associationId === associationId)) return { table: t, main: false };
    }
    throw new AwsError('InvalidAssociationID.NotFound', `The association ID '${associationId}' does not exist`);
  }

  const put = (ctx: RequestContext, t: RouteTableRecord) => ec2.routeTables.putTx(key(ctx, t.routeTableId), t);

  return {
    CreateRouteTable(input: Ec2.CreateRouteTableRequest, ctx: RequestContext): Ec2.CreateRouteTableResult {
      ec2.ensureRegion(ctx);
      const vpc = ec2.vpc(ctx, input.VpcId);
      if (!vpc) throw new AwsError('InvalidVpcID.NotFound', `The vpc ID '${input.VpcId}' does not exist`);
      const tags = tagsFromSpecifications(input.TagSpecifications, 'route-table');
      dryRun(input);
      const table: RouteTableRecord = {
        region: ctx.region,
        routeTableId: ec2Id('rtb'),
        vpcId: vpc.vpcId,
        associations: [],
        ownerId: ctx.accountId,
        routes: [{ destinationCidrBlock: vpc.cidrBlock, gatewayId: 'local', origin: 'CreateRouteTable' }],
        tags,
      };
      ec2.store.withTx(() => put(ctx, table));
      return { RouteTable: wire(table), ClientToken: input.ClientToken };
    },

    DescribeRouteTables(input: Ec2.DescribeRouteTablesRequest, ctx: RequestContext): Ec2.DescribeRouteTablesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const p = describePage(input, {
        ids: input.RouteTableIds,
        get: (id) => ec2.routeTables.get(key(ctx, id)),
        notFound: 'InvalidRouteTableID.NotFound',
        noun: 'route table',
        all: () => tables(ctx),
        filters: FILTERS,
        keyOf: (t) => t.routeTableId,
      });
      return { RouteTables: p.items.map(wire), NextToken: p.nextToken };
    },

    DeleteRouteTable(input: Ec2.DeleteRouteTableRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.RouteTableId);
      dryRun(input);
      ec2.store.withTx(() => {
        const t = find(ctx, input.RouteTableId);
        if (t.mainAssociationId || t.associations?.length) {
          throw new AwsError('DependencyViolation', `The routeTable '${t.routeTableId}' has dependencies and cannot be deleted.`);
        }
        ec2.routeTables.deleteTx(key(ctx, t.routeTableId));
      });
    },

    CreateRoute(input: Ec2.CreateRouteRequest, ctx: RequestContext): Ec2.CreateRouteResult {
      ec2.ensureRegion(ctx);
      const route = routeFrom(ctx, find(ctx, input.RouteTableId), input);
      dryRun(input);
      ec2.store.withTx(() => {
        const t = find(ctx, input.RouteTableId);
        if (t.routes.some((r) => destinationOf(r) === destinationOf(route))) {
          throw new AwsError('RouteAlreadyExists', `The route identified by ${destinationOf(route)} already exists.`);
        }
        put(ctx, { ...t, routes: [...t.routes, route] });
      });
      return { Return: true };
    },

    ReplaceRoute(input: Ec2.ReplaceRouteRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      const route = routeFrom(ctx, find(ctx, input.RouteTableId), input);
      dryRun(input);
      ec2.store.withTx(() => {
        const t = find(ctx, input.RouteTableId);
        const i = routeIndex(t, input, 'replace');
        put(ctx, { ...t, routes: t.routes.map((r, j) => (j === i ? route : r)) });
      });
    },

    DeleteRoute(input: Ec2.DeleteRouteRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      find(ctx, input.RouteTableId);
      dryRun(input);
      ec2.store.withTx(() => {
        const t = find(ctx, input.RouteTableId);
        const i = routeIndex(t, input, 'remove');
        put(ctx, { ...t, routes: t.routes.filter((_, j) => j !== i) });
      });
    },

    AssociateRouteTable(input: Ec2.AssociateRouteTableRequest, ctx: RequestContext): Ec2.AssociateRouteTableResult {
      ec2.ensureRegion(ctx);
      const target = find(ctx, input.RouteTableId);
      if ((input.SubnetId === undefined) === (input.GatewayId === undefined)) {
        throw new AwsError('InvalidParameterCombination', 'The request must contain exactly one of subnetId or gatewayId.');
      }
      if (input.SubnetId !== undefined) {
        const subnet = ec2.subnet(ctx, input.SubnetId);
        if (!subnet) throw new AwsError('InvalidSubnetID.NotFound', `The subnet ID '${input.SubnetId}' does not exist`);
        if (subnet.vpcId !== target.vpcId)
          throw new AwsError('InvalidParameterValue', `Route table ${target.routeTableId} and subnet ${subnet.subnetId} belong to different networks`);
      } else {
        const igw = ec2.internetGateways.get(internetGatewayKey(ctx, input.GatewayId!));
        if (!igw) throw new AwsError('InvalidInternetGatewayID.NotFound', `The internetGateway ID '${input.GatewayId}' does not exist`);
        if (igw.vpcId !== target.vpcId)
          throw new AwsError('InvalidParameterValue', `Route table ${target.routeTableId} and gateway ${input.GatewayId} belong to different networks`);
      }
      dryRun(input);
      const associationId = ec2Id('rtbassoc');
      ec2.store.withTx(() => {
        const taken = tables(ctx).find((t) => t.associations?.some((a) => (input.SubnetId ? a.subnetId === input.SubnetId : a.gatewayId === input.GatewayId)));
        if (taken) {
          throw new AwsError('Resource.AlreadyAssociated', `the specified association for route table ${input.RouteTableId} conflicts with an existing association`);
        }
        const t = find(ctx, input.RouteTableId);
        const association = { associationId, ...(input.SubnetId ? { subnetId: input.SubnetId } : { gatewayId: input.GatewayId }) };
        put(ctx, { ...t, associations: [...(t.associations ?? []), association] });
      });
      return { AssociationId: associationId, AssociationState: { State: 'associated' } };
    },

    DisassociateRouteTable(input: Ec2.DisassociateRouteTableRequest, ctx: RequestContext): void {
      ec2.ensureRegion(ctx);
      dryRun(input);
      ec2.store.withTx(() => {
        const { table, main } = findAssociation(ctx, input.AssociationId);
        if (main) throw new AwsError('InvalidParameterValue', `cannot disassociate the main route table association ${input.AssociationId}`);
        put(ctx, { ...table, associations: table.associations!.filter((a) => a.associationId !== input.AssociationId) });
      });
    },

    /** Moves an association (a subnet's, a gateway's, or the VPC's main one) to another table of the same VPC. */
    ReplaceRouteTableAssociation(input: Ec2.ReplaceRouteTableAssociationRequest, ctx: RequestContext): Ec2.ReplaceRouteTableAssociationResult {
      ec2.ensureRegion(ctx);
      find(ctx, input.RouteTableId);
      dryRun(input);
      const newAssociationId = ec2Id('rtbassoc');
      ec2.store.withTx(() => {
        const { table, main } = findAssociation(ctx, input.AssociationId);
        const target = find(ctx, input.RouteTableId);
        if (target.vpcId !== table.vpcId) throw new AwsError('InvalidParameterValue', `Route table ${target.routeTableId} belongs to a different network`);
        if (main) {
          const { mainAssociationId: _old, ...rest } = table;
          put(ctx, rest);
          put(ctx, { ...find(ctx, target.routeTableId), mainAssociationId: newAssociationId });
          return;
        }
        const moved = table.associations!.find((a) => a.associationId === input.AssociationId)!;
        put(ctx, { ...table, associations: table.associations!.filter((a) => a.associationId !== input.AssociationId) });
        const fresh = find(ctx, target.routeTableId);
        put(ctx, { ...fresh, associations: [...(fresh.associations ?? []), { ...moved, associationId: newAssociationId }] });
      });
      return { NewAssociationId: newAssociationId, AssociationState: { State: 'associated' } };
    },
  } satisfies Partial<Ec2.Ec2Operations>;
}
