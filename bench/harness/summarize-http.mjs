// Benchmark harness: summarises the HTTP runs bench/harness/http.sh wrote (<config>.c<conc>.r<rep>.wrk
// and .cpu) as a markdown table of medians over repetitions; with JSON=<file> it also writes the rows
// (bench/gateway.sh computes its ratios from them). Usage: node bench/harness/summarize-http.mjs <dir>...
import fs from 'node:fs';
import path from 'node:path';
import { cpuBusy, cpuLine, median } from './cpu-file.mjs';
const med = median;
const us = (v) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v);
  return m ? +m[1] * { us: 1, ms: 1e3, s: 1e6 }[m[2]] : NaN;
};
const rows = new Map();
for (const dir of process.argv.slice(2))
  for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.wrk'))) {
    const m = /^(.*)\.c(\d+)\.r(\d+)\.wrk$/.exec(f);
    if (!m) continue;
    const w = fs.readFileSync(path.join(dir, f), 'utf8');
    const cpu = fs.readFileSync(path.join(dir, f.replace(/\.wrk$/, '.cpu')), 'utf8');
    const rps = +(/Requests\/sec:\s+([\d.]+)/.exec(w) || [])[1];
    const reqs = +(/(\d+) requests in/.exec(w) || [])[1];
    const p50 = us((/\s50%\s+(\S+)/.exec(w) || [])[1]),
      p99 = us((/\s99%\s+(\S+)/.exec(w) || [])[1]);
    const err = /Socket errors|Non-2xx/.test(w);
    const busy = (i) => cpuBusy(cpu, i);
    const [real, u, s] = cpuLine(cpu, 'wrk ').map(Number);
    const procs = {};
    for (const l of cpu.split('\n')) {
      const p = /^proc (\S+) (\d+)/.exec(l);
      if (p) procs[p[1]] = (+p[2] * 10000) / reqs;
    } // us CPU / req
    const key = `${dir}|${m[1]}|${m[2]}`;
    if (!rows.has(key)) rows.set(key, { dir, cfg: m[1], c: +m[2], rps: [], p50: [], p99: [], cpu0: [], cpu1: [], wrk: [], procs: {}, err: false });
    const r = rows.get(key);
    r.rps.push(rps);
    r.p50.push(p50);
    r.p99.push(p99);
    r.cpu0.push(busy(0));
    r.cpu1.push(busy(3));
    r.wrk.push((100 * (u + s)) / real);
    r.err ||= err;
    for (const k in procs) (r.procs[k] ||= []).push(procs[k]);
  }
const out = [];
out.push('| dir | config | c | req/s (median) | reps | p50 µs | p99 µs | CPU0 % | CPU1 % | wrk CPU % | CPU µs/req per process |');
out.push('|---|---|---|---|---|---|---|---|---|---|---|');
for (const r of [...rows.values()].sort((a, b) => a.dir.localeCompare(b.dir) || b.c - a.c || b.rps[0] - a.rps[0])) {
  const pr = Object.entries(r.procs)
    .map(([k, v]) => `${k} ${med(v).toFixed(1)}`)
    .join(', ');
  out.push(
    `| ${path.basename(r.dir)} | ${r.cfg}${r.err ? ' (ERR)' : ''} | ${r.c} | ${Math.round(med(r.rps))} | ${r.rps.map((x) => Math.round(x / 100) / 10 + 'k').join(' ')} | ${Math.round(med(r.p50))} | ${Math.round(med(r.p99))} | ${med(r.cpu0).toFixed(0)} | ${med(r.cpu1).toFixed(0)} | ${med(r.wrk).toFixed(0)} | ${pr} |`,
  );
}
console.log(out.join('\n'));
if (process.env.JSON)
  fs.writeFileSync(
    process.env.JSON,
    JSON.stringify(
      [...rows.values()].map((r) => ({ ...r, rpsMed: med(r.rps), p50Med: med(r.p50), p99Med: med(r.p99) })),
      null,
      1,
    ),
  );
