// `wayfinder wait …`: block until something is ready, with progress (spinner on a TTY, plain lines
// otherwise). Scripts such as the seed walkthrough use these instead of hand-written poll loops.
//   wayfinder wait ready
//   wayfinder wait operation <operationId>          Cloud Map operation SUCCESS (FAIL exits 1)
//   wayfinder wait vpc-link <vpcLinkId>             API Gateway VPC link AVAILABLE
//   wayfinder wait service <cluster> <service>      ECS service steady: running = desired, rollout COMPLETED
import { setTimeout as sleep } from 'node:timers/promises';
import { AwsCallError, callOptions, ECS, jsonCall, restCall, SD, type CallOptions } from './aws-call.js';
import { parseArgs, UsageError } from './args.js';
import { progress } from './progress.js';

type Check = (opts: CallOptions) => Promise<{ done: boolean; failed?: boolean; text: string }>;

const USAGE = `Usage: wayfinder wait ready | operation <id> | vpc-link <id> | service <cluster> <service> [--timeout 300] [--endpoint URL] [--region R]\n`;

function checkFor(kind: string | undefined, rest: string[]): Check | undefined {
  switch (kind) {
    case 'ready':
      return async (opts) => {
        const r = await fetch(`${opts.endpoint}/_wayfinder/health`)
          .then((x) => x.status)
          .catch(() => 0);
        return { done: r === 200, text: r === 200 ? `Wayfinder answers at ${opts.endpoint}` : `waiting for Wayfinder at ${opts.endpoint}` };
      };
    case 'operation': {
      const [id] = rest;
      if (!id) return undefined;
      return async (opts) => {
        const { Operation } = await jsonCall<{ Operation: { Status: string; ErrorMessage?: string } }>(opts, 'servicediscovery', `${SD}.GetOperation`, { OperationId: id });
        return {
          done: Operation.Status === 'SUCCESS',
          failed: Operation.Status === 'FAIL',
          text: `operation ${id}: ${Operation.Status}${Operation.ErrorMessage ? ` (${Operation.ErrorMessage})` : ''}`,
        };
      };
    }
    case 'vpc-link': {
      const [id] = rest;
      if (!id) return undefined;
      return async (opts) => {
        const link = await restCall<{ vpcLinkStatus: string; vpcLinkStatusMessage?: string }>(opts, 'GET', `/v2/vpclinks/${encodeURIComponent(id)}`);
        return {
          done: link.vpcLinkStatus === 'AVAILABLE',
          failed: link.vpcLinkStatus === 'FAILED',
          text: `VPC link ${id}: ${link.vpcLinkStatus}${link.vpcLinkStatusMessage ? ` — ${link.vpcLinkStatusMessage}` : ''}`,
        };
      };
    }
    case 'service': {
      const [cluster, service] = rest;
      if (!cluster || !service) return undefined;
      return async (opts) => {
        // biome-ignore lint/suspicious/noExplicitAny: a DescribeServices answer read loosely for display
        const { services = [] } = await jsonCall<{ services?: Array<Record<string, any>> }>(opts, 'ecs', `${ECS}.DescribeServices`, { cluster, services: [service] });
        const s = services[0];
        if (!s) return { done: false, failed: true, text: `service ${cluster}/${service} not found` };
        const primary = (s.deployments ?? []).find((d: Record<string, unknown>) => d.status === 'PRIMARY');
        const steady = s.runningCount === s.desiredCount && (s.deployments ?? []).length === 1 && primary?.rolloutState === 'COMPLETED';
        return {
          done: steady,
          failed: primary?.rolloutState === 'FAILED',
          text: `service ${cluster}/${service}: running ${s.runningCount}/${s.desiredCount}, pending ${s.pendingCount}, rollout ${primary?.rolloutState ?? '?'}`,
        };
      };
    }
  }
  return undefined;
}

export async function wait(argv: string[]): Promise<number> {
  const args = parseArgs(argv, new Set(['--endpoint', '--region', '--timeout']));
  const [kind, ...rest] = args.positionals;
  const check = checkFor(kind, rest);
  if (!check || args.switches.has('--help')) {
    process.stderr.write(USAGE);
    return 2;
  }
  const opts = callOptions(args.flags);
  const timeoutRaw = args.flags.get('--timeout') ?? '300';
  if (!/^\d+$/.test(timeoutRaw)) throw new UsageError(`--timeout takes whole seconds, got '${timeoutRaw}'`);
  const timeoutMs = Number(timeoutRaw) * 1000;
  const p = progress();
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    try {
      const r = await check(opts);
      last = r.text;
      if (r.done) {
        p.done(r.text);
        return 0;
      }
      if (r.failed) {
        p.fail(r.text);
        return 1;
      }
      p.update(r.text);
    } catch (e) {
      last = (e as Error).message;
      // A client error (an unknown cluster, operation or link) will not go away by waiting.
      if (e instanceof AwsCallError && e.status >= 400 && e.status < 500) {
        p.fail(last);
        return 1;
      }
      p.update(last);
    }
    await sleep(500);
  }
  p.fail(`timed out after ${timeoutMs / 1000}s: ${last}`);
  return 1;
}
