// `wayfinder logs <cluster> <service> [--follow] [--since 10m]`: the awslogs output of a service's
// containers, read back through CloudWatch Logs (FilterLogEvents), optionally followed.
import { setTimeout as sleep } from 'node:timers/promises';
import { callOptions, ECS, findRegion, jsonCall, LOGS, type CallOptions } from './aws-call.js';
import { parseArgs, UsageError } from './args.js';

interface LogSource {
  container: string;
  group: string;
  prefix: string;
}

function parseSince(raw: string | undefined): number {
  if (!raw) return Date.now() - 10 * 60_000;
  const m = /^(\d+)([smhd])$/.exec(raw);
  if (!m) throw new UsageError(`--since takes a duration like 30s, 10m, 2h or 1d, got '${raw}'`);
  return Date.now() - Number(m[1]) * { s: 1e3, m: 6e4, h: 3.6e6, d: 8.64e7 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

async function sources(opts: CallOptions, cluster: string, service: string): Promise<LogSource[]> {
  const { services = [], failures = [] } = await jsonCall<{ services?: Array<{ taskDefinition: string }>; failures?: Array<{ reason: string }> }>(
    opts,
    'ecs',
    `${ECS}.DescribeServices`,
    { cluster, services: [service] },
  );
  if (!services.length) throw new Error(`service ${cluster}/${service}: ${failures[0]?.reason ?? 'not found'}`);
  const { taskDefinition } = await jsonCall<{
    taskDefinition: { containerDefinitions: Array<{ name: string; logConfiguration?: { logDriver: string; options?: Record<string, string> } }> };
  }>(opts, 'ecs', `${ECS}.DescribeTaskDefinition`, { taskDefinition: services[0]!.taskDefinition });
  return taskDefinition.containerDefinitions
    .filter((c) => c.logConfiguration?.logDriver === 'awslogs' && c.logConfiguration.options?.['awslogs-group'])
    .map((c) => ({ container: c.name, group: c.logConfiguration!.options!['awslogs-group']!, prefix: c.logConfiguration!.options!['awslogs-stream-prefix'] ?? '' }));
}

export async function logs(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['--endpoint', '--region', '--since']), new Set(['--follow', '-f', '--help', '-h']));
  const [cluster, service] = args.positionals;
  if (!cluster || !service || args.switches.has('--help') || args.switches.has('-h')) {
    process.stdout.write('Usage: wayfinder logs <cluster> <service> [--follow] [--since 10m] [--endpoint URL] [--region R]\n');
    return cluster && service ? 0 : 2;
  }
  let opts = callOptions(args.flags);
  const follow = args.switches.has('--follow') || args.switches.has('-f');
  let startTime = parseSince(args.flags.get('--since'));
  let found: LogSource[];
  try {
    found = await sources(opts, cluster, service);
  } catch (e) {
    // Without --region, look in the other regions that hold resources (the walkthrough uses eu-west-2).
    const elsewhere = args.flags.has('--region') ? undefined : await findRegion(opts, (o) => sources(o, cluster, service));
    if (!elsewhere) throw e;
    ({ opts, value: found } = elsewhere);
    process.stderr.write(`wayfinder logs: ${cluster}/${service} is in ${opts.region}\n`);
  }
  if (!found.length) {
    process.stderr.write(`wayfinder logs: no container of ${cluster}/${service} uses the awslogs driver\n`);
    return 1;
  }
  const seen = new Set<string>();
  let stop = false;
  process.once('SIGINT', () => (stop = true));
  do {
    let newest = startTime;
    for (const src of found) {
      let nextToken: string | undefined;
      do {
        const page: { events?: Array<{ eventId: string; logStreamName: string; timestamp: number; message: string }>; nextToken?: string } = await jsonCall(
          opts,
          'logs',
          `${LOGS}.FilterLogEvents`,
          {
            logGroupName: src.group,
            logStreamNamePrefix: src.prefix ? `${src.prefix}/${src.container}/` : undefined,
            startTime,
            nextToken,
          },
        );
        for (const e of page.events ?? []) {
          if (seen.has(e.eventId)) continue;
          seen.add(e.eventId);
          newest = Math.max(newest, e.timestamp);
          const task = e.logStreamName.split('/').pop();
          process.stdout.write(`${new Date(e.timestamp).toISOString()} [${src.container} ${task?.slice(0, 8)}] ${e.message}\n`);
        }
        nextToken = page.nextToken;
      } while (nextToken);
    }
    startTime = newest;
    if (follow && !stop) await sleep(1000);
  } while (follow && !stop);
  return 0;
}
