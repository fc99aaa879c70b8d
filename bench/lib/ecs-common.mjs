// Shared pieces of the ECS benchmarks: start `wayfinder up` as its own process (so its memory is
// measured alone), SDK clients, a Cloud Map namespace, RSS from /proc, medians.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as ECS from '@aws-sdk/client-ecs';
import * as SD from '@aws-sdk/client-servicediscovery';
import * as EC2 from '@aws-sdk/client-ec2';

const BIN = fileURLToPath(new URL('../../bin/wayfinder.js', import.meta.url));

/** Starts `wayfinder up` on a free port; resolves once it prints the endpoint. */
export async function startServer({ runtime = 'process', extra = [], cpu } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'wf-bench-'));
  const args = [BIN, 'up', '--port', '0', '--dns-port', '0', '--data-dir', dataDir, '--runtime', runtime, '--log-level', 'error', ...extra];
  const cmd = cpu !== undefined ? 'taskset' : process.execPath;
  const argv = cpu !== undefined ? ['-c', String(cpu), process.execPath, ...args] : args;
  const child = spawn(cmd, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const port = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wayfinder did not start:\n${out}`)), 20_000);
    const onData = (d) => {
      out += d.toString();
      const m = /endpoint\s+http:\/\/[^:]+:(\d+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', (d) => (out += d.toString()));
    child.on('exit', (code) => reject(new Error(`wayfinder exited with ${code}:\n${out}`)));
  });
  const endpoint = `http://127.0.0.1:${port}`;
  const base = { endpoint, region: 'us-east-1', credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, maxAttempts: 1 };
  return {
    pid: child.pid,
    endpoint,
    banner: out,
    ecs: new ECS.ECSClient(base),
    sd: new SD.ServiceDiscoveryClient({ ...base, disableHostPrefix: true }),
    ec2: new EC2.EC2Client(base),
    async reset() {
      await fetch(`${endpoint}/_wayfinder/reset`, { method: 'POST' });
    },
    async stop() {
      await this.reset().catch(() => undefined);
      child.kill('SIGTERM');
      await new Promise((r) => child.once('exit', r));
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Resident memory of a process in MiB (VmRSS). */
export function rssMiB(pid) {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) / 1024 : NaN;
}

export async function waitFor(what, probe, timeoutMs = 120_000, everyMs = 20) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const v = await probe();
    if (v) return v;
    await new Promise((r) => setTimeout(r, everyMs));
  }
  throw new Error(`timed out waiting for ${what}`);
}

export async function namespace(s, name) {
  const { Vpcs } = await s.ec2.send(new EC2.DescribeVpcsCommand({}));
  const { OperationId } = await s.sd.send(new SD.CreatePrivateDnsNamespaceCommand({ Name: name, Vpc: Vpcs[0].VpcId }));
  return waitFor('namespace', async () => {
    const { Operation } = await s.sd.send(new SD.GetOperationCommand({ OperationId }));
    return Operation.Status === 'SUCCESS' ? Operation.Targets.NAMESPACE : undefined;
  });
}

export async function subnet(s) {
  const { Subnets } = await s.ec2.send(new EC2.DescribeSubnetsCommand({}));
  return Subnets[0].SubnetId;
}

export function stats(values) {
  const v = [...values].sort((a, b) => a - b);
  const q = (p) => v[Math.min(v.length - 1, Math.floor(p * v.length))];
  const median = v.length % 2 ? v[(v.length - 1) / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  return { n: v.length, median, min: v[0], p90: q(0.9), max: v[v.length - 1] };
}

export { ECS, SD };
