// DescribeRouteTables: each VPC's main route table with its `local` route and its main association.
import type { RequestContext } from '../../protocol/handlers.js';
import type { DescribeRouteTablesRequest, DescribeRouteTablesResult, Ec2Operations, RouteTable } from '../../protocol/generated/ec2.js';
import { scopedKey, scopePrefix } from '../../store/store.js';
import { applyFilters, tagList, type FilterFields } from '../filters.js';
import type { Ec2Store, RouteTableRecord } from '../store.js';
import { dryRun, page, requireAll } from './common.js';

function wire(t: RouteTableRecord): RouteTable {
  return {
    RouteTableId: t.routeTableId,
    VpcId: t.vpcId,
    OwnerId: t.ownerId,
    Associations: [{ Main: true, RouteTableAssociationId: t.mainAssociationId, RouteTableId: t.routeTableId, AssociationState: { State: 'associated' } }],
    PropagatingVgws: [],
    Routes: t.routes.map((r) => ({ DestinationCidrBlock: r.destinationCidrBlock, GatewayId: r.gatewayId, Origin: r.origin, State: 'active' })),
    Tags: tagList(t.tags),
  };
}

const FILTERS: FilterFields<RouteTableRecord> = {
  'route-table-id': (t) => [t.routeTableId],
  'vpc-id': (t) => [t.vpcId],
  'owner-id': (t) => [t.ownerId],
  'association.main': () => [true],
  'association.route-table-association-id': (t) => [t.mainAssociationId],
  'association.route-table-id': (t) => [t.routeTableId],
  'association.subnet-id': () => [],
  'association.gateway-id': () => [],
  'route.destination-cidr-block': (t) => t.routes.map((r) => r.destinationCidrBlock),
  'route.gateway-id': (t) => t.routes.map((r) => r.gatewayId),
  'route.origin': (t) => t.routes.map((r) => r.origin),
  'route.state': (t) => t.routes.map(() => 'active'),
};

export function routeTableOperations(ec2: Ec2Store) {
  return {
    DescribeRouteTables(input: DescribeRouteTablesRequest, ctx: RequestContext): DescribeRouteTablesResult {
      ec2.ensureRegion(ctx);
      dryRun(input);
      const byId = requireAll(input.RouteTableIds, (id) => ec2.routeTables.get(scopedKey(ctx, id)), 'InvalidRouteTableID.NotFound', 'route table');
      const tables = applyFilters(byId ?? ec2.routeTables.withPrefix(scopePrefix(ctx)), input.Filters, FILTERS);
      const p = page(tables, (t) => t.routeTableId, input.MaxResults, input.NextToken);
      return { RouteTables: p.items.map(wire), NextToken: p.nextToken };
    },
  } satisfies Partial<Ec2Operations>;
}
