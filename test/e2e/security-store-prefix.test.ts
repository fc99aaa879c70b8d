// Prefix scans over keys whose next character lies beyond U+FFFF (or is U+FFFF itself), seen through CloudWatch Logs:
// SQLite compares TEXT by UTF-8 bytes, and an upper bound of prefix + '\uffff' used to drop such log streams from
// DescribeLogStreams and their events from FilterLogEvents with a logStreamNamePrefix.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import * as L from '@aws-sdk/client-cloudwatch-logs';
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

const EMOJI = '\u{1F600}x';
const NONCHAR = '\uFFFFy';

test('log streams named from U+1F600 or U+FFFF are listed, with and without a prefix, and their events are found', async () => {
  const group = 'prefix-scan';
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: group }));
  for (const name of ['plain', EMOJI, NONCHAR, '\uFFFF\u{1F600}z']) {
    await logs.send(new L.CreateLogStreamCommand({ logGroupName: group, logStreamName: name }));
    await logs.send(new L.PutLogEventsCommand({ logGroupName: group, logStreamName: name, logEvents: [{ timestamp: Date.now(), message: `in ${name}` }] }));
  }
  // Another group whose name extends this one's must not leak into its listing.
  await logs.send(new L.CreateLogGroupCommand({ logGroupName: `${group}-2` }));
  await logs.send(new L.CreateLogStreamCommand({ logGroupName: `${group}-2`, logStreamName: '\u{1F600}other' }));

  const listed = async (prefix?: string) =>
    ((await logs.send(new L.DescribeLogStreamsCommand({ logGroupName: group, logStreamNamePrefix: prefix }))).logStreams ?? []).map((s) => s.logStreamName).sort();
  assert.deepEqual(await listed(), ['plain', EMOJI, NONCHAR, '\uFFFF\u{1F600}z'].sort());
  assert.deepEqual(await listed('\u{1F600}'), [EMOJI]);
  assert.deepEqual(await listed('\uFFFF'), [NONCHAR, '\uFFFF\u{1F600}z'].sort());
  assert.deepEqual(await listed('\uFFFF\u{1F600}'), ['\uFFFF\u{1F600}z']);

  // Paging one stream at a time reaches every one of them, each once.
  const paged: string[] = [];
  let nextToken: string | undefined;
  for (let i = 0; i < 10; i++) {
    const out = await logs.send(new L.DescribeLogStreamsCommand({ logGroupName: group, limit: 1, nextToken }));
    paged.push(...(out.logStreams ?? []).map((s) => s.logStreamName!));
    nextToken = out.nextToken;
    if (!nextToken) break;
  }
  assert.deepEqual(paged.sort(), ['plain', EMOJI, NONCHAR, '\uFFFF\u{1F600}z'].sort());

  const filtered = async (prefix: string) =>
    ((await logs.send(new L.FilterLogEventsCommand({ logGroupName: group, logStreamNamePrefix: prefix }))).events ?? []).map((e) => e.message).sort();
  assert.deepEqual(await filtered('\u{1F600}'), [`in ${EMOJI}`]);
  assert.deepEqual(await filtered('\uFFFF'), [`in ${NONCHAR}`, 'in \uFFFF\u{1F600}z'].sort());
});
