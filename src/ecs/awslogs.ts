// The awslogs log driver (docs/aws-behavior.md §5.7): every stdout/stderr line of a container becomes one event in
// CloudWatch Logs, in stream `<awslogs-stream-prefix>/<container>/<taskId>` (without a prefix: the
// container's runtime id, as on EC2) of `awslogs-group`. As Docker's driver does, the stream exists from
// the container's start, before any output; `awslogs-create-group` "true" creates a missing group, and
// without it a missing group stops the container from starting, with the error ECS shows for it.
// Lines go through LogWriter, which buffers them: no SQL on the runtime's output path.
import type { LogWriter } from '../logs/writer.js';
import type * as Ecs from '../protocol/generated/ecs.js';
import { StartError, type LineSink } from './runtimes/api.js';

/** The stoppedReason of a container whose log group is missing (Docker's awslogs driver, through ECS). */
export const MISSING_GROUP_REASON =
  'CannotStartContainerError: Error response from daemon: failed to initialize logging driver: failed to create Cloudwatch log stream: ResourceNotFoundException: The specified log group does not exist.';

export interface AwslogsSink {
  /** Before the container starts: opens the group and (when its name is known) the stream. Throws StartError when the group is missing. */
  open(): void;
  onLine: LineSink;
  /** Called once the runtime id is known (names the stream when there is no prefix). */
  started(runtimeId: string): void;
}

export function awslogsSink(
  writer: LogWriter,
  where: { region: string; accountId: string; taskId: string; container: string },
  config: Ecs.LogConfiguration | undefined,
): AwslogsSink | undefined {
  if (config?.logDriver !== 'awslogs') return undefined;
  const options = config.options ?? {};
  const group = options['awslogs-group'];
  if (!group) return undefined;
  const prefix = options['awslogs-stream-prefix'];
  const target = {
    region: options['awslogs-region'] || where.region,
    accountId: where.accountId,
    group,
    createGroup: options['awslogs-create-group'] === 'true',
    stream: prefix ? `${prefix}/${where.container}/${where.taskId}` : '',
  };
  // Without a prefix the stream is named after the runtime id, known only once the container runs.
  const early: Array<{ line: string; ts: number }> = [];
  return {
    open() {
      // Without a prefix the stream is named at `started`; the group is checked (or created) now either way.
      if (!writer.openStream(target)) throw new StartError(MISSING_GROUP_REASON);
    },
    onLine(_stream, line) {
      if (!target.stream) {
        if (early.length < 10_000) early.push({ line, ts: Date.now() });
        return;
      }
      writer.append(target, line);
    },
    started(runtimeId) {
      if (target.stream) return;
      target.stream = runtimeId;
      writer.openStream(target);
      for (const e of early.splice(0)) writer.append(target, e.line, e.ts);
    },
  };
}
