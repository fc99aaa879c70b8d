#!/usr/bin/env node
// Push and pull throughput of Wayfinder's ECR registry against Debian's docker-registry
// (distribution 2.8, `apt-get install docker-registry`), side by side on loopback in the same run,
// with the server RSS sampled during a large push. A benchmark, never a test: it prints a table.
//
//   bench/ecr.sh   (or: npm run build && node bench/ecr-registry.mjs [--mb 200] [--rss-mb 1024] [--runs 5])
//
// Each run pushes one blob of --mb random bytes the way docker does (POST, one streamed PATCH, PUT
// ?digest=), then pulls it (GET, streamed to nowhere). Wayfinder runs as its own process
// (bin/wayfinder.js up) so its RSS is its own; docker-registry uses filesystem storage in a temp dir.
// Server RSS (VmRSS of the server process, sampled every 20 ms) is measured first, on the fresh
// servers: during a raw --rss-mb push (monolithic PUT, then a chunked PATCH), and, with --docker 1
// (the default when a docker engine answers), during `docker push` of an image with one --rss-mb
// random layer, on every server, the peer included.
import { spawn, spawnSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdtempSync, readFileSync, rmSync, writeFileSync, openSync, writeSync, closeSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const arg = (name, dflt) => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : dflt;
};
const MB = arg('mb', 200);
const RSS_MB = arg('rss-mb', 1024);
const RUNS = arg('runs', 5);
const DOCKER = arg('docker', spawnSync('docker', ['info'], { stdio: 'ignore' }).status === 0 ? 1 : 0);
const root = new URL('..', import.meta.url).pathname;
const work = mkdtempSync(join(tmpdir(), 'wf-bench-ecr-'));

function makeFile(mb) {
  const path = join(work, `blob-${mb}-${randomBytes(4).toString('hex')}`);
  const fd = openSync(path, 'w');
  const h = createHash('sha256');
  for (let i = 0; i < mb; i++) {
    const chunk = randomBytes(1024 * 1024);
    h.update(chunk);
    writeSync(fd, chunk);
  }
  closeSync(fd);
  return { path, digest: `sha256:${h.digest('hex')}`, size: mb * 1024 * 1024 };
}

function http(port, method, path, headers = {}, body) {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, method, path, headers }, (res) => {
      let n = 0;
      let text = '';
      res.on('data', (c) => {
        n += c.length;
        if (n < 500) text += c.toString();
      });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: n, text }));
    });
    req.on('error', reject);
    if (body && typeof body.pipe === 'function') body.pipe(req);
    else req.end(body);
  });
}

async function waitUp(port, path) {
  for (let i = 0; i < 200; i++) {
    try {
      await http(port, 'GET', path);
      return;
    } catch {
      await new Promise((r) => setTimeout(r, 100));
    }
  }
  throw new Error(`nothing answers on ${port}`);
}

async function pushMonolithic(port, auth, repo, blob) {
  const h = auth ? { authorization: auth } : {};
  const start = await http(port, 'POST', `/v2/${repo}/blobs/uploads/`, h);
  if (start.status !== 202) throw new Error(`POST ${start.status}`);
  const loc = new URL(start.headers.location, `http://127.0.0.1:${port}`);
  loc.searchParams.set('digest', blob.digest);
  const put = await http(
    port,
    'PUT',
    loc.pathname + loc.search,
    { ...h, 'content-type': 'application/octet-stream', 'content-length': String(blob.size) },
    createReadStream(blob.path),
  );
  if (put.status !== 201) throw new Error(`PUT ${put.status} ${put.text}`);
}

async function push(port, auth, repo, blob) {
  const h = auth ? { authorization: auth } : {};
  const start = await http(port, 'POST', `/v2/${repo}/blobs/uploads/`, h);
  if (start.status !== 202) throw new Error(`POST ${start.status}`);
  const loc = new URL(start.headers.location, `http://127.0.0.1:${port}`);
  const patch = await http(
    port,
    'PATCH',
    loc.pathname + loc.search,
    { ...h, 'content-type': 'application/octet-stream', 'transfer-encoding': 'chunked' },
    createReadStream(blob.path),
  );
  if (patch.status !== 202) throw new Error(`PATCH ${patch.status}`);
  const loc2 = new URL(patch.headers.location, `http://127.0.0.1:${port}`);
  loc2.searchParams.set('digest', blob.digest);
  const put = await http(port, 'PUT', loc2.pathname + loc2.search, { ...h, 'content-length': '0' });
  if (put.status !== 201) throw new Error(`PUT ${put.status} ${put.text}`);
}

