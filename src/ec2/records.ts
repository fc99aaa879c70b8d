// The records of the network around a VPC that IaC creates next to it: internet gateways, elastic IPs,
// NAT gateways and VPC endpoints. Every record carries its accountId, and every key is built by one
// function per record type, so partitioning keys by account is one line each.
import { regionKey } from '../store/store.js';

/** The prefix every key of one region (and, later, one account) starts with, for table scans. */
export const scopePrefix = (region: string, _accountId: string): string => `${region}/`;

export const internetGatewayKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);
export const addressKey = (region: string, _accountId: string, allocationId: string): string => regionKey(region, allocationId);
export const natGatewayKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);
export const vpcEndpointKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);
export const networkAclKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);
export const routeTableKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);
export const networkInterfaceKey = (region: string, _accountId: string, id: string): string => regionKey(region, id);

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
