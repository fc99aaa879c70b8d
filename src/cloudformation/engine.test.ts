// The stack engine with stand-in providers (the engine knows no resource type, so any provider will
// do): ordering, rollback, updates by replacement or in place, cancel, and resume after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AwsError } from '../kernel/errors.js';
import { silentLogger } from '../kernel/log.js';
import { Store } from '../store/store.js';
import { StackEngine } from './engine.js';
import type { ResourceProvider } from './providers/provider.js';
import { CfnStore, cloudFormationMigrations, type StackRecord } from './store.js';

interface World {
  cfn: CfnStore;
  engine: StackEngine;
  log: string[];
  live: Map<string, Record<string, unknown>>;
}

function world(): World {
  const log: string[] = [];
  const live = new Map<string, Record<string, unknown>>();
  let n = 0;
  const thing: ResourceProvider = {
    type: 'Test::Thing',
    attributes: ['Name'],
    replaceOn: ['Fixed'],
    async create(props) {
      await new Promise((r) => setImmediate(r));
      if (props.Fail) throw new AwsError('ValidationError', `cannot make ${String(props.Name)}`);
      const id = `thing-${++n}`;
      live.set(id, props);
      log.push(`create ${String(props.Name)} ${id}`);
      return { physicalId: id, attributes: { Name: props.Name } };
    },
    async update(id, props) {
      if (props.Fail) throw new AwsError('ValidationError', `cannot change ${String(props.Name)}`);
      live.set(id, props);
      log.push(`update ${id} ${String(props.Name)}`);
      return { attributes: { Name: props.Name } };
    },
    async delete(id) {
      live.delete(id);
      log.push(`delete ${id}`);
    },
  };
  const store = Store.open(':memory:', cloudFormationMigrations, silentLogger);
  const cfn = new CfnStore(store);
  const engine = new StackEngine({
    cfn,
    providers: new Map([[thing.type, thing]]),
    logger: silentLogger,
    call: async () => {
      throw new AwsError('NotImplemented', 'no services here');
    },
  });
  return { cfn, engine, log, live };
}

function stack(w: World, template: unknown, extra: Partial<StackRecord> = {}): StackRecord {
  const s: StackRecord = {
    stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/t/1',
    name: 't',
    region: 'us-east-1',
    accountId: '000000000000',
    status: 'CREATE_IN_PROGRESS',
    createdAt: Date.now(),
    templateBody: JSON.stringify(template),
    parameters: [],
    capabilities: [],
    tags: [],
    notificationARNs: [],
    disableRollback: false,
    terminationProtection: false,
    resources: {},
    outputs: [],
    imports: [],
    eventSeq: 0,
    ...extra,
  };
  w.cfn.put(s);
  return s;
}

const thing = (props: Record<string, unknown>, more: Record<string, unknown> = {}) => ({ Type: 'Test::Thing', Properties: props, ...more });

function update(w: World, s: StackRecord, template: unknown): void {
  s.update = { oldTemplateBody: s.templateBody, oldParameters: s.parameters, oldResources: structuredClone(s.resources), oldOutputs: s.outputs, cleanup: [] };
  s.templateBody = JSON.stringify(template);
  s.status = 'UPDATE_IN_PROGRESS';
  w.engine.update(s);
}

const stored = (w: World, s: StackRecord) => w.cfn.stacks.get(w.cfn.stackKey(s))!;
const statuses = (w: World, s: StackRecord) =>
  w.cfn
    .eventsOf(s)
    .reverse()
    .map((e) => `${e.logicalId} ${e.status}`);

test('create: dependencies first, outputs resolved after, every step stored', async () => {
  const w = world();
  const s = stack(w, {
    Resources: { A: thing({ Name: 'a' }), B: thing({ Name: { 'Fn::Sub': '${A.Name}-b' } }), C: thing({ Name: 'c', After: { Ref: 'B' } }) },
    Outputs: { O: { Value: { 'Fn::Join': ['/', [{ Ref: 'A' }, { 'Fn::GetAtt': ['C', 'Name'] }]] }, Export: { Name: 'exp' } } },
  });
  w.engine.create(s);
  await w.engine.idle();
  assert.equal(stored(w, s).status, 'CREATE_COMPLETE');
  assert.deepEqual(w.log, ['create a thing-1', 'create a-b thing-2', 'create c thing-3']);
  assert.deepEqual(stored(w, s).outputs, [{ key: 'O', value: 'thing-1/c', exportName: 'exp' }]);
  assert.deepEqual(statuses(w, s).slice(0, 3), ['A CREATE_IN_PROGRESS', 'A CREATE_IN_PROGRESS', 'A CREATE_COMPLETE']);
  assert.equal(statuses(w, s).at(-1), 't CREATE_COMPLETE');
});

test('a failed create rolls back everything it made, dependents first', async () => {
  const w = world();
  const s = stack(w, {
    Resources: {
      A: thing({ Name: 'a' }),
      B: thing({ Name: 'b', On: { Ref: 'A' } }),
      Bad: thing({ Name: 'bad', Fail: true, On: { Ref: 'A' } }),
      Never: thing({ Name: 'n' }, { DependsOn: 'Bad' }),
    },
  });
  w.engine.create(s);
  await w.engine.idle();
  const after = stored(w, s);
  assert.equal(after.status, 'ROLLBACK_COMPLETE');
  assert.equal(w.live.size, 0);
  assert.ok(w.log.indexOf('delete thing-2') < w.log.indexOf('delete thing-1'));
  assert.equal(after.resources.Never, undefined);
  assert.ok(statuses(w, s).includes('t ROLLBACK_IN_PROGRESS'));
});