async function pull(port, auth, repo, blob) {
  const r = await http(port, 'GET', `/v2/${repo}/blobs/${blob.digest}`, auth ? { authorization: auth } : {});
  if (r.status !== 200 || r.bytes !== blob.size) throw new Error(`GET ${r.status} ${r.bytes}`);
}

async function timed(fn) {
  const t0 = process.hrtime.bigint();
  await fn();
  return Number(process.hrtime.bigint() - t0) / 1e9;
}

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const rssMb = (pid) => Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 0) / 1024;

/** CPU time (user + system, ms) the process has used: a machine shared with other work slows every
 * server's wall clock, but the CPU each spends per MB stays comparable. */
function cpuMs(pid) {
  const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return (Number(f[11]) + Number(f[12])) * 10;
}

async function withCpu(pid, fn) {
  const c0 = cpuMs(pid);
  const secs = await timed(fn);
  return { secs, cpu: cpuMs(pid) - c0 };
}

/** Runs fn while sampling the process's RSS every 20 ms: { rest, peak } in MB, and the seconds taken. */
async function peakRss(pid, fn) {
  const rest = rssMb(pid);
  let peak = rest;
  const sampler = setInterval(() => (peak = Math.max(peak, rssMb(pid))), 20);
  const secs = await timed(fn);
  clearInterval(sampler);
  return { rest, peak: Math.max(peak, rssMb(pid)), secs };
}

