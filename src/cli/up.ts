// `wayfinder up`: start in the foreground, print the banner, stop gracefully on SIGTERM/SIGINT.
import { banner, factLines } from './banner.js';
import { parseArgs, UsageError } from './args.js';
import { ConfigError, OPTIONS, resolveConfig, type OptionName } from '../server/config.js';
import { startWayfinder } from '../server/app.js';
import { createLogger } from '../kernel/log.js';

export function upUsage(): string {
  const rows = Object.values(OPTIONS).map((o) => `  ${(o.flag + ' <v>').padEnd(26)} ${o.help} (env ${o.env}, default ${o.default || 'none'})`);
  return ['Usage: wayfinder up [options]', '', ...rows].join('\n');
}

/** `--keep-tasks` also works bare (a switch): it means `--keep-tasks on` unless on/off follows. */
function bareKeepTasks(argv: string[]): string[] {
  return argv.map((a, i) => (a === OPTIONS.keepTasks.flag && !['on', 'off'].includes(argv[i + 1] ?? '') ? `${a}=on` : a));
}

export async function up(argv: string[]): Promise<number> {
  const byFlag = new Map(Object.entries(OPTIONS).map(([name, o]) => [o.flag, name as OptionName]));
  let args;
  try {
    args = parseArgs(bareKeepTasks(argv), new Set(byFlag.keys()), undefined, new Set([OPTIONS.hostnames.flag, OPTIONS.corsOrigins.flag]));
  } catch (e) {
    if (e instanceof UsageError) {
      process.stderr.write(`wayfinder up: ${e.message}\n\n${upUsage()}\n`);
      return 2;
    }
    throw e;
  }
  if (args.switches.has('--help') || args.switches.has('-h')) {
    process.stdout.write(upUsage() + '\n');
    return 0;
  }
  const flags: Partial<Record<OptionName, string>> = {};
  for (const [flag, value] of args.flags) flags[byFlag.get(flag)!] = value;
  let config;
  try {
    config = resolveConfig(flags);
  } catch (e) {
    if (e instanceof ConfigError) {
      process.stderr.write(`wayfinder up: ${e.message}\n`);
      return 2;
    }
    throw e;
  }
  const logger = createLogger(config.logLevel);
  let wf;
  try {
    wf = await startWayfinder(config, logger);
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const hint = err.code === 'EADDRINUSE' ? ` (port in use: choose another with --port)` : '';
    process.stderr.write(`wayfinder up: could not start: ${err.message}${hint}\n`);
    return 1;
  }
  process.stdout.write(banner(config, wf.port, factLines(wf.facts(), config)) + '\n');
  return await new Promise<number>((resolve) => {
    let stopping = false;
    const stop = (signal: string) => {
      if (stopping) {
        process.stderr.write('wayfinder: forced exit; tasks still running are re-adopted or replaced by the next start\n');
        process.exit(130);
      }
      stopping = true;
      const what = config.keepTasks ? 'leaving tasks running for the next start to re-adopt (--keep-tasks)' : 'stopping every task: SIGTERM, then SIGKILL after stopTimeout';
      process.stdout.write(`\nwayfinder: ${signal} received, ${what} (${signal === 'SIGINT' ? 'Ctrl-C' : signal} again exits at once)…\n`);
      wf.close().then(
        () => resolve(0),
        (e) => {
          process.stderr.write(`wayfinder: error while stopping: ${(e as Error).message}\n`);
          resolve(1);
        },
      );
    };
    process.on('SIGINT', () => stop('SIGINT'));
    process.on('SIGTERM', () => stop('SIGTERM'));
  });
}
