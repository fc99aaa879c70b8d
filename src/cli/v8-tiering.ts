// Imported first by bin/wayfinder.js, before any other module is evaluated: V8's tier-up threshold for the
// server. V8 optimizes a function once it has run some `--interrupt-budget` bytes of bytecode (132 KB by
// default, tuned for browsers' short-lived pages). A control-plane call runs a few hundred functions once
// each, so with the default the request path was still being optimized after 4,000 calls (≈ 180 µs of
// extra CPU per CreateService over the first 4,000; docs/performance.md). At 8 KB it is optimized within
// the first ~1,000 calls; a smaller budget recompiles more than it saves (4 KB measured worse).
import { setFlagsFromString } from 'node:v8';

export const INTERRUPT_BUDGET = 8 * 1024;

if (!process.execArgv.some((a) => a.startsWith('--interrupt-budget'))) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
