#!/usr/bin/env node
// Entry point of the `wayfinder` command (package.json bin). The TypeScript is compiled to dist/ by
// `npm run build`; this file only loads it.
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