test('update: in place where the provider can, replacement otherwise, removed resources cleaned up', async () => {
  const w = world();
  const s = stack(w, { Resources: { A: thing({ Name: 'a', Fixed: 1 }), B: thing({ Name: 'b' }), Gone: thing({ Name: 'g' }) } });
  w.engine.create(s);
  await w.engine.idle();
  w.log.length = 0;
  update(w, s, { Resources: { A: thing({ Name: 'a', Fixed: 2 }), B: thing({ Name: 'b2' }) } });
  await w.engine.idle();
  const after = stored(w, s);
  assert.equal(after.status, 'UPDATE_COMPLETE');
  assert.deepEqual(w.log.sort(), ['create a thing-4', 'delete thing-1', 'delete thing-3', 'update thing-2 b2'].sort());
  assert.deepEqual(Object.keys(after.resources).sort(), ['A', 'B']);
  assert.equal(after.resources.A!.physicalId, 'thing-4');
});

test('a failed update rolls back: in-place changes reverted, new resources deleted, the old state restored', async () => {
  const w = world();
  const template = { Resources: { A: thing({ Name: 'a' }), B: thing({ Name: 'b', Fixed: 1 }) } };
  const s = stack(w, template);
  w.engine.create(s);
  await w.engine.idle();
  const before = structuredClone(stored(w, s).resources);
  update(w, s, { Resources: { A: thing({ Name: 'a2' }), B: thing({ Name: 'b', Fixed: 2 }, { DependsOn: 'A' }), New: thing({ Name: 'x', Fail: true }, { DependsOn: 'B' }) } });
  await w.engine.idle();
  const after = stored(w, s);
  assert.equal(after.status, 'UPDATE_ROLLBACK_COMPLETE');
  assert.equal(after.templateBody, JSON.stringify(template));
  assert.deepEqual(
    Object.values(after.resources).map((r) => [r.logicalId, r.physicalId, r.props]),
    Object.values(before).map((r) => [r.logicalId, r.physicalId, r.props]),
  );
  assert.deepEqual([...w.live.keys()].sort(), ['thing-1', 'thing-2']);
  assert.deepEqual(w.live.get('thing-1'), { Name: 'a' });
  const events = statuses(w, s);
  assert.equal(events.at(-1), 't UPDATE_ROLLBACK_COMPLETE');
  assert.ok(events.indexOf('t UPDATE_ROLLBACK_COMPLETE_CLEANUP_IN_PROGRESS') < events.lastIndexOf('B DELETE_COMPLETE'));
});

test('resume after a restart: a create in progress is rolled back, a delete in progress is finished', async () => {
  const w = world();
  const creating = stack(w, { Resources: { A: thing({ Name: 'a' }), B: thing({ Name: 'b' }) } });
  creating.resources.A = { logicalId: 'A', type: 'Test::Thing', physicalId: 'thing-9', status: 'CREATE_COMPLETE', props: {}, attributes: {}, updatedAt: 0, dependsOn: [] };
  creating.resources.B = { logicalId: 'B', type: 'Test::Thing', status: 'CREATE_IN_PROGRESS', props: {}, attributes: {}, updatedAt: 0, dependsOn: [] };
  w.cfn.put(creating);
  const deleting = stack(
    w,
    { Resources: { A: thing({ Name: 'a' }) } },
    { stackId: 'arn:aws:cloudformation:us-east-1:000000000000:stack/d/2', name: 'd', status: 'DELETE_IN_PROGRESS' },
  );
  deleting.resources.A = { logicalId: 'A', type: 'Test::Thing', physicalId: 'thing-8', status: 'CREATE_COMPLETE', props: {}, attributes: {}, updatedAt: 0, dependsOn: [] };
  w.cfn.put(deleting);
  w.engine.resume([stored(w, creating), stored(w, deleting)]);
  await w.engine.idle();
  assert.equal(stored(w, creating).status, 'ROLLBACK_COMPLETE');
  assert.equal(stored(w, creating).resources.B!.status, 'DELETE_COMPLETE');
  assert.equal(stored(w, deleting).status, 'DELETE_COMPLETE');
  assert.deepEqual(w.log.sort(), ['delete thing-8', 'delete thing-9']);
});

test('a cancel that arrives while an update fails on its own is spent with it: the next update is not cancelled', async () => {
  const w = world();
  const s = stack(w, { Resources: { A: thing({ Name: 'a' }) } });
  w.engine.create(s);
  await w.engine.idle();
  // The update fails before any resource (its condition refers to no parameter), cancelled meanwhile.
  const failing = stored(w, s);
  update(w, failing, { Conditions: { C: { 'Fn::Equals': [{ Ref: 'Nope' }, 'x'] } }, Resources: { A: thing({ Name: 'a2' }) } });
  w.engine.cancelUpdate(failing);
  await w.engine.idle();
  assert.equal(stored(w, s).status, 'UPDATE_ROLLBACK_COMPLETE');
  update(w, stored(w, s), { Resources: { A: thing({ Name: 'a3' }) } });
  await w.engine.idle();
  assert.equal(stored(w, s).status, 'UPDATE_COMPLETE');
  assert.ok(w.log.includes('update thing-1 a3'));
});
