// Imported first by bin/wayfinder.js, before any other module is evaluated: V8's tier-up threshold for the
// server. V8 optimizes a function once it has run some `--interrupt-budget` bytes of bytecode (132 KB by
// default, tuned for browsers' short-lived pages). A control-plane call runs a few hundred functions once
// each, so with the default the request path was still being optimized after 4,000 calls (measured with
// --trace-opt: CreateService cost ~400 µs of CPU per call after 1,000 calls, ~237 after 6,000). At 8 KB the
// same 1,000 calls leave it at ~265–287; a smaller budget recompiles more than it saves (4 KB: ~317).
import { setFlagsFromString } from 'node:v8';

const INTERRUPT_BUDGET = 8 * 1024;

if (!process.execArgv.some((a) => a.startsWith('--interrupt-budget'))) setFlagsFromString(`--interrupt-budget=${INTERRUPT_BUDGET}`);
