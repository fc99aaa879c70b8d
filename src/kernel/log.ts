// Structured logs (pino). Quiet by default: warnings and errors only, unless WAYFINDER_LOG_LEVEL says more.
// pino itself (~35 modules, ~20 ms of a cold start; issue 16, point 4) is required on the first line
// that is logged at an enabled level: at the default level a healthy start logs nothing.
import { createRequire } from 'node:module';
import type { LogFn, Logger as PinoLogger } from 'pino';

/** What Wayfinder logs through: pino's four methods, same arguments. */
export interface Logger {
  error: LogFn;
  warn: LogFn;
  info: LogFn;
  debug: LogFn;
}

const LEVELS: Record<string, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60, silent: Infinity };
const requirePino = createRequire(import.meta.url);

export function createLogger(level: string = process.env.WAYFINDER_LOG_LEVEL ?? 'warn'): Logger {
  const threshold = LEVELS[level];
  // An unknown level is pino's to refuse, as before (it throws on construction).
  if (threshold === undefined) return makePino(level);
  let pino: PinoLogger | undefined;
  const method = (name: keyof Logger): LogFn => {
    if (LEVELS[name]! < threshold) return () => {};
    return ((...args: Parameters<LogFn>) => {
      pino ??= makePino(level);
      pino[name](...args);
    }) as LogFn;
  };
  return { error: method('error'), warn: method('warn'), info: method('info'), debug: method('debug') };
}

function makePino(level: string): PinoLogger {
  const { pino } = requirePino('pino') as typeof import('pino');
  return pino({ level, base: { svc: 'wayfinder' } });
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = createLogger('silent');
