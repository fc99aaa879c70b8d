// Account isolation at the store (partitionOf) and in the products' own handlers, without HTTP: the same
// names in two accounts never see each other, and the legacy account keeps its bare-region keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../kernel/log.js';
import type { RequestContext } from '../protocol/handlers.js';
import { cloudMapProduct } from '../cloudmap/index.js';
import { ec2Product } from '../ec2/index.js';
import { logsProduct } from '../logs/index.js';
import { testContext } from '../../test/support/context.js';
import { LEGACY_ACCOUNT, partitionOf, scopedKey, scopeOfPartition, scopePrefix, Store } from './store.js';

const ONE = '111111111111';
const TWO = '222222222222';

test('partitions: the legacy account keeps bare-region keys, every other account gets its own, and none is a prefix of another', () => {
  assert.equal(partitionOf({ region: 'us-east-1', accountId: LEGACY_ACCOUNT }), 'us-east-1');
  assert.equal(partitionOf({ region: 'us-east-1', accountId: undefined as unknown as string }), 'us-east-1', 'a row stored before accounts');
  assert.equal(partitionOf({ region: 'us-east-1', accountId: ONE }), `${ONE}:us-east-1`);
  assert.deepEqual(scopeOfPartition(`${ONE}:eu-west-1`), { accountId: ONE, region: 'eu-west-1' });
  assert.deepEqual(scopeOfPartition('eu-west-1'), { accountId: LEGACY_ACCOUNT, region: 'eu-west-1' });
  const keys = [LEGACY_ACCOUNT, ONE, TWO].flatMap((accountId) => ['us-east-1', 'us-east-2'].map((region) => scopedKey({ region, accountId }, 'web')));
  for (const accountId of [LEGACY_ACCOUNT, ONE, TWO]) {
    const prefix = scopePrefix({ region: 'us-east-1', accountId });
    assert.equal(keys.filter((k) => k.startsWith(prefix)).length, 1, prefix);
  }
});

test('regionsInUse reads regions out of partitions, for every account or one', () => {
  const store = Store.open(':memory:', [{ id: 't/1', up: 'CREATE TABLE t (key TEXT PRIMARY KEY, doc TEXT NOT NULL) WITHOUT ROWID;' }], silentLogger);
  const t = store.table<object>('t');
  store.withTx(() => {
    t.putTx(scopedKey({ region: 'us-east-1', accountId: LEGACY_ACCOUNT }, 'a'), {});
    t.putTx(scopedKey({ region: 'eu-west-1', accountId: ONE }, 'a'), {});
    t.putTx(scopedKey({ region: 'ap-south-1', accountId: TWO }, 'a'), {});
  });
  assert.deepEqual(store.regionsInUse(), ['ap-south-1', 'eu-west-1', 'us-east-1']);
  assert.deepEqual(store.regionsInUse(ONE), ['eu-west-1']);
  assert.deepEqual(store.regionsInUse(LEGACY_ACCOUNT), ['us-east-1']);
  store.close();
});

// biome-ignore lint/suspicious/noExplicitAny: tests read whichever output shape a handler returns
type Handlers = Record<string, (input: unknown, ctx: RequestContext) => any>;

