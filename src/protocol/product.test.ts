// serviceHandlers: a table registers under its own service, and a table of another service does not
// compile (the @ts-expect-error line fails the build the day that check disappears).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ecsOperationNames } from './generated/ecs.js';
import { notImplementedAll, NOT_IMPLEMENTED } from './handlers.js';
import { serviceHandlers } from './product.js';

test('a handler table registers under the service whose operations it implements', () => {
  const ecs = notImplementedAll(ecsOperationNames);
  const registered = serviceHandlers('ecs', ecs);
  assert.equal(registered.service, 'ecs');
  assert.equal(registered.table.RunTask, NOT_IMPLEMENTED);
  // @ts-expect-error an ECS table is not an EC2 table
  serviceHandlers('ec2', ecs);
});