function run(cmd, args, input) {
  const r = spawnSync(cmd, args, { input, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')}: ${r.stderr || r.stdout}`);
  return r.stdout;
}

/** As run, without blocking the event loop (the RSS sampler keeps running). */
function runAsync(cmd, args) {
  return new Promise((resolve, reject) => {
    const p = spawn(cmd, args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    p.stderr.on('data', (d) => (err += d));
    p.on('error', reject);
    p.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${cmd} ${args.join(' ')}: ${err}`))));
  });
}

/** An image with one random layer of `blob` (its file), built from the local busybox test image. */
function buildBigImage(blob) {
  const ctx = mkdtempSync(join(work, 'image-'));
  run('ln', [blob.path, join(ctx, 'layer.bin')]);
  writeFileSync(join(ctx, 'Dockerfile'), `FROM ${process.env.WAYFINDER_TEST_IMAGE ?? 'wayfinder-test/busybox:latest'}\nCOPY layer.bin /layer.bin\n`);
  const tag = `wf-bench-ecr-${process.pid}:big`;
  run('docker', ['build', '-q', '-t', tag, ctx]);
  return tag;
}

// PORT / REG_PORT pin the ports (a shared machine hands out ranges), else random ones.
const wfPort = Number(process.env.PORT ?? 4700 + Math.floor(Math.random() * 200));
const regPort = Number(process.env.REG_PORT ?? wfPort + 1000);
// BEFORE=<checkout>/bin/wayfinder.js measures an older build as a third server in the same run.
const wayfinders = [{ name: 'wayfinder', bin: join(root, 'bin/wayfinder.js'), port: wfPort }];
if (process.env.BEFORE) wayfinders.push({ name: 'wayfinder (before)', bin: process.env.BEFORE, port: wfPort + 1 });
for (const w of wayfinders) {
  w.proc = spawn(process.execPath, [w.bin, 'up', '--port', String(w.port), '--dns-port', '0', '--data-dir', join(work, `wayfinder-${w.port}`), '--runtime', 'process'], {
    stdio: 'ignore',
  });
}
const regConf = join(work, 'registry.yml');
writeFileSync(regConf, `version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: ${join(work, 'registry')}\nhttp:\n  addr: 127.0.0.1:${regPort}\n`);
const reg = spawn('docker-registry', ['serve', regConf], { stdio: 'ignore' });
try {
  await waitUp(regPort, '/v2/');
  const env = { ...process.env, AWS_ACCESS_KEY_ID: 'test', AWS_SECRET_ACCESS_KEY: 'test', AWS_DEFAULT_REGION: 'us-east-1' };
  const big = makeFile(RSS_MB);
  const peer = { name: 'docker-registry', port: regPort, auth: undefined, proc: reg };
  for (const w of wayfinders) {
    await waitUp(w.port, '/_wayfinder/health');
    const ep = ['--endpoint-url', `http://localhost:${w.port}`];
    spawnSync('aws', [...ep, 'ecr', 'create-repository', '--repository-name', 'bench'], { env });
    const password = spawnSync('aws', [...ep, 'ecr', 'get-login-password'], { env, encoding: 'utf8' }).stdout.trim();
    w.auth = `Basic ${Buffer.from(`AWS:${password}`).toString('base64')}`;
    w.password = password;
  }
  // RSS first, on the freshly started servers: a raw monolithic and a raw chunked push of RSS_MB.
  const rss = [];
  for (const s of [...wayfinders, peer]) {
    await new Promise((r) => setTimeout(r, 500));
    const mono = await peakRss(s.proc.pid, () => pushMonolithic(s.port, s.auth, 'bench', big));
    const chunked = await peakRss(s.proc.pid, () => push(s.port, s.auth, 'bench', big));
    rss.push({ name: s.name, rest: mono.rest, mono, chunked });
  }
  if (DOCKER) {
    const image = buildBigImage(big);
    try {
      for (const [i, s] of [...wayfinders, peer].entries()) {
        const ref = `localhost:${s.port}/bench:big`;
        if (s.password) run('docker', ['login', '--username', 'AWS', '--password-stdin', `localhost:${s.port}`], s.password);
        run('docker', ['tag', image, ref]);
        rss[i].docker = await peakRss(s.proc.pid, () => runAsync('docker', ['push', ref]));
        run('docker', ['rmi', ref]);
      }
    } finally {
      spawnSync('docker', ['rmi', image], { stdio: 'ignore' });
    }
  }
  console.log(`server RSS (MB), sampled every 20 ms: at rest, then the peak during a ${RSS_MB} MB push; MB/s in brackets`);
  console.log(`| server | at rest | raw monolithic PUT | raw chunked PATCH |${DOCKER ? ` docker push (one ${RSS_MB} MB layer) |` : ''}`);
  console.log(`|---|---|---|---|${DOCKER ? '---|' : ''}`);
  const cell = (m) => `${m.peak.toFixed(0)} (${(RSS_MB / m.secs).toFixed(0)} MB/s)`;
  for (const r of rss) console.log(`| ${r.name} | ${r.rest.toFixed(0)} | ${cell(r.mono)} | ${cell(r.chunked)} |${r.docker ? ` ${cell(r.docker)} |` : ''}`);
  console.log('');

  const blobs = Array.from({ length: RUNS }, () => makeFile(MB));
  const servers = [...wayfinders, peer];
  for (const s of servers) Object.assign(s, { push: [], pull: [], pushRatio: [], pullRatio: [], pushCpu: [], pullCpu: [] });
  // Interleaved: each run measures every server back to back (the order reversed every other run),
  // so a slow minute on a shared machine hits them all and the per-run ratio stays meaningful.
  for (const [i, b] of blobs.entries()) {
    const order = i % 2 === 0 ? servers : [...servers].reverse();
    for (const s of order) {
      const up = await withCpu(s.proc.pid, () => push(s.port, s.auth, 'bench', b));
      const down = await withCpu(s.proc.pid, () => pull(s.port, s.auth, 'bench', b));
      s.push.push(MB / up.secs);
      s.pull.push(MB / down.secs);
      s.pushCpu.push(up.cpu / MB);
      s.pullCpu.push(down.cpu / MB);
    }
    const line = [];
    for (const w of wayfinders) {
      w.pushRatio.push(w.push[i] / peer.push[i]);
      w.pullRatio.push(w.pull[i] / peer.pull[i]);
      line.push(`${w.name} push ${w.push[i].toFixed(0)} pull ${w.pull[i].toFixed(0)} (${w.pushRatio[i].toFixed(2)}×, ${w.pullRatio[i].toFixed(2)}×)`);
    }
    console.log(`run ${i + 1}: ${line.join('; ')}; docker-registry push ${peer.push[i].toFixed(0)} pull ${peer.pull[i].toFixed(0)} MB/s`);
  }

  const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;
  console.log(
    `\nblob ${MB} MB, ${RUNS} interleaved runs, loopback; median (range) MB/s; ratio = median of the per-run ratios to docker-registry; CPU = the server process's user+system time per MB, median\n`,
  );
  console.log('| server | push MB/s | pull MB/s | push ratio | pull ratio | server CPU ms/MB push / pull |');
  console.log('|---|---|---|---|---|---|');
  for (const s of servers) {
    const ratios = s.pushRatio.length ? `${median(s.pushRatio).toFixed(2)}× | ${median(s.pullRatio).toFixed(2)}×` : '1 | 1';
    console.log(
      `| ${s.name} | ${median(s.push).toFixed(0)} (${range(s.push)}) | ${median(s.pull).toFixed(0)} (${range(s.pull)}) | ${ratios} | ${median(s.pushCpu).toFixed(2)} / ${median(s.pullCpu).toFixed(2)} |`,
    );
  }
} finally {
  for (const w of wayfinders) w.proc.kill('SIGINT');
  reg.kill('SIGTERM');
  await new Promise((r) => setTimeout(r, 1000));
  rmSync(work, { recursive: true, force: true });
}