test('EC2, Logs and Cloud Map: the same names in two accounts never see each other', async () => {
  const store = Store.open(':memory:', [...ec2Product.migrations, ...logsProduct.migrations, ...cloudMapProduct.migrations], silentLogger);
  const ec2 = ec2Product.create({ store, logger: silentLogger });
  const logs = logsProduct.create({ store, logger: silentLogger });
  const cm = cloudMapProduct.create({ store, logger: silentLogger, ec2: ec2.api, healthDelayMs: 0, operationDelayMs: 0 });
  await cm.start!();
  const e = ec2.services[0]!.table as unknown as Handlers;
  const l = logs.services[0]!.table as unknown as Handlers;
  const sd = cm.services[0]!.table as unknown as Handlers;
  const made: Record<string, { vpc: string; ns: string }> = {};
  for (const accountId of [ONE, TWO]) {
    const ctx = testContext({ accountId });
    const vpc = e.CreateVpc!({ CidrBlock: '10.0.0.0/16' }, ctx).Vpc.VpcId as string;
    e.CreateSecurityGroup!({ GroupName: 'web', Description: 'web', VpcId: vpc }, ctx);
    l.CreateLogGroup!({ logGroupName: '/app' }, ctx);
    const op = sd.CreatePrivateDnsNamespace!({ Name: 'local', Vpc: vpc }, ctx).OperationId;
    const ns = sd.GetOperation!({ OperationId: op }, ctx).Operation.Targets.NAMESPACE as string;
    sd.CreateService!({ Name: 'api', NamespaceId: ns, DnsConfig: { DnsRecords: [{ Type: 'A', TTL: 10 }] } }, ctx);
    made[accountId] = { vpc, ns };
  }
  for (const [accountId, other] of [
    [ONE, TWO],
    [TWO, ONE],
  ] as const) {
    const ctx = testContext({ accountId });
    const vpcs = e.DescribeVpcs!({}, ctx).Vpcs as Array<{ VpcId: string; OwnerId: string }>;
    assert.ok(
      vpcs.every((v) => v.OwnerId === accountId),
      'its own default VPC, seeded for the account',
    );
    assert.ok(vpcs.some((v) => v.VpcId === made[accountId]!.vpc) && !vpcs.some((v) => v.VpcId === made[other]!.vpc));
    assert.throws(() => e.DescribeVpcs!({ VpcIds: [made[other]!.vpc] }, ctx), { code: 'InvalidVpcID.NotFound' });
    const groups = e.DescribeSecurityGroups!({ Filters: [{ Name: 'group-name', Values: ['web'] }] }, ctx).SecurityGroups as Array<{ VpcId: string }>;
    assert.deepEqual(
      groups.map((g) => g.VpcId),
      [made[accountId]!.vpc],
    );
    assert.deepEqual(
      l.DescribeLogGroups!({}, ctx).logGroups.map((g: { arn: string }) => g.arn),
      [`arn:aws:logs:us-east-1:${accountId}:log-group:/app:*`],
    );
    const namespaces = sd.ListNamespaces!({}, ctx).Namespaces as Array<{ Id: string; Arn: string }>;
    assert.deepEqual(
      namespaces.map((n) => n.Id),
      [made[accountId]!.ns],
    );
    assert.match(namespaces[0]!.Arn, new RegExp(`:${accountId}:namespace/`));
    assert.throws(() => sd.GetNamespace!({ Id: made[other]!.ns }, ctx), { code: 'NamespaceNotFound' });
    // An ARN of the other account is not found here even with the right id.
    const otherArn = `arn:aws:servicediscovery:us-east-1:${other}:namespace/${made[other]!.ns}`;
    assert.throws(() => sd.GetNamespace!({ Id: otherArn }, ctx), { code: 'NamespaceNotFound' });
  }
  // The legacy account sees neither.
  assert.deepEqual(sd.ListNamespaces!({}, testContext()).Namespaces, []);
  await cm.stop!();
  store.close();
});

