// The EC2 product: the subset of EC2 that the architecture needs (VPCs, subnets, security groups,
// tags, zones). Every other EC2 operation of the model answers a modelled 501.
import type { Store } from '../store/store.js';
import { notImplementedAll, type HandlerTable } from '../protocol/handlers.js';
import { ec2OperationNames, type Ec2Operations } from '../protocol/generated/ec2.js';
import { Ec2Store } from './store.js';
import { createEc2Api, type Ec2Api } from './api.js';
import { securityGroupOperations } from './operations/security-groups.js';
import { subnetOperations } from './operations/subnets.js';
import { tagOperations } from './operations/tags.js';
import { vpcOperations } from './operations/vpcs.js';
import { zoneOperations } from './operations/zones.js';

export { ec2Migrations } from './store.js';
export type { Ec2Store } from './store.js';
export type { Ec2Api } from './api.js';

export interface Ec2Product {
  store: Ec2Store;
  /** What other products may call (VPC link checks, awsvpc ENIs). */
  api: Ec2Api;
  handlers: HandlerTable<Ec2Operations>;
  /** After a reset wiped the tables: regions are seeded again on next use. */
  afterReset(): void;
}

export function createEc2(store: Store): Ec2Product {
  const ec2 = new Ec2Store(store);
  const handlers: HandlerTable<Ec2Operations> = {
    ...notImplementedAll(ec2OperationNames),
    ...vpcOperations(ec2),
    ...subnetOperations(ec2),
    ...securityGroupOperations(ec2),
    ...tagOperations(ec2),
    ...zoneOperations(),
  };
  return { store: ec2, api: createEc2Api(ec2), handlers, afterReset: () => ec2.forgetSeeds() };
}
