// The real aws CLI against a test server: v1 is the machine's Python one (`aws` on PATH, botocore's
// models), v2 is Debian's `awscli` package at /usr/bin/aws (.ci/run installs it). Both get the built-in
// test/test key unless the caller's env says otherwise, and never a pager or a config file of the host.
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';

export const AWS_CLI_V2 = '/usr/bin/aws';

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** True when aws CLI v2 is installed where .ci/run puts it. */
export const hasAwsCliV2 = (): boolean => existsSync(AWS_CLI_V2);

/** Runs `aws --endpoint-url http://127.0.0.1:<port> …args`; resolves with the exit code and output either way. */
export function awsCli(port: number, args: string[], opts: { v2?: boolean; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<CliResult> {
  const env = {
    ...process.env,
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_DEFAULT_REGION: 'us-east-1',
    AWS_PAGER: '',
    AWS_CONFIG_FILE: '/dev/null',
    AWS_SHARED_CREDENTIALS_FILE: '/dev/null',
    ...opts.env,
  };
  return new Promise((resolve) => {
    execFile(opts.v2 ? AWS_CLI_V2 : 'aws', ['--endpoint-url', `http://127.0.0.1:${port}`, ...args], { env, timeout: opts.timeoutMs ?? 60_000 }, (err, stdout, stderr) => {
      const code = err ? (typeof (err as { code?: unknown }).code === 'number' ? (err as { code: number }).code : -1) : 0;
      resolve({ code, stdout: String(stdout), stderr: String(stderr) });
    });
  });
}
