// The records of the network around a VPC that IaC creates next to it: internet gateways, elastic IPs,
// NAT gateways and VPC endpoints, and the key of every EC2 record type beyond VPCs, subnets and groups.
// Every key goes through the scope's partition (docs/architecture.md §4): each function takes a Scope
// (a RequestContext, a record with `region` and `accountId`, or ec2Scope(record) for one that names its
// account `ownerId`), never a bare region.
import { scopedKey, type Scope } from '../store/store.js';

export const internetGatewayKey = (scope: Scope, id: string): string => scopedKey(scope, id);
export const addressKey = (scope: Scope, allocationId: string): string => scopedKey(scope, allocationId);
export const natGatewayKey = (scope: Scope, id: string): string => scopedKey(scope, id);
export const vpcEndpointKey = (scope: Scope, id: string): string => scopedKey(scope, id);
export const networkAclKey = (scope: Scope, id: string): string => scopedKey(scope, id);
export const routeTableKey = (scope: Scope, id: string): string => scopedKey(scope, id);
export const networkInterfaceKey = (scope: Scope, id: string): string => scopedKey(scope, id);

export interface InternetGatewayRecord {
  region: string;
  accountId: string;
  internetGatewayId: string;
  ownerId: string;
  /** The VPC it is attached to (AWS allows one attachment per gateway, and one gateway per VPC). */
  vpcId?: string;
  tags: Record<string, string>;
}

export interface AddressRecord {
  region: string;
  accountId: string;
  allocationId: string;
  publicIp: string;
  domain: 'vpc';
  associationId?: string;
  networkInterfaceId?: string;
  privateIpAddress?: string;
  tags: Record<string, string>;
}

export interface NatGatewayRecord {
  region: string;
  accountId: string;
  natGatewayId: string;
  subnetId: string;
  vpcId: string;
  connectivityType: 'public' | 'private';
  allocationId?: string;
  publicIp?: string;
  associationId?: string;
  /** The gateway's own ENI in its subnet (absent when it failed at creation). */
  networkInterfaceId?: string;
  privateIp?: string;
  createdAt: number;
  deletedAt?: number;
  /** Set when AWS would let the gateway fail after creation (e.g. a public gateway in a VPC without an internet gateway). */
  failureCode?: 'Gateway.NotAttached';
  failureMessage?: string;
  tags: Record<string, string>;
}

export interface VpcEndpointRecord {
  region: string;
  accountId: string;
  vpcEndpointId: string;
  vpcEndpointType: 'Interface' | 'Gateway';
  vpcId: string;
  serviceName: string;
  policyDocument: string;
  routeTableIds: string[];
  subnetIds: string[];
  groupIds: string[];
  /** One ENI per subnet (interface endpoints), subnet id → ENI id. */
  networkInterfaces: Record<string, string>;
  privateDnsEnabled: boolean;
  /** The random part of the endpoint's DNS names (`vpce-<id>-<dnsLabel>.<service>…`). */
  dnsLabel: string;
  createdAt: number;
  ownerId: string;
  tags: Record<string, string>;
}
