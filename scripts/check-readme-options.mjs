#!/usr/bin/env node
// Checks that the README's configuration table lists exactly the options `wayfinder up` takes, with
// the same environment variable and default, in the same order (src/server/config.ts OPTIONS is the
// source of truth; `wayfinder up --help` prints it). Run after `npm run build`; part of `npm run check`.
import { readFileSync } from 'node:fs';

const root = new URL('..', import.meta.url);
const { OPTIONS } = await import(new URL('dist/src/server/config.js', root));
const readme = readFileSync(new URL('README.md', root), 'utf8');
const section = readme.slice(readme.indexOf('## Configuration'));
const rows = [...section.matchAll(/^\| `(--[a-z-]+)` \| `([A-Z_]+)` \| (`[^`]*`)? ?\|/gm)].map((m) => ({ flag: m[1], env: m[2], default: (m[3] ?? '').replaceAll('`', '') }));
const want = Object.values(OPTIONS).map((o) => ({ flag: o.flag, env: o.env, default: o.default }));
const problems = [];
for (let i = 0; i < Math.max(rows.length, want.length); i++) {
  const got = rows[i];
  const exp = want[i];
  if (!got) problems.push(`README lacks a row for ${exp.flag} (env ${exp.env}, default '${exp.default}')`);
  else if (!exp) problems.push(`README lists ${got.flag}, which wayfinder up does not take`);
  else if (got.flag !== exp.flag || got.env !== exp.env || got.default !== exp.default) {
    problems.push(`row ${i + 1}: README says ${got.flag} / ${got.env} / '${got.default}', the CLI ${exp.flag} / ${exp.env} / '${exp.default}'`);
  }
}
if (problems.length) {
  console.error(`README configuration table does not match src/server/config.ts OPTIONS:\n  ${problems.join('\n  ')}`);
  process.exit(1);
}
console.log(`README configuration table matches the CLI's ${want.length} options`);