test("EC2's network around a VPC: one account's gateways, route tables, endpoints, addresses, ACLs and task ENIs are not another's", () => {
  const store = Store.open(':memory:', ec2Product.migrations, silentLogger);
  const ec2 = ec2Product.create({ store, logger: silentLogger });
  const e = ec2.services[0]!.table as unknown as Handlers;
  type Made = { vpc: string; subnet: string; igw: string; rtb: string; acl: string; eip: string; nat: string; gwEndpoint: string; ifEndpoint: string; taskEni: string };
  const made: Record<string, Made> = {};
  for (const accountId of [ONE, TWO]) {
    const ctx = testContext({ accountId });
    // The same CIDRs in both accounts: each account's own VPC and its own address space.
    const vpc = e.CreateVpc!({ CidrBlock: '10.0.0.0/16' }, ctx).Vpc.VpcId as string;
    const subnet = e.CreateSubnet!({ VpcId: vpc, CidrBlock: '10.0.1.0/24' }, ctx).Subnet.SubnetId as string;
    const igw = e.CreateInternetGateway!({}, ctx).InternetGateway.InternetGatewayId as string;
    e.AttachInternetGateway!({ InternetGatewayId: igw, VpcId: vpc }, ctx);
    const rtb = e.CreateRouteTable!({ VpcId: vpc }, ctx).RouteTable.RouteTableId as string;
    e.CreateRoute!({ RouteTableId: rtb, DestinationCidrBlock: '0.0.0.0/0', GatewayId: igw }, ctx);
    e.AssociateRouteTable!({ RouteTableId: rtb, SubnetId: subnet }, ctx);
    const acl = e.CreateNetworkAcl!({ VpcId: vpc }, ctx).NetworkAcl.NetworkAclId as string;
    const eip = e.AllocateAddress!({ Domain: 'vpc' }, ctx).AllocationId as string;
    const nat = e.CreateNatGateway!({ SubnetId: subnet, AllocationId: eip }, ctx).NatGateway.NatGatewayId as string;
    const gwEndpoint = e.CreateVpcEndpoint!({ VpcId: vpc, ServiceName: 'com.amazonaws.us-east-1.s3', RouteTableIds: [rtb] }, ctx).VpcEndpoint.VpcEndpointId as string;
    const ifEndpoint = e.CreateVpcEndpoint!(
      { VpcId: vpc, VpcEndpointType: 'Interface', ServiceName: 'com.amazonaws.us-east-1.logs', SubnetIds: [subnet], PrivateDnsEnabled: false },
      ctx,
    ).VpcEndpoint.VpcEndpointId as string;
    // What ECS does for an awsvpc task: an ENI from the subnet, through the EC2 API other products use.
    const taskEni = ec2.api.allocateEni({ region: ctx.region, accountId, subnetId: subnet, groupIds: [], description: 'task' }).networkInterfaceId;
    e.CreateTags!({ Resources: [igw, rtb, nat, gwEndpoint, eip], Tags: [{ Key: 'owner', Value: accountId }] }, ctx);
    made[accountId] = { vpc, subnet, igw, rtb, acl, eip, nat, gwEndpoint, ifEndpoint, taskEni };
  }
  for (const [accountId, other] of [
    [ONE, TWO],
    [TWO, ONE],
  ] as const) {
    const ctx = testContext({ accountId });
    const mine = made[accountId]!;
    const theirs = made[other]!;
    const ids = (list: Array<Record<string, unknown>>, field: string) => list.map((x) => x[field] as string).sort();
    assert.deepEqual(ids(e.DescribeInternetGateways!({}, ctx).InternetGateways, 'InternetGatewayId'), [mine.igw]);
    assert.throws(() => e.DescribeInternetGateways!({ InternetGatewayIds: [theirs.igw] }, ctx), { code: 'InvalidInternetGatewayID.NotFound' });
    assert.throws(() => e.AttachInternetGateway!({ InternetGatewayId: theirs.igw, VpcId: mine.vpc }, ctx), { code: 'InvalidInternetGatewayID.NotFound' });
    const tables = e.DescribeRouteTables!({}, ctx).RouteTables as Array<{ RouteTableId: string; VpcId: string }>;
    assert.ok(tables.some((t) => t.RouteTableId === mine.rtb) && !tables.some((t) => t.RouteTableId === theirs.rtb || t.VpcId === theirs.vpc));
    assert.throws(() => e.DescribeRouteTables!({ RouteTableIds: [theirs.rtb] }, ctx), { code: 'InvalidRouteTableID.NotFound' });
    assert.throws(() => e.CreateRoute!({ RouteTableId: mine.rtb, DestinationCidrBlock: '10.9.0.0/16', GatewayId: theirs.igw }, ctx), {
      code: 'InvalidInternetGatewayID.NotFound',
    });
    const acls = e.DescribeNetworkAcls!({}, ctx).NetworkAcls as Array<{ NetworkAclId: string; VpcId: string }>;
    assert.ok(acls.some((a) => a.NetworkAclId === mine.acl) && !acls.some((a) => a.NetworkAclId === theirs.acl || a.VpcId === theirs.vpc));
    assert.throws(() => e.DescribeNetworkAcls!({ NetworkAclIds: [theirs.acl] }, ctx), { code: 'InvalidNetworkAclID.NotFound' });
    assert.deepEqual(ids(e.DescribeAddresses!({}, ctx).Addresses, 'AllocationId'), [mine.eip]);
    assert.throws(() => e.DescribeAddresses!({ AllocationIds: [theirs.eip] }, ctx), { code: 'InvalidAllocationID.NotFound' });
    assert.deepEqual(ids(e.DescribeNatGateways!({}, ctx).NatGateways, 'NatGatewayId'), [mine.nat]);
    assert.throws(() => e.DescribeNatGateways!({ NatGatewayIds: [theirs.nat] }, ctx), { code: 'NatGatewayNotFound' });
    assert.throws(() => e.DeleteNatGateway!({ NatGatewayId: theirs.nat }, ctx), { code: 'NatGatewayNotFound' });
    assert.deepEqual(ids(e.DescribeVpcEndpoints!({}, ctx).VpcEndpoints, 'VpcEndpointId'), [mine.gwEndpoint, mine.ifEndpoint].sort());
    assert.throws(() => e.DescribeVpcEndpoints!({ VpcEndpointIds: [theirs.gwEndpoint] }, ctx), { code: 'InvalidVpcEndpointId.NotFound' });
    // ENIs: the task's, the NAT gateway's and the interface endpoint's, all in this account's subnet only.
    const enis = e.DescribeNetworkInterfaces!({}, ctx).NetworkInterfaces as Array<{ NetworkInterfaceId: string; SubnetId: string; OwnerId: string }>;
    assert.ok(enis.some((n) => n.NetworkInterfaceId === mine.taskEni));
    assert.ok(enis.every((n) => n.OwnerId === accountId && n.SubnetId !== theirs.subnet));
    assert.equal(enis.filter((n) => n.SubnetId === mine.subnet).length, 3, 'task, NAT gateway and interface endpoint');
    assert.throws(() => e.DescribeNetworkInterfaces!({ NetworkInterfaceIds: [theirs.taskEni] }, ctx), { code: 'InvalidNetworkInterfaceID.NotFound' });
    assert.equal(ec2.api.eni(ctx, theirs.taskEni), undefined);
    // Tags: another account's resource is not found, and DescribeTags lists this account's only.
    assert.throws(() => e.CreateTags!({ Resources: [theirs.igw], Tags: [{ Key: 'k', Value: 'v' }] }, ctx), { code: 'InvalidInternetGatewayID.NotFound' });
    const tags = e.DescribeTags!({ Filters: [{ Name: 'key', Values: ['owner'] }] }, ctx).Tags as Array<{ Value: string }>;
    assert.deepEqual(new Set(tags.map((t) => t.Value)), new Set([accountId]));
    assert.equal(tags.length, 5);
  }
  // Releasing an ENI in the wrong account leaves the owner's alone; in its own account it goes.
  ec2.api.releaseEni(testContext({ accountId: TWO }), made[ONE]!.taskEni);
  assert.ok(ec2.api.eni(testContext({ accountId: ONE }), made[ONE]!.taskEni));
  ec2.api.releaseEni(testContext({ accountId: ONE }), made[ONE]!.taskEni);
  assert.equal(ec2.api.eni(testContext({ accountId: ONE }), made[ONE]!.taskEni), undefined);
  // The legacy account sees none of it.
  assert.deepEqual(e.DescribeInternetGateways!({}, testContext()).InternetGateways, []);
  assert.deepEqual(e.DescribeNatGateways!({}, testContext()).NatGateways, []);
  store.close();
});
