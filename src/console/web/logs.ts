// CloudWatch Logs pages: log groups, a group's streams, and a stream's events with a live tail. Log
// events do not pass through the store's change feed (they are appended straight to their table), so
// the tail follows GetLogEvents' forward token every two seconds, as `aws logs tail --follow` polls.
import { awsJson } from './aws.js';
import { h, link, table, when } from './dom.js';
import type { View } from './routes.js';

const logs = <T>(op: string, input: object = {}) => awsJson<T>('logs', 'Logs_20140328', op, input);
const enc = encodeURIComponent;
const TAIL_MS = 2000;

interface LogGroup {
  logGroupName: string;
  creationTime?: number;
  retentionInDays?: number;
  storedBytes?: number;
}
interface LogStream {
  logStreamName: string;
  lastEventTimestamp?: number;
  creationTime?: number;
}
interface LogEvent {
  timestamp: number;
  message: string;
}

export async function logGroupsPage(root: HTMLElement): Promise<View> {
  const body = h('div');
  root.append(h('h1', {}, 'Log groups'), body);
  const refresh = async () => {
    const { logGroups } = await logs<{ logGroups: LogGroup[] }>('DescribeLogGroups');
    body.replaceChildren(
      table(
        ['Log group', 'Retention', 'Stored bytes', 'Creation time'],
        logGroups.map((g) => [
          link(`#/logs/groups/${enc(g.logGroupName)}`, g.logGroupName),
          g.retentionInDays ? `${g.retentionInDays} days` : 'Never expire',
          g.storedBytes ?? 0,
          when(g.creationTime),
        ]),
        'Log groups',
        'No log groups',
      ),
    );
  };
  await refresh();
  return { tables: ['logs_'], refresh };
}

export async function logGroupPage(root: HTMLElement, [group]: string[]): Promise<View> {
  const body = h('div');
  root.append(h('p', {}, link('#/logs', 'Log groups'), ' › ', group!), h('h1', {}, group!), h('h2', {}, 'Log streams'), body);
  const refresh = async () => {
    const { logStreams } = await logs<{ logStreams: LogStream[] }>('DescribeLogStreams', { logGroupName: group, orderBy: 'LastEventTime', descending: true });
    body.replaceChildren(
      table(
        ['Log stream', 'Last event time'],
        logStreams.map((s) => [link(`#/logs/groups/${enc(group!)}/${enc(s.logStreamName)}`, s.logStreamName), when(s.lastEventTimestamp)]),
        'Log streams',
        'No log streams',
      ),
    );
  };
  await refresh();
  return { tables: ['logs_'], refresh };
}

export async function logStreamPage(root: HTMLElement, [group, stream]: string[]): Promise<View> {
  const rows = h('tbody');
  const tail = h('input', { type: 'checkbox', name: 'tail', checked: true });
  const tailLabel = h('label', {}, tail, ' Live tail');
  root.append(
    h('p', {}, link('#/logs', 'Log groups'), ' › ', link(`#/logs/groups/${enc(group!)}`, group!), ' › ', stream!),
    h('h1', {}, stream!),
    tailLabel,
    h('table', { 'aria-label': 'Log events' }, h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Timestamp'), h('th', { scope: 'col' }, 'Message'))), rows),
  );
  let token: string | undefined;
  const read = async () => {
    const out = await logs<{ events: LogEvent[]; nextForwardToken?: string }>('GetLogEvents', {
      logGroupName: group,
      logStreamName: stream,
      startFromHead: true,
      ...(token ? { nextToken: token } : {}),
    });
    token = out.nextForwardToken ?? token;
    for (const e of out.events) rows.append(h('tr', {}, h('td', {}, when(e.timestamp)), h('td', {}, h('code', {}, e.message))));
  };
  await read();
  const timer = window.setInterval(() => {
    if (tail.checked) read().catch(() => undefined);
  }, TAIL_MS);
  return { dispose: () => window.clearInterval(timer) };
}
