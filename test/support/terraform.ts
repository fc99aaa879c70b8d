// Runs the real `terraform` CLI against a test server: a temporary working directory holding a copy of
// an example configuration, a CLI config that installs hashicorp/aws from the machine's offline mirror,
// and a hermetic environment (its own HOME, no AWS profile, no plugin cache, no update check), so a
// run depends only on /usr/local/bin/terraform and the mirror — what .ci/run's machines provide.
import { spawn } from 'node:child_process';
import { accessSync, constants, copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const TERRAFORM = process.env.WAYFINDER_TEST_TERRAFORM ?? '/usr/local/bin/terraform';
export const PLUGIN_MIRROR = process.env.WAYFINDER_TEST_TF_PLUGINS ?? '/opt/tf-plugins';
export const AWS_PROVIDER_VERSION = '5.100.0';
const PROVIDER_DIR = join(PLUGIN_MIRROR, 'registry.terraform.io', 'hashicorp', 'aws', AWS_PROVIDER_VERSION);

/** The example configurations, e.g. examples/terraform/seed. */
export const EXAMPLES = fileURLToPath(new URL('../../../examples/terraform/', import.meta.url));

/** Why the Terraform suites cannot run on this machine, or undefined when they can. */
export function terraformSkipReason(): string | undefined {
  try {
    accessSync(TERRAFORM, constants.X_OK);
  } catch {
    return `no terraform at ${TERRAFORM} (set WAYFINDER_TEST_TERRAFORM to its path)`;
  }
  if (!existsSync(PROVIDER_DIR)) return `no hashicorp/aws ${AWS_PROVIDER_VERSION} in the provider mirror ${PLUGIN_MIRROR} (set WAYFINDER_TEST_TF_PLUGINS)`;
  return undefined;
}

export interface TerraformResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface TerraformDir {
  dir: string;
  /** Runs `terraform <args>` in the directory; kills it (and its provider plugin) after timeoutMs. */
  run(args: string[], timeoutMs: number): Promise<TerraformResult>;
  /** Like run, but fails with terraform's output unless it exits 0. */
  ok(args: string[], timeoutMs: number): Promise<TerraformResult>;
  /** Deletes the directory (kept, with terraform.log, when TF_LOG is set). */
  remove(): void;
}

/**
 * A working directory with the *.tf files of each source directory in order (a later file of the same
 * name replaces an earlier one: that is how a variant swaps provider.tf) and terraform.tfvars.json.
 */
export function terraformDir(sources: string[], vars: Record<string, unknown>): TerraformDir {
  const dir = mkdtempSync(join(tmpdir(), 'wayfinder-tf-'));
  const work = join(dir, 'work');
  const home = join(dir, 'home');
  mkdirSync(work);
  mkdirSync(home);
  for (const src of sources) for (const f of readdirSync(src)) if (f.endsWith('.tf')) copyFileSync(join(src, f), join(work, basename(f)));
  writeFileSync(join(work, 'terraform.tfvars.json'), JSON.stringify(vars, null, 2));
  const cliConfig = join(dir, 'cli.tfrc');
  writeFileSync(
    cliConfig,
    [
      'provider_installation {',
      '  filesystem_mirror {',
      `    path    = ${JSON.stringify(PLUGIN_MIRROR)}`,
      '    include = ["registry.terraform.io/hashicorp/aws"]',
      '  }',
      '  direct {',
      '    exclude = ["registry.terraform.io/hashicorp/aws"]',
      '  }',
      '}',
      '',
    ].join('\n'),
  );
  // Only what terraform needs: no AWS_* of the caller (a profile or a real key must not leak in), no
  // TF_* (a plugin cache, a data dir), no instance metadata lookups (traffic stays on loopback).
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    TF_CLI_CONFIG_FILE: cliConfig,
    TF_IN_AUTOMATION: '1',
    TF_INPUT: '0',
    CHECKPOINT_DISABLE: '1',
    AWS_EC2_METADATA_DISABLED: 'true',
    // TF_LOG=DEBUG in the test's environment keeps the provider's calls in <dir>/terraform.log.
    ...(process.env.TF_LOG ? { TF_LOG: process.env.TF_LOG, TF_LOG_PATH: join(dir, 'terraform.log') } : {}),
  };

  const run = (args: string[], timeoutMs: number): Promise<TerraformResult> =>
    new Promise((resolve, reject) => {
      // Its own process group, so a timeout also ends the provider plugin terraform started.
      const child = spawn(TERRAFORM, [...args, '-no-color'], { cwd: work, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
      let stdout = '';
      let stderr = '';
      let timedOut = false;
      child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
      child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
      const timer = setTimeout(() => {
        timedOut = true;
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      }, timeoutMs);
      child.on('error', (e) => {
        clearTimeout(timer);
        reject(e);
      });
      child.on('close', (code) => {
        clearTimeout(timer);
        if (timedOut) stderr += `\n[test] terraform ${args[0]} killed after ${timeoutMs} ms`;
        resolve({ code, stdout, stderr });
      });
    });

  return {
    dir,
    run,
    async ok(args, timeoutMs) {
      const r = await run(args, timeoutMs);
      if (r.code !== 0) throw new Error(`terraform ${args.join(' ')} exited with ${r.code}\n${r.stdout}\n${r.stderr}`);
      return r;
    },
    remove() {
      if (process.env.TF_LOG) console.log(`# terraform working directory and log kept in ${dir}`);
      else rmSync(dir, { recursive: true, force: true });
    },
  };
}
