// The awslogs log driver (docs/aws-behavior.md §5.7): every stdout/stderr line of a container becomes one event in
// CloudWatch Logs, in stream `<awslogs-stream-prefix>/<container>/<taskId>` (without a prefix: the
// container's runtime id, as on EC2) of `awslogs-group`; `awslogs-create-group` "true" creates the
// group. Lines go through LogWriter, which buffers them: no SQL on the runtime's output path.
import type { LogWriter } from '../logs/writer.js';
import type * as Ecs from '../protocol/generated/ecs.js';
import type { LineSink } from './runtimes/api.js';

export interface AwslogsSink {
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
      for (const e of early.splice(0)) writer.append(target, e.line, e.ts);
    },
  };
}
