// CloudWatch Logs through @aws-sdk/client-cloudwatch-logs against a real Wayfinder.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '@aws-sdk/client-cloudwatch-logs';
import { codeOf } from '../support/errors.js';
import { sdkConfig, startTestServer, type TestServer } from '../support/server.js';

let server: TestServer;
let logs: L.CloudWatchLogsClient;

before(async () => {
  server = await startTestServer();
  logs = new L.CloudWatchLogsClient(sdkConfig(server));
});
after(async () => {
  logs.destroy();
  await server.destroy();
});

test('groups and streams: create, describe by prefix, duplicates and unknowns answer AWS codes', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/web', tags: { team: 'core' } }));
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/api' }));
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: '/other' }));
  assert.equal(await codeOf(logs.send(new L.CreateLogGroupCommand({ logGroupName: '/ecs/web' }))), 'ResourceAlreadyExistsException');
  assert.equal(await codeOf(logs.send(new L.CreateLogGroupCommand({ logGroupName: 'bad name!' }))), 'InvalidParameterException');
  const { logGroups } = await logs.send(new L.DescribeLogGroupsCommand({ logGroupNamePrefix: '/ecs/' }));
  assert.deepEqual(
    logGroups!.map((g) => g.logGroupName),
    ['/ecs/api', '/ecs/web'],
  );
  assert.equal(logGroups![1]!.arn, 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web:*');
  await logs.send(new L.CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1' }));
  assert.equal(await codeOf(logs.send(new L.CreateLogStreamCommand({ logGroupName: '/ecs/web', logStreamName: 'web/app/1' }))), 'ResourceAlreadyExistsException');
  assert.equal(await codeOf(logs.send(new L.CreateLogStreamCommand({ logGroupName: '/nope', logStreamName: 's' }))), 'ResourceNotFoundException');
  assert.equal(
    await codeOf(logs.send(new L.PutLogEventsCommand({ logGroupName: '/ecs/web', logStreamName: 'missing', logEvents: [{ timestamp: Date.now(), message: 'x' }] }))),
    'ResourceNotFoundException',
  );
  const tags = await logs.send(new L.ListTagsForResourceCommand({ resourceArn: 'arn:aws:logs:us-east-1:000000000000:log-group:/ecs/web' }));
  assert.deepEqual(tags.tags, { team: 'core' });
});

test('PutLogEvents → GetLogEvents: head and tail reads, forward/backward tokens, the repeated token at the end', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'g1' }));
  await logs.send(new L.CreateLogStreamCommand({ logGroupName: 'g1', logStreamName: 's1' }));
  const t0 = Date.now() - 60_000;
  const events = Array.from({ length: 25 }, (_, i) => ({ timestamp: t0 + i, message: `line ${i}` }));
  await logs.send(new L.PutLogEventsCommand({ logGroupName: 'g1', logStreamName: 's1', logEvents: events }));

  const tail = await logs.send(new L.GetLogEventsCommand({ logGroupName: 'g1', logStreamName: 's1', limit: 10 }));
  assert.deepEqual(
    tail.events!.map((e) => e.message),
    events.slice(15).map((e) => e.message),
  );
  const back = await logs.send(new L.GetLogEventsCommand({ logGroupName: 'g1', logStreamName: 's1', limit: 10, nextToken: tail.nextBackwardToken }));
  assert.deepEqual(
    back.events!.map((e) => e.message),
    events.slice(5, 15).map((e) => e.message),
  );

  const read: string[] = [];
  let token: string | undefined;
  for (let i = 0; i < 10; i++) {
    const page = await logs.send(new L.GetLogEventsCommand({ logGroupName: 'g1', logStreamName: 's1', startFromHead: true, limit: 10, nextToken: token }));
    read.push(...page.events!.map((e) => e.message!));
    if (page.nextForwardToken === token) break;
    token = page.nextForwardToken;
  }
  assert.deepEqual(
    read,
    events.map((e) => e.message),
  );

  const { logStreams } = await logs.send(new L.DescribeLogStreamsCommand({ logGroupName: 'g1' }));
  assert.equal(logStreams![0]!.firstEventTimestamp, t0);
  assert.equal(logStreams![0]!.lastEventTimestamp, t0 + 24);
});

