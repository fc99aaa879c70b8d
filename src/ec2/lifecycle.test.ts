import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DELETED_VISIBLE_MS, natGatewayGone, natGatewayState, PROVISIONING_MS, vpcEndpointState } from './lifecycle.js';
import type { NatGatewayRecord, VpcEndpointRecord } from './records.js';

const nat = (over: Partial<NatGatewayRecord> = {}): NatGatewayRecord => ({
  region: 'us-east-1',
  accountId: '000000000000',
  natGatewayId: 'nat-00000000000000001',
  subnetId: 'subnet-00000000000000001',
  vpcId: 'vpc-00000000000000001',
  connectivityType: 'public',
  createdAt: 1_000_000,
  tags: {},
  ...over,
});

test('a NAT gateway is pending, then available; deleting, then deleted, then gone', () => {
  const n = nat();
  assert.equal(natGatewayState(n, n.createdAt), 'pending');
  assert.equal(natGatewayState(n, n.createdAt + PROVISIONING_MS), 'available');
  const d = { ...n, deletedAt: n.createdAt + 5000 };
  assert.equal(natGatewayState(d, d.deletedAt), 'deleting');
  assert.equal(natGatewayState(d, d.deletedAt + PROVISIONING_MS), 'deleted');
  assert.equal(natGatewayGone(d, d.deletedAt + DELETED_VISIBLE_MS - 1), false);
  assert.equal(natGatewayGone(d, d.deletedAt + DELETED_VISIBLE_MS), true);
});

test('a failing NAT gateway is pending, then failed, and deleted at once', () => {
  const n = nat({ failureCode: 'Gateway.NotAttached' });
  assert.equal(natGatewayState(n, n.createdAt), 'pending');
  assert.equal(natGatewayState(n, n.createdAt + PROVISIONING_MS), 'failed');
  assert.equal(natGatewayState({ ...n, deletedAt: n.createdAt + 5000 }, n.createdAt + 5000), 'deleted');
});

test('interface endpoints provision; gateway endpoints are available at once', () => {
  const e = { vpcEndpointType: 'Interface', createdAt: 1000 } as VpcEndpointRecord;
  assert.equal(vpcEndpointState(e, 1000), 'pending');
  assert.equal(vpcEndpointState(e, 1000 + PROVISIONING_MS), 'available');
  assert.equal(vpcEndpointState({ ...e, vpcEndpointType: 'Gateway' }, 1000), 'available');
});
