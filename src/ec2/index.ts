// The EC2 product: the subset of EC2 that the architecture and the IaC around it need (VPCs, subnets,
// security groups, network ACLs, route tables, internet and NAT gateways, elastic IPs, VPC endpoints,
// prefix lists, network interfaces, account attributes, tags, zones). Every other EC2 operation of the model answers a modelled 501.
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { ec2OperationNames, type Ec2Operations } from '../protocol/generated/ec2.js';
import { serviceHandlers, type Product, type ProductDeps, type ProductModule } from '../protocol/product.js';
import { Ec2Store, ec2Migrations } from './store.js';
import { createEc2Api, type Ec2Api } from './api.js';
import { accountOperations } from './operations/account.js';
import { addressOperations } from './operations/addresses.js';
import { internetGatewayOperations } from './operations/internet-gateways.js';
import { natGatewayOperations } from './operations/nat-gateways.js';
import { networkInterfaceOperations } from './operations/network-interfaces.js';
import { prefixListOperations } from './operations/prefix-lists.js';
import { vpcEndpointOperations } from './operations/vpc-endpoints.js';
import { networkAclOperations } from './operations/network-acls.js';
import { routeTableOperations } from './operations/route-tables.js';
import { securityGroupOperations } from './operations/security-groups.js';
import { subnetOperations } from './operations/subnets.js';
import { tagOperations } from './operations/tags.js';
import { vpcOperations } from './operations/vpcs.js';
import { zoneOperations } from './operations/zones.js';

export type { Ec2Api } from './api.js';

export type Ec2ProductDeps = ProductDeps;

/** Its api is what other products may call (VPC link checks, awsvpc ENIs). */
export function createEc2(deps: Ec2ProductDeps): Product<Ec2Api> {
  const ec2 = new Ec2Store(deps.store);
  const handlers: HandlerTable<Ec2Operations> = {
    ...notImplementedAll(ec2OperationNames),
    ...vpcOperations(ec2),
    ...subnetOperations(ec2),
    ...securityGroupOperations(ec2),
    ...networkAclOperations(ec2),
    ...accountOperations(ec2),
    ...routeTableOperations(ec2),
    ...internetGatewayOperations(ec2),
    ...addressOperations(ec2),
    ...natGatewayOperations(ec2),
    ...vpcEndpointOperations(ec2),
    ...prefixListOperations(),
    ...networkInterfaceOperations(ec2),
    ...tagOperations(ec2),
    ...zoneOperations(),
  };
  return {
    name: 'ec2',
    services: [serviceHandlers('ec2', handlers)],
    api: createEc2Api(ec2),
    // After a reset wiped the tables: regions are seeded again on next use.
    afterReset: () => ec2.forgetSeeds(),
  };
}

export const ec2Product: ProductModule<Ec2ProductDeps, Ec2Api> = { migrations: ec2Migrations, create: createEc2 };
