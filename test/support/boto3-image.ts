// An image with boto3 for docker-runtime tests that run an AWS SDK inside a task: the seed's image
// (flask-app-fargate-fargate, Debian's python3) plus the machine's own boto3 and botocore (pure Python),
// their data cut to the services the tests call. Built once per engine, from local images only.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';

export const BOTO3_IMAGE = 'wayfinder-test/boto3:latest';
const BASE = 'flask-app-fargate-fargate:latest';
const MODULES = ['boto3', 'botocore', 'jmespath', 's3transfer', 'dateutil', 'urllib3', 'six'];
const SERVICES = ['ecs', 'sts'];

const present = (image: string) => execFileSync('docker', ['images', '-q', image], { encoding: 'utf8' }).trim() !== '';

/** Builds the image when missing; returns why it cannot be built, or undefined when it is there. */
export function ensureBoto3Image(): string | undefined {
  if (present(BOTO3_IMAGE)) return undefined;
  if (!present(BASE)) return `the image ${BASE} is missing (examples/seed-walkthrough/build-image.sh builds it)`;
  let paths: Record<string, string>;
  try {
    const py = `import json, importlib; print(json.dumps({m: importlib.import_module(m).__file__ for m in ${JSON.stringify(MODULES)}}))`;
    paths = JSON.parse(execFileSync('python3', ['-c', py], { encoding: 'utf8' })) as Record<string, string>;
  } catch {
    return 'python3 with boto3 is not installed on this machine';
  }
  const ctx = mkdtempSync(join(tmpdir(), 'wf-boto3-'));
  try {
    const site = join(ctx, 'site');
    mkdirSync(site);
    for (const [m, file] of Object.entries(paths)) {
      const from = basename(file) === '__init__.py' ? dirname(file) : file;
      const to = join(site, basename(from));
      if (m !== 'botocore') {
        cpSync(from, to, { recursive: true });
        continue;
      }
      // botocore's data holds every service's model (~100 MB): keep the shared files and the services used.
      const data = join(from, 'data');
      cpSync(from, to, { recursive: true, filter: (src) => src !== data });
      for (const name of readdirSync(data)) if (name.endsWith('.json') || SERVICES.includes(name)) cpSync(join(data, name), join(to, 'data', name), { recursive: true });
    }
    writeFileSync(join(ctx, 'Dockerfile'), `FROM ${BASE}\nCOPY site /opt/aws-sdk\nENV PYTHONPATH=/opt/aws-sdk\n`);
    execFileSync('docker', ['build', '-q', '-t', BOTO3_IMAGE, ctx], { stdio: 'ignore' });
    return undefined;
  } catch (e) {
    return `could not build ${BOTO3_IMAGE}: ${(e as Error).message}`;
  } finally {
    rmSync(ctx, { recursive: true, force: true });
  }
}
