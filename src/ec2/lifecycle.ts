// States of resources AWS provisions asynchronously (NAT gateways, interface VPC endpoints): derived
// from the creation and deletion times, so nothing has to run in the background and a restarted server
// answers the same. A real NAT gateway is `pending` for a minute or more; Wayfinder's for a moment,
// long enough that a client must wait for it as it must on AWS (docs/aws-behavior.md §8.5).
import type { NatGatewayRecord, VpcEndpointRecord } from './records.js';

export const PROVISIONING_MS = 1000;
/** How long a deleted NAT gateway stays visible (`deleted`), as AWS shows them for about an hour. */
export const DELETED_VISIBLE_MS = 60 * 60 * 1000;

export type NatGatewayState = 'pending' | 'failed' | 'available' | 'deleting' | 'deleted';

export function natGatewayState(n: NatGatewayRecord, now: number): NatGatewayState {
  if (n.deletedAt !== undefined) return now - n.deletedAt >= PROVISIONING_MS || n.failureCode ? 'deleted' : 'deleting';
  if (now - n.createdAt < PROVISIONING_MS) return 'pending';
  return n.failureCode ? 'failed' : 'available';
}

/** Whether a deleted gateway is past the time AWS keeps showing it. */
export function natGatewayGone(n: NatGatewayRecord, now: number): boolean {
  return n.deletedAt !== undefined && now - n.deletedAt >= DELETED_VISIBLE_MS;
}

export function vpcEndpointState(e: VpcEndpointRecord, now: number): 'pending' | 'available' {
  // A gateway endpoint is available at once; an interface endpoint provisions its ENIs first.
  return e.vpcEndpointType === 'Interface' && now - e.createdAt < PROVISIONING_MS ? 'pending' : 'available';
}
