// The CLI's way to talk to a running Wayfinder: signed AWS calls over HTTP (the CLI never opens the
// store). Credentials and endpoint come from the usual AWS variables, defaulting to test/test on
// http://localhost:4566.
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../protocol/node-sha256.js';

export interface CallOptions {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(`${code}: ${message}`);
  }
}

export function callOptions(flags: Map<string, string>, env: NodeJS.ProcessEnv = process.env): CallOptions {
  return {
    endpoint: (flags.get('--endpoint') ?? env.WAYFINDER_ENDPOINT ?? env.AWS_ENDPOINT_URL ?? `http://localhost:${env.WAYFINDER_PORT ?? '4566'}`).replace(/\/$/, ''),
    region: flags.get('--region') ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION ?? 'us-east-1',
    accessKeyId: env.AWS_ACCESS_KEY_ID ?? 'test',
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY ?? 'test',
  };
}

async function send(
  opts: CallOptions,
  service: string,
  method: string,
  path: string,
  headers: Record<string, string>,
  body?: string,
): Promise<{ status: number; text: string; headers: Headers }> {
  const url = new URL(opts.endpoint + path);
  const query: Record<string, string> = {};
  url.searchParams.forEach((v, k) => {
    query[k] = v;
  });
  const signer = new SignatureV4({ credentials: { accessKeyId: opts.accessKeyId, secretAccessKey: opts.secretAccessKey }, region: opts.region, service, sha256: NodeSha256 });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    port: url.port ? Number(url.port) : undefined,
    path: url.pathname,
    query,
    headers: { host: url.host, ...headers },
    body,
  });
  const { host: _host, ...sendHeaders } = signed.headers as Record<string, string>;
  const res = await fetch(url, { method, headers: sendHeaders, body });
  return { status: res.status, text: await res.text(), headers: res.headers };
}

/** An awsJson 1.1 call (Cloud Map, ECS, Logs). */
export async function jsonCall<T = Record<string, unknown>>(opts: CallOptions, service: string, target: string, input: unknown): Promise<T> {
  const r = await send(opts, service, 'POST', '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, JSON.stringify(input));
  const body = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {};
  if (r.status >= 300) throw new AwsCallError(String(body.__type ?? r.status), String(body.message ?? body.Message ?? r.text), r.status);
  return body as T;
}

/** A rest-json call (API Gateway v2). */
export async function restCall<T = Record<string, unknown>>(opts: CallOptions, method: string, path: string, input?: unknown): Promise<T> {
  const r = await send(opts, 'apigateway', method, path, { 'content-type': 'application/json' }, input === undefined ? undefined : JSON.stringify(input));
  const body = r.text ? (JSON.parse(r.text) as Record<string, unknown>) : {};
  if (r.status >= 300) throw new AwsCallError(r.headers.get('x-amzn-errortype') ?? String(r.status), String(body.message ?? r.text), r.status);
  return body as T;
}

export const ECS = 'AmazonEC2ContainerServiceV20141113';
export const SD = 'Route53AutoNaming_v20170314';
export const LOGS = 'Logs_20140328';

/** The regions that hold resources, as the server reports them (empty if it cannot say). */
export async function regionsInUse(opts: CallOptions): Promise<string[]> {
  try {
    const body = (await (await fetch(`${opts.endpoint}/_wayfinder/regions`)).json()) as { regions?: unknown };
    return Array.isArray(body.regions) ? body.regions.map(String) : [];
  } catch {
    return [];
  }
}

/** The first other region in use where `attempt` succeeds, with its options and result. */
export async function findRegion<T>(opts: CallOptions, attempt: (o: CallOptions) => Promise<T>): Promise<{ opts: CallOptions; value: T } | undefined> {
  for (const region of await regionsInUse(opts)) {
    if (region === opts.region) continue;
    const o = { ...opts, region };
    try {
      return { opts: o, value: await attempt(o) };
    } catch {
      // not there either: try the next region
    }
  }
  return undefined;
}
