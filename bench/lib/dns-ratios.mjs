#!/usr/bin/env node
// Reads the dnsperf/.cpu files bench/dns.sh wrote (<server>.<qtype>.r<rep>.dnsperf and .cpu) and
// prints, per query type, Wayfinder's qps and server CPU µs/query next to unbound's, with the ratios.
// Usage: node dns-ratios.mjs <out-dir> [baseline=unbound] [candidate=wayfinder]
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const [dir, base = 'unbound', cand = 'wayfinder'] = process.argv.slice(2);
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
const rows = new Map();
for (const f of readdirSync(dir).filter((f) => f.endsWith('.dnsperf'))) {
  const m = /^(.*)\.(\w+)\.r(\d+)\.dnsperf$/.exec(f);
  if (!m) continue;
  const t = readFileSync(join(dir, f), 'utf8');
  const c = readFileSync(join(dir, f.replace(/dnsperf$/, 'cpu')), 'utf8');
  const qps = Number(/Queries per second:\s+([\d.]+)/.exec(t)?.[1] ?? NaN);
  const completed = Number(/Queries completed:\s+(\d+)/.exec(t)?.[1] ?? NaN);
  const ticks = Number(/proc server (\d+)/.exec(c)?.[1] ?? NaN);
  const key = `${m[1]}|${m[2]}`;
  if (!rows.has(key)) rows.set(key, { qps: [], us: [] });
  rows.get(key).qps.push(qps);
  rows.get(key).us.push((ticks * 10000) / completed); // 100 Hz clock ticks → µs per query
}
const types = [...new Set([...rows.keys()].map((k) => k.split('|')[1]))].sort();
console.log(`| qtype | ${base} qps | ${cand} qps | qps ratio | ${base} CPU µs/q | ${cand} CPU µs/q | CPU ratio |`);
console.log('|---|---|---|---|---|---|---|');
for (const qt of types) {
  const b = rows.get(`${base}|${qt}`);
  const w = rows.get(`${cand}|${qt}`);
  if (!b || !w) continue;
  const [bq, wq, bu, wu] = [median(b.qps), median(w.qps), median(b.us), median(w.us)];
  console.log(`| ${qt} | ${Math.round(bq)} | ${Math.round(wq)} | ${(wq / bq).toFixed(2)}× | ${bu.toFixed(2)} | ${wu.toFixed(2)} | ${(wu / bu).toFixed(2)}× |`);
}
