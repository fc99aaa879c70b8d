#!/usr/bin/env node
// Runs every compiled test file (dist/**/*.test.js) with Node's test runner.
// Usage: node scripts/run-tests.mjs [--unit | --e2e] [substring …]
//   --unit   the unit tests beside the code (dist/src/**): seconds
//   --e2e    the end-to-end suites (dist/test/e2e/**): real servers, clients, processes, containers
//   substrings keep only the files whose path contains one of them.
// WAYFINDER_TEST_DOCKER=1 also runs the docker-runtime suites (.ci/run sets it after starting dockerd).
import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';

const root = new URL('..', import.meta.url).pathname;
const dist = join(root, 'dist');
const files = [];
(function walk(dir) {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) walk(p);
    else if (name.endsWith('.test.js')) files.push(p);
  }
})(dist);

const args0 = process.argv.slice(2);
const suite = args0.includes('--unit') ? 'src/' : args0.includes('--e2e') ? 'test/' : '';
const filters = args0.filter((a) => a !== '--unit' && a !== '--e2e');
const selected = files
  .filter((f) => relative(dist, f).startsWith(suite))
  .filter((f) => !filters.length || filters.some((s) => relative(dist, f).includes(s)))
  .sort();
if (!selected.length) {
  console.error(`no test files matched ${filters.join(' ')}`);
  process.exit(1);
}
const args = ['--test', '--test-reporter=spec', `--test-concurrency=${process.env.WAYFINDER_TEST_CONCURRENCY ?? '2'}`, ...selected];
const r = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
process.exit(r.status ?? 1);
