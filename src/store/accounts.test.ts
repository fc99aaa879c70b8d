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
