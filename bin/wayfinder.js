#!/usr/bin/env node
// Entry point of the `wayfinder` command (package.json bin). The TypeScript is compiled to dist/ by
// `npm run build`; this file only loads it. V8's tiering is set before anything else is evaluated (v8-tiering.ts).
import '../dist/src/cli/v8-tiering.js';
import { main } from '../dist/src/cli/main.js';

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err) => {
    process.stderr.write(`wayfinder: ${err?.stack ? err.stack : err}\n`);
    process.exitCode = 1;
  },
);