test('PutLogEvents refuses out-of-order batches and reports too-old events', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'g2' }));
  await logs.send(new L.CreateLogStreamCommand({ logGroupName: 'g2', logStreamName: 's' }));
  const now = Date.now();
  assert.equal(
    await codeOf(
      logs.send(
        new L.PutLogEventsCommand({
          logGroupName: 'g2',
          logStreamName: 's',
          logEvents: [
            { timestamp: now, message: 'b' },
            { timestamp: now - 5, message: 'a' },
          ],
        }),
      ),
    ),
    'InvalidParameterException',
  );
  const old = now - 15 * 86_400_000;
  const r = await logs.send(
    new L.PutLogEventsCommand({
      logGroupName: 'g2',
      logStreamName: 's',
      logEvents: [
        { timestamp: old, message: 'old' },
        { timestamp: old + 1, message: 'old too' },
      ],
    }),
  );
  assert.equal(r.rejectedLogEventsInfo?.tooOldLogEventEndIndex, 2);
  assert.equal(
    await codeOf(
      logs.send(
        new L.PutLogEventsCommand({
          logGroupName: 'g2',
          logStreamName: 's',
          logEvents: [
            { timestamp: old, message: 'x' },
            { timestamp: now, message: 'y' },
          ],
        }),
      ),
    ),
    'InvalidParameterException',
  );
  await logs.send(new L.PutLogEventsCommand({ logGroupName: 'g2', logStreamName: 's', logEvents: [{ timestamp: now, message: 'new' }] }));
  const got = await logs.send(new L.GetLogEventsCommand({ logGroupName: 'g2', logStreamName: 's' }));
  assert.deepEqual(
    got.events!.map((e) => e.message),
    ['new'],
  );
});

test('FilterLogEvents: interleaved across streams, term patterns, stream prefixes, paging', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'g3' }));
  for (const s of ['app/a', 'app/b', 'other']) await logs.send(new L.CreateLogStreamCommand({ logGroupName: 'g3', logStreamName: s }));
  const t = Date.now() - 10_000;
  await logs.send(
    new L.PutLogEventsCommand({
      logGroupName: 'g3',
      logStreamName: 'app/a',
      logEvents: [
        { timestamp: t, message: 'ERROR one' },
        { timestamp: t + 2, message: 'INFO two' },
      ],
    }),
  );
  await logs.send(new L.PutLogEventsCommand({ logGroupName: 'g3', logStreamName: 'app/b', logEvents: [{ timestamp: t + 1, message: 'ERROR three' }] }));
  await logs.send(new L.PutLogEventsCommand({ logGroupName: 'g3', logStreamName: 'other', logEvents: [{ timestamp: t + 3, message: 'ERROR four' }] }));
  const all = await logs.send(new L.FilterLogEventsCommand({ logGroupName: 'g3' }));
  assert.deepEqual(
    all.events!.map((e) => e.message),
    ['ERROR one', 'ERROR three', 'INFO two', 'ERROR four'],
  );
  const errs = await logs.send(new L.FilterLogEventsCommand({ logGroupName: 'g3', filterPattern: 'ERROR', logStreamNamePrefix: 'app/' }));
  assert.deepEqual(
    errs.events!.map((e) => [e.logStreamName, e.message]),
    [
      ['app/a', 'ERROR one'],
      ['app/b', 'ERROR three'],
    ],
  );
  const p1 = await logs.send(new L.FilterLogEventsCommand({ logGroupName: 'g3', limit: 3 }));
  assert.equal(p1.events!.length, 3);
  const p2 = await logs.send(new L.FilterLogEventsCommand({ logGroupName: 'g3', limit: 3, nextToken: p1.nextToken }));
  assert.deepEqual(
    p2.events!.map((e) => e.message),
    ['ERROR four'],
  );
  assert.equal(p2.nextToken, undefined);
  assert.equal(await codeOf(logs.send(new L.FilterLogEventsCommand({ logGroupName: 'g3', filterPattern: '{ $.a = 1 }' }))), 'InvalidParameterException');
  // storedBytes counts each group's own messages (one query for the page's groups): g3 holds 9+8+11+10 bytes.
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'g3-empty' }));
  const groups = await logs.send(new L.DescribeLogGroupsCommand({ logGroupNamePrefix: 'g3' }));
  assert.deepEqual(
    groups.logGroups!.map((g) => [g.logGroupName, g.storedBytes]),
    [
      ['g3', 38],
      ['g3-empty', 0],
    ],
  );
});

test('retention policies accept only AWS values; deleting a group deletes its events', async () => {
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: 'g4' }));
  assert.equal(await codeOf(logs.send(new L.PutRetentionPolicyCommand({ logGroupName: 'g4', retentionInDays: 2 }))), 'InvalidParameterException');
  await logs.send(new L.PutRetentionPolicyCommand({ logGroupName: 'g4', retentionInDays: 7 }));
  const { logGroups } = await logs.send(new L.DescribeLogGroupsCommand({ logGroupNamePrefix: 'g4' }));
  assert.equal(logGroups![0]!.retentionInDays, 7);
  await logs.send(new L.DeleteLogGroupCommand({ logGroupName: 'g4' }));
  assert.equal(await codeOf(logs.send(new L.DeleteLogGroupCommand({ logGroupName: 'g4' }))), 'ResourceNotFoundException');
});
