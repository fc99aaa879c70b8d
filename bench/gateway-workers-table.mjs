// The table of bench/gateway-workers.sh: reads each run's wrk output (<cfg>.r<rep>.wrk), CPU ticks
// (<cfg>.r<rep>.cpu: proxy, backend, whole machine; the window in ms) and wrk's own CPU (<cfg>.r<rep>.time) from DIR,
// and prints medians with their min–max, and ratios paired within each repetition.
// Env: DIR, REPS, DUR, CORES, C (set by the script).
import fs from 'node:fs';

const { DIR, REPS, DUR, CORES, C } = process.env;
const configs = ['nginx-w1', 'nginx-w2', 'wayfinder-n1', 'wayfinder-n2'];
const label = { 'nginx-w1': 'nginx, 1 worker', 'nginx-w2': 'nginx, 2 workers', 'wayfinder-n1': 'Wayfinder, N=1', 'wayfinder-n2': 'Wayfinder, N=2' };
const med = (a) => {
  const s = [...a].sort((x, y) => x - y);
  const n = s.length;
  return n % 2 ? s[(n - 1) / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
};
/** wrk's latency ("812.00us", "1.20ms", "1.01s") in ms. */
const ms = (v) => {
  const m = /^([\d.]+)(us|ms|s)$/.exec(v ?? '');
  return m ? (Number(m[1]) * { us: 1, ms: 1e3, s: 1e6 }[m[2]]) / 1000 : Number.NaN;
};

const runs = {};
for (const cfg of configs) {
  runs[cfg] = [];
  for (let r = 1; r <= Number(REPS); r++) {
    const w = fs.readFileSync(`${DIR}/${cfg}.r${r}.wrk`, 'utf8');
    const cpu = Object.fromEntries([...fs.readFileSync(`${DIR}/${cfg}.r${r}.cpu`, 'utf8').matchAll(/(\w+) (\d+)/g)].map((m) => [m[1], Number(m[2])]));
    const t = /wrkcpu ([\d.]+) ([\d.]+)/.exec(fs.readFileSync(`${DIR}/${cfg}.r${r}.time`, 'utf8'));
    const wrkTicks = t ? (Number(t[1]) + Number(t[2])) * 100 : 0;
    const reqs = Number((/(\d+) requests in/.exec(w) ?? [])[1]);
    runs[cfg].push({
      rps: Number((/Requests\/sec:\s+([\d.]+)/.exec(w) ?? [])[1]),
      cpu: (cpu.proxy * 10_000) / reqs,
      p50: ms((/\s50%\s+(\S+)/.exec(w) ?? [])[1]),
      // Busy CPU of the machine not spent by the proxy, the backend or wrk: other tenants.
      others: (100 * Math.max(0, cpu.machine - cpu.proxy - cpu.backend - wrkTicks)) / ((cpu.wallms / 10) * Number(CORES)),
    });
  }
}

const num = (x, d) => x.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });
const cell = (a, d) => `${num(med(a), d)} (${num(Math.min(...a), d)}–${num(Math.max(...a), d)})`;
const spread = (a) => `${Math.round((100 * (Math.max(...a) - Math.min(...a))) / med(a))}%`;

console.log(`\nPer configuration: median over ${REPS} reps (min–max); spread = (max − min) ÷ median`);
console.log(`${''.padEnd(18)}${'req/s'.padEnd(28)}${'spread'.padEnd(8)}${'proxy CPU µs/req'.padEnd(24)}${'spread'.padEnd(8)}${'p50 ms'.padEnd(8)}others' CPU`);
for (const cfg of configs) {
  const rs = runs[cfg];
  const rps = rs.map((x) => x.rps);
  const cpu = rs.map((x) => x.cpu);
  console.log(
    `${label[cfg].padEnd(18)}${cell(rps, 0).padEnd(28)}${spread(rps).padEnd(8)}${cell(cpu, 1).padEnd(24)}${spread(cpu).padEnd(8)}${num(med(rs.map((x) => x.p50)), 2).padEnd(8)}${Math.round(med(rs.map((x) => x.others)))}%`,
  );
}

const ratio = (a, b, f) => runs[a].map((x, i) => f(x) / f(runs[b][i]));
console.log('\nRatios, paired within each rep, then median (min–max)');
console.log(`${''.padEnd(30)}${'req/s'.padEnd(22)}proxy CPU µs/req`);
for (const [name, a, b] of [
  ['nginx: 2 workers ÷ 1', 'nginx-w2', 'nginx-w1'],
  ['Wayfinder: N=2 ÷ N=1', 'wayfinder-n2', 'wayfinder-n1'],
  ['Wayfinder ÷ nginx, 1 worker', 'wayfinder-n1', 'nginx-w1'],
  ['Wayfinder ÷ nginx, 2 workers', 'wayfinder-n2', 'nginx-w2'],
]) {
  console.log(
    `${name.padEnd(30)}${cell(
      ratio(a, b, (x) => x.rps),
      2,
    ).padEnd(22)}${cell(
      ratio(a, b, (x) => x.cpu),
      2,
    )}`,
  );
}
console.log(`
req/s: wrk -t1 -c${C} for ${DUR} s after a warm-up, each config started fresh. proxy CPU µs/req: utime+stime of
every thread (Wayfinder) or process (nginx master + workers) of the proxy over the measured run ÷ requests:
the cost of a request, steady when other work shares the cores. others' CPU: the machine's busy CPU during
the run not used by the proxy, the backend or wrk, in % of all cores; above a few % other tenants took CPU
and req/s is noisy: trust CPU µs/req and the paired ratios more. N=2 ÷ N=1 above 1 is what the second worker
adds; its ceiling is set by how much of the second core wrk and the backend leave it (see pinning above).`);
