// Starts one server command, polls an HTTP URL until it answers 200, prints the milliseconds from spawn to
// that answer and the CPU milliseconds the server had used by then (/proc/<pid>/stat: user+system, the
// figure a busy shared machine moves least), then stops the server by its PID (SIGTERM, then SIGKILL) and exits. bench/startup.sh runs it
// for Wayfinder and its peer; not product code. Bounded: gives up after TIMEOUT_MS (default 20 s).
//   node bench/harness/up-to-healthy.mjs <url> <command> [args...]
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { request } from 'node:http';

const [url, cmd, ...args] = process.argv.slice(2);
if (!url || !cmd) {
  process.stderr.write('usage: up-to-healthy.mjs <url> <command> [args...]\n');
  process.exit(2);
}
const timeoutMs = Number(process.env.TIMEOUT_MS ?? 20000);
const t0 = process.hrtime.bigint();
const child = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'inherit'] });
const ms = () => Number(process.hrtime.bigint() - t0) / 1e6;

const probe = () =>
  new Promise((resolve) => {
    const req = request(url, { agent: false, timeout: 500 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('error', () => resolve(false));
    req.on('timeout', () => req.destroy());
    req.end();
  });

const TICK_MS = 10; // USER_HZ is 100 on Linux
const cpuMs = (pid) => {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(f[11]) + Number(f[12])) * TICK_MS;
  } catch {
    return Number.NaN;
  }
};

let exited = false;
child.on('exit', () => (exited = true));
let healthyAt;
let cpuAt;
while (!exited && ms() < timeoutMs) {
  if (await probe()) {
    healthyAt = ms();
    cpuAt = cpuMs(child.pid);
    break;
  }
  await new Promise((r) => setTimeout(r, 5));
}
child.kill('SIGTERM');
const killer = setTimeout(() => child.kill('SIGKILL'), 3000);
await new Promise((r) => (exited ? r() : child.on('exit', r)));
clearTimeout(killer);
if (healthyAt === undefined) {
  process.stderr.write(`not healthy within ${timeoutMs} ms${exited ? ' (the server exited)' : ''}\n`);
  process.exit(1);
}
process.stdout.write(`healthy_ms ${healthyAt.toFixed(1)} cpu_ms ${cpuAt}\n`);
