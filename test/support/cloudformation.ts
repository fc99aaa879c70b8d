// Helpers for the CloudFormation end-to-end tests: the aws CLI against a test server, templates
// written to files (as `aws cloudformation deploy --template-file` reads them), and stack reads.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { awsCli as runAws, type CliResult } from './aws-cli.js';

export type { CliResult };

/** Runs the aws CLI (v1, or v2 with `v2`) against the server; resolves with its exit code and output either way. */
export function awsCli(server: { port: number }, args: string[], opts: { v2?: boolean } = {}): Promise<CliResult> {
  return runAws(server.port, args, { timeoutMs: 180_000, v2: opts.v2 });
}

/** Runs the aws CLI and parses its JSON output; a failure throws with the CLI's stderr. */
export async function awsJson<T = Record<string, unknown>>(server: { port: number }, args: string[]): Promise<T> {
  const r = await awsCli(server, [...args, '--output', 'json']);
  if (r.code !== 0) throw new Error(`aws ${args.join(' ')} failed (${r.code}): ${r.stderr}`);
  return (r.stdout.trim() ? JSON.parse(r.stdout) : {}) as T;
}

const dir = mkdtempSync(join(tmpdir(), 'wf-cfn-'));
let n = 0;

/** Writes a template to a file and returns its path. */
export function templateFile(body: string): string {
  const file = join(dir, `template-${++n}.yaml`);
  writeFileSync(file, body);
  return file;
}

export interface StackView {
  StackStatus: string;
  StackStatusReason?: string;
  Outputs?: Array<{ OutputKey: string; OutputValue: string; ExportName?: string }>;
  Parameters?: Array<{ ParameterKey: string; ParameterValue: string }>;
}

export async function describeStack(server: { port: number }, name: string): Promise<StackView> {
  const out = await awsJson<{ Stacks: StackView[] }>(server, ['cloudformation', 'describe-stacks', '--stack-name', name]);
  return out.Stacks[0]!;
}

export function output(stack: StackView, key: string): string {
  const o = stack.Outputs?.find((x) => x.OutputKey === key);
  if (!o) throw new Error(`no output ${key}`);
  return o.OutputValue;
}

/** The stack's events oldest first, as `logical status` lines. */
export async function eventLines(server: { port: number }, name: string): Promise<string[]> {
  const out = await awsJson<{ StackEvents: Array<{ LogicalResourceId: string; ResourceStatus: string }> }>(server, [
    'cloudformation',
    'describe-stack-events',
    '--stack-name',
    name,
  ]);
  return out.StackEvents.map((e) => `${e.LogicalResourceId} ${e.ResourceStatus}`).reverse();
}

/** Whether the stack's resource `logicalId` has started being created (its "Resource creation Initiated" event). */
export async function creationInitiated(server: { port: number }, name: string, logicalId: string): Promise<boolean> {
  const out = await awsJson<{ StackEvents: Array<{ LogicalResourceId: string; ResourceStatusReason?: string }> }>(server, [
    'cloudformation',
    'describe-stack-events',
    '--stack-name',
    name,
  ]);
  return out.StackEvents.some((e) => e.LogicalResourceId === logicalId && e.ResourceStatusReason === 'Resource creation Initiated');
}

/** The stack's status, or undefined while an operation is in progress (a waitFor probe). */
export async function settledStatus(server: { port: number }, name: string): Promise<string | undefined> {
  const s = (await describeStack(server, name)).StackStatus;
  return s.endsWith('_IN_PROGRESS') ? undefined : s;
}

/** The CLI's stderr and the stack's failed events' reasons, for an assertion's message. */
export async function failureReport(server: { port: number }, stack: string, stderr: string): Promise<string> {
  const out = await awsJson<{ StackEvents: Array<{ LogicalResourceId: string; ResourceStatus: string; ResourceStatusReason?: string }> }>(server, [
    'cloudformation',
    'describe-stack-events',
    '--stack-name',
    stack,
  ]).catch(() => ({ StackEvents: [] }));
  const failed = out.StackEvents.filter((e) => e.ResourceStatus.endsWith('FAILED')).map((e) => `${e.LogicalResourceId}: ${e.ResourceStatusReason}`);
  return `${stderr}\n${failed.join('\n')}`;
}
