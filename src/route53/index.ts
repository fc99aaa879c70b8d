// The Route 53 product: a read-only Route 53 API (rest-xml) over the hosted zones Cloud Map's DNS
// namespaces own, with the record sets Wayfinder's DNS server serves (docs/route53.md). It keeps no
// table: everything is read from Cloud Map's HostedZoneView, in memory.
import type { HostedZoneView } from '../cloudmap/api.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { route53OperationNames, type Route53Operations } from '../protocol/generated/route53.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { hostedZoneOperations } from './operations/hosted-zones.js';
import { recordSetOperations } from './operations/record-sets.js';

export interface Route53ProductDeps extends ProductDeps {
  hostedZones: HostedZoneView;
}

export function createRoute53(deps: Route53ProductDeps): Product {
  const handlers: HandlerTable<Route53Operations> = {
    ...notImplementedAll(route53OperationNames),
    ...hostedZoneOperations(deps.hostedZones),
    ...recordSetOperations(deps.hostedZones),
  };
  return { name: 'route53', services: [serviceHandlers('route53', handlers)], api: undefined };
}

export const route53Product: ProductModule<Route53ProductDeps> = { migrations: [], create: createRoute53 };
