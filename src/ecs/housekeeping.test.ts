// The retention sweep (housekeeping.ts) with time passed in: what is forgotten after RETENTION_MS and what stays.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { silentLogger } from '../kernel/log.js';
import { LEGACY_ACCOUNT, Store } from '../store/store.js';
import { RETENTION_MS, sweepRetention } from './housekeeping.js';
import { EcsStore, ecsMigrations, serviceKey, taskDefinitionKey, taskKey, type ServiceRecord, type TaskDefinitionRecord, type TaskRecord } from './store.js';

test('stopped tasks and inactive services go after the retention; deleted task definitions go once nothing live uses them', () => {
  const store = Store.open(':memory:', ecsMigrations, silentLogger);
  const ecs = new EcsStore(store);
  const r = 'us-east-1';
  // The records carry no accountId, as rows stored before accounts existed: their keys are the legacy account's.
  const scope = { region: r, accountId: LEGACY_ACCOUNT };
  const task = (taskId: string, lastStatus: string, stoppedAt: number | undefined, taskDefinitionArn = 'td:1') =>
    ({ region: r, cluster: 'c', taskId, lastStatus, stoppedAt, taskDefinitionArn }) as unknown as TaskRecord;
  const service = (name: string, status: string, inactiveAt: number | undefined, taskDefinition: string) =>
    ({ region: r, cluster: 'c', name, status, inactiveAt, deployments: [{ taskDefinition }] }) as unknown as ServiceRecord;
  const definition = (revision: number, status: string) => ({ region: r, family: 'f', revision, arn: `td:${revision}`, status }) as unknown as TaskDefinitionRecord;
  const now = 10 * RETENTION_MS;
  store.withTx(() => {
    ecs.tasks.putTx(taskKey(scope, 'c', 'old'), task('old', 'STOPPED', now - RETENTION_MS - 1));
    ecs.tasks.putTx(taskKey(scope, 'c', 'recent'), task('recent', 'STOPPED', now - RETENTION_MS + 1));
    ecs.tasks.putTx(taskKey(scope, 'c', 'live'), task('live', 'RUNNING', undefined, 'td:2'));
    ecs.services.putTx(serviceKey(scope, 'c', 'gone'), service('gone', 'INACTIVE', now - RETENTION_MS - 1, 'td:3'));
    ecs.services.putTx(serviceKey(scope, 'c', 'active'), service('active', 'ACTIVE', undefined, 'td:4'));
    for (const rev of [1, 2, 3, 4]) ecs.taskDefinitions.putTx(taskDefinitionKey(scope, 'f', rev), definition(rev, 'DELETE_IN_PROGRESS'));
    ecs.taskDefinitions.putTx(taskDefinitionKey(scope, 'f', 5), definition(5, 'INACTIVE'));
  });

  sweepRetention(store, ecs, now);

  assert.deepEqual(
    ecs.tasks
      .all()
      .map((t) => t.taskId)
      .sort(),
    ['live', 'recent'],
  );
  assert.deepEqual(
    ecs.services.all().map((s) => s.name),
    ['active'],
  );
  // td:1 is used only by a stopped task and td:3 only by an inactive service: both go.
  assert.deepEqual(
    ecs.taskDefinitions.all().map((d) => d.revision),
    [2, 4, 5],
  );
  store.close();
});
