// Structured logs (pino). Quiet by default: warnings and errors only, unless WAYFINDER_LOG_LEVEL says more.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string = process.env.WAYFINDER_LOG_LEVEL ?? 'warn'): Logger {
  return pino({ level, base: { svc: 'wayfinder' } });
}

/** A logger that drops everything (unit tests). */
export const silentLogger: Logger = pino({ level: 'silent' });
