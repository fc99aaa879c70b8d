// Benchmark harness: summarises the DNS runs bench/dns.sh wrote (<server>.<qtype>.r<rep>.dnsperf and
// .cpu) as a markdown table of medians. Usage: node bench/harness/summarize-dns.mjs <dir>
import fs from 'node:fs';
import path from 'node:path';
import { cpuBusy, cpuLine, median } from './cpu-file.mjs';
const med = median;
const dir = process.argv[2];
const rows = new Map();
for (const f of fs.readdirSync(dir).filter((f) => f.endsWith('.dnsperf'))) {
  const m = /^(.*)\.(\w+)\.r(\d+)\.dnsperf$/.exec(f);
  if (!m) continue;
  const t = fs.readFileSync(path.join(dir, f), 'utf8'),
    c = fs.readFileSync(path.join(dir, f.replace(/dnsperf$/, 'cpu')), 'utf8');
  const qps = +/Queries per second:\s+([\d.]+)/.exec(t)[1],
    _sent = +/Queries sent:\s+(\d+)/.exec(t)[1];
  const lost = +/Queries lost:\s+(\d+)/.exec(t)[1],
    lat = +/Average Latency \(s\):\s+([\d.]+)/.exec(t)[1] * 1e6;
  const ok = /NOERROR (\d+)/.exec(t);
  const completed = +/Queries completed:\s+(\d+)/.exec(t)[1];
  const st = (k) => cpuLine(c, k);
  const busy = (i) => cpuBusy(c, i);
  const [real, u, s] = st('dnsperf ').map(Number);
  const srv = (+/proc server (\d+)/.exec(c)[1] * 10000) / completed;
  const k = m[1] + '|' + m[2];
  if (!rows.has(k)) rows.set(k, { cfg: m[1], qt: m[2], qps: [], lat: [], lost: 0, noerr: true, c0: [], c1: [], dp: [], srv: [] });
  const r = rows.get(k);
  r.qps.push(qps);
  r.lat.push(lat);
  r.lost += lost;
  r.noerr &&= !!ok && +ok[1] === completed;
  r.c0.push(busy(0));
  r.c1.push(busy(3));
  r.dp.push((100 * (u + s)) / real);
  r.srv.push(srv);
}
console.log('| server | qtype | qps (median) | reps | avg latency µs | lost | CPU0 % (dnsperf) | CPU1 % (server) | dnsperf CPU % | server CPU µs/query |');
console.log('|---|---|---|---|---|---|---|---|---|---|');
for (const r of [...rows.values()].sort((a, b) => a.qt.localeCompare(b.qt) || med(b.qps) - med(a.qps)))
  console.log(
    `| ${r.cfg}${r.noerr ? '' : ' (rcode!)'} | ${r.qt} | ${Math.round(med(r.qps))} | ${r.qps.map((x) => (x / 1000).toFixed(1) + 'k').join(' ')} | ${Math.round(med(r.lat))} | ${r.lost} | ${med(r.c0).toFixed(0)} | ${med(r.c1).toFixed(0)} | ${med(r.dp).toFixed(0)} | ${med(r.srv).toFixed(2)} |`,
  );
