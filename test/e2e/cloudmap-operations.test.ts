// Cloud Map's asynchronous operations with a real delay: SUBMITTED → PENDING → SUCCESS as clients
// poll, ListOperations filters, in-flight duplicates, and operations that complete after a restart.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as SD from '@aws-sdk/client-servicediscovery';
import { startTestServer } from '../support/server.js';
import { errorOf, eventually, sdClient, waitOperation } from '../support/cloudmap.js';

test('with an operation delay, clients see SUBMITTED/PENDING before SUCCESS, and in-flight duplicates are refused', async () => {
  const server = await startTestServer({ operationDelayMs: 1000 });
  const sd = sdClient(server);
  try {
    const { OperationId } = await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'slow' }));
    const first = (await sd.send(new SD.GetOperationCommand({ OperationId }))).Operation!;
    assert.ok(first.Status === 'SUBMITTED' || first.Status === 'PENDING', first.Status);
    assert.equal((await sd.send(new SD.ListNamespacesCommand({}))).Namespaces!.length, 0, 'not there before the operation completes');
    const dup = await errorOf(sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'slow' })));
    assert.equal(dup.name, 'DuplicateRequest');
    assert.equal(dup.fields.DuplicateOperationId, OperationId);
    const seen = new Set<string>([first.Status]);
    const done = await eventually(
      async () => (await sd.send(new SD.GetOperationCommand({ OperationId }))).Operation!,
      (op) => (seen.add(op.Status!), op.Status === 'SUCCESS'),
      'the operation',
    );
    assert.ok(seen.has('PENDING'), `statuses seen: ${[...seen]}`);
    assert.ok(done.UpdateDate!.getTime() >= done.CreateDate!.getTime());
    const nsId = done.Targets!.NAMESPACE!;
    assert.equal((await sd.send(new SD.GetNamespaceCommand({ Id: nsId }))).Namespace!.Name, 'slow');

    const { Service } = await sd.send(new SD.CreateServiceCommand({ Name: 's', NamespaceId: nsId }));
    const reg = await sd.send(new SD.RegisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: 'i1', Attributes: { AWS_INSTANCE_IPV4: '127.0.0.1' } }));
    const busy = await errorOf(sd.send(new SD.DeregisterInstanceCommand({ ServiceId: Service!.Id, InstanceId: 'i1' })));
    assert.equal(busy.name, 'InstanceNotFound', 'not registered until the operation completes');
    await waitOperation(sd, reg.OperationId!);

    const list = async (Filters: SD.OperationFilter[]) => (await sd.send(new SD.ListOperationsCommand({ Filters }))).Operations!.map((o) => o.Id);
    assert.deepEqual(await list([{ Name: 'NAMESPACE_ID', Values: [nsId] }]), [OperationId]);
    assert.deepEqual(await list([{ Name: 'SERVICE_ID', Values: [Service!.Id!] }]), [reg.OperationId]);
    assert.deepEqual(await list([{ Name: 'TYPE', Values: ['REGISTER_INSTANCE', 'DELETE_NAMESPACE'], Condition: 'IN' }]), [reg.OperationId]);
    assert.deepEqual(await list([{ Name: 'STATUS', Values: ['SUCCESS'] }]), [OperationId, reg.OperationId]);
    assert.deepEqual(await list([{ Name: 'STATUS', Values: ['FAIL'] }]), []);
    const now = Date.now() / 1000;
    assert.equal((await list([{ Name: 'UPDATE_DATE', Values: [String(now - 60), String(now + 60)], Condition: 'BETWEEN' }])).length, 2);
    assert.equal((await list([{ Name: 'UPDATE_DATE', Values: [String(now - 7200), String(now - 3600)], Condition: 'BETWEEN' }])).length, 0);
    assert.equal((await errorOf(sd.send(new SD.ListOperationsCommand({ Filters: [{ Name: 'SERVICE_ID', Values: ['a', 'b'], Condition: 'IN' }] })))).name, 'InvalidInput');
    const paged = await sd.send(new SD.ListOperationsCommand({ MaxResults: 1 }));
    assert.deepEqual(
      paged.Operations!.map((o) => o.Id),
      [OperationId],
    );
    assert.deepEqual(
      (await sd.send(new SD.ListOperationsCommand({ MaxResults: 1, NextToken: paged.NextToken }))).Operations!.map((o) => o.Id),
      [reg.OperationId],
    );
  } finally {
    sd.destroy();
    await server.destroy();
  }
});

test('an operation still pending when the server stops completes after a restart', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'wf-cloudmap-ops-'));
  try {
    const first = await startTestServer({ operationDelayMs: 1500 }, dir);
    const sd1 = sdClient(first);
    const { OperationId } = await sd1.send(new SD.CreateHttpNamespaceCommand({ Name: 'survivor' }));
    sd1.destroy();
    await first.close();

    const second = await startTestServer({ operationDelayMs: 1500 }, dir);
    const sd2 = sdClient(second);
    const op = await eventually(
      async () => (await sd2.send(new SD.GetOperationCommand({ OperationId }))).Operation!,
      (o) => o.Status === 'SUCCESS',
      'the operation after a restart',
    );
    assert.equal((await sd2.send(new SD.GetNamespaceCommand({ Id: op.Targets!.NAMESPACE! }))).Namespace!.Name, 'survivor');
    sd2.destroy();
    await second.close();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a reset drops pending operations and their timers', async () => {
  const server = await startTestServer({ operationDelayMs: 60_000, healthDelayMs: 60_000 });
  const sd = sdClient(server);
  try {
    const { OperationId } = await sd.send(new SD.CreateHttpNamespaceCommand({ Name: 'never' }));
    assert.equal((await sd.send(new SD.GetOperationCommand({ OperationId }))).Operation!.Status, 'SUBMITTED');
    const { rawRequest } = await import('../support/server.js');
    assert.equal((await rawRequest(server, { method: 'POST', path: '/_wayfinder/reset' })).status, 200);
    assert.equal((await errorOf(sd.send(new SD.GetOperationCommand({ OperationId })))).name, 'OperationNotFound');
    assert.equal((await sd.send(new SD.ListNamespacesCommand({}))).Namespaces!.length, 0);
  } finally {
    sd.destroy();
    await server.destroy(); // returns promptly: no 60 s timer keeps anything alive
  }
});
