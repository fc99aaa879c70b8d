// Container health checks, run for real through the runtime (CMD / CMD-SHELL), with Docker's
// semantics, which ECS uses: a probe every `interval`; a probe taking longer than `timeout` fails;
// `retries` consecutive failures make the container UNHEALTHY; one success makes it HEALTHY again.
// During `startPeriod` failures do not count (until the first success), and probes run every second
// (Docker's start-interval) so a service that starts fast becomes HEALTHY fast.
import type * as Ecs from '../../protocol/generated/ecs.js';
import { healthCheckArgv } from '../runtimes/api.js';

export type ContainerHealth = 'UNKNOWN' | 'HEALTHY' | 'UNHEALTHY';

export interface HealthCheckConfig {
  argv: string[];
  intervalMs: number;
  timeoutMs: number;
  retries: number;
  startPeriodMs: number;
}

/** AWS's defaults: interval 30 s, timeout 5 s, retries 3, no start period. */
export function healthCheckConfig(hc: Ecs.HealthCheck): HealthCheckConfig | undefined {
  const argv = healthCheckArgv(hc.command ?? []);
  if (!argv) return undefined;
  return {
    argv,
    intervalMs: (hc.interval ?? 30) * 1000,
    timeoutMs: (hc.timeout ?? 5) * 1000,
    retries: hc.retries ?? 3,
    startPeriodMs: (hc.startPeriod ?? 0) * 1000,
  };
}

export type Probe = (argv: string[], timeoutMs: number) => Promise<{ exitCode: number | null }>;

const START_INTERVAL_MS = 1000;

export class ContainerHealthCheck {
  status: ContainerHealth = 'UNKNOWN';
  private failures = 0;
  private everHealthy = false;
  private timer: NodeJS.Timeout | undefined;
  private stopped = false;
  private readonly startedAt: number;

  constructor(
    private readonly config: HealthCheckConfig,
    private readonly probe: Probe,
    private readonly onChange: (status: ContainerHealth) => void,
    private readonly now: () => number = Date.now,
  ) {
    this.startedAt = now();
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private inStartPeriod(): boolean {
    return !this.everHealthy && this.now() < this.startedAt + this.config.startPeriodMs;
  }

  private schedule(): void {
    if (this.stopped) return;
    const delay = this.inStartPeriod() ? Math.min(this.config.intervalMs, START_INTERVAL_MS) : this.config.intervalMs;
    this.timer = setTimeout(() => void this.run(), delay);
    this.timer.unref();
  }

  private async run(): Promise<void> {
    if (this.stopped) return;
    let ok = false;
    try {
      ok = (await this.probe(this.config.argv, this.config.timeoutMs)).exitCode === 0;
    } catch {
      ok = false;
    }
    if (this.stopped) return;
    if (ok) {
      this.failures = 0;
      this.everHealthy = true;
      this.set('HEALTHY');
    } else if (!this.inStartPeriod()) {
      this.failures += 1;
      if (this.failures >= this.config.retries) this.set('UNHEALTHY');
    }
    this.schedule();
  }

  private set(status: ContainerHealth): void {
    if (status === this.status) return;
    this.status = status;
    this.onChange(status);
  }
}
