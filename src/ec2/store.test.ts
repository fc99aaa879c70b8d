// The EC2 store without a server: VPCs stored before ACLs and route tables were served get them,
// and DescribeNetworkInterfaces lists the ENIs awsvpc tasks are given.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../kernel/log.js';
import type { RequestContext } from '../protocol/handlers.js';
import { scopedKey, scopePrefix, Store } from '../store/store.js';
import { createEc2Api } from './api.js';
import { accountOperations } from './operations/account.js';
import { Ec2Store, ec2Migrations } from './store.js';

const region = 'eu-west-1';
const accountId = '000000000000';
const ctx = { region, accountId } as RequestContext;
const scope = { region, accountId };

test('a VPC stored before ec2/002 gets its default network ACL and main route table on the next start', () => {
  const ec2 = new Ec2Store(Store.open(':memory:', ec2Migrations, silentLogger));
  ec2.ensureRegion(scope);
  const old = ec2.newVpc(scope, '10.9.0.0/16', false);
  ec2.store.withTx(() => ec2.vpcs.putTx(scopedKey(scope, old.vpcId), old)); // as an older Wayfinder left it
  ec2.forgetSeeds(); // a restart
  ec2.ensureRegion(scope);
  assert.equal(ec2.acls.withPrefix(scopePrefix(scope)).filter((a) => a.vpcId === old.vpcId).length, 1);
  assert.deepEqual(
    ec2.routeTables
      .withPrefix(scopePrefix(scope))
      .filter((t) => t.vpcId === old.vpcId)
      .map((t) => t.routes),
    [[{ destinationCidrBlock: '10.9.0.0/16', gatewayId: 'local', origin: 'CreateRouteTable' }]],
  );
  assert.equal(ec2.groups.withPrefix(scopePrefix(scope)).filter((g) => g.vpcId === old.vpcId && g.groupName === 'default').length, 1);
  // and nothing twice for the VPCs that had them
  assert.equal(ec2.acls.withPrefix(scopePrefix(scope)).length, ec2.vpcs.withPrefix(scopePrefix(scope)).length);
  assert.equal(ec2.routeTables.withPrefix(scopePrefix(scope)).length, ec2.vpcs.withPrefix(scopePrefix(scope)).length);
});

test("DescribeNetworkInterfaces lists a task's ENI, by subnet, group and vpc filters", () => {
  const ec2 = new Ec2Store(Store.open(':memory:', ec2Migrations, silentLogger));
  const api = createEc2Api(ec2);
  ec2.ensureRegion(scope);
  const vpc = ec2.defaultVpc(scope)!;
  const subnet = ec2.subnets.withPrefix(scopePrefix(scope)).find((s) => s.vpcId === vpc.vpcId)!;
  const group = api.defaultSecurityGroup(scope, vpc.vpcId)!;
  const eni = api.allocateEni({ region, accountId, subnetId: subnet.subnetId, groupIds: [group.groupId], description: 'task' });
  const ops = accountOperations(ec2);
  const list = (Filters: Array<{ Name: string; Values: string[] }>) => ops.DescribeNetworkInterfaces({ Filters }, ctx).NetworkInterfaces!.map((n) => n.NetworkInterfaceId);
  assert.deepEqual(list([{ Name: 'subnet-id', Values: [subnet.subnetId] }]), [eni.networkInterfaceId]);
  assert.deepEqual(list([{ Name: 'group-id', Values: [group.groupId] }]), [eni.networkInterfaceId]);
  assert.deepEqual(list([{ Name: 'vpc-id', Values: ['vpc-00000000000000000'] }]), []);
  const [wire] = ops.DescribeNetworkInterfaces({ NetworkInterfaceIds: [eni.networkInterfaceId] }, ctx).NetworkInterfaces!;
  assert.equal(wire!.PrivateIpAddress, eni.privateIpAddress);
  assert.deepEqual(wire!.Groups, [{ GroupId: group.groupId, GroupName: 'default' }]);
  assert.equal(wire!.Status, 'in-use');
  api.releaseEni(scope, eni.networkInterfaceId);
  assert.deepEqual(list([{ Name: 'subnet-id', Values: [subnet.subnetId] }]), []);
});
