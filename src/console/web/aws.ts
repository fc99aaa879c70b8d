// The console's AWS client layer: the same operations the CLI calls, in their own wire protocols
// (awsJson for ECS, Cloud Map, ECR; rest-json for API Gateway v2; query for EC2 and CloudFormation),
// sent to the page's own origin and signed with the configured key. Errors surface as AWS's code and
// message, never swallowed.
import { type Credentials, sign } from './sigv4.js';

export class AwsApiError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly status: number,
  ) {
    super(message);
  }
}

export interface Session {
  region: string;
  accountId: string;
  credentials: Credentials;
}

let session: Session | undefined;

export function useSession(s: Session): void {
  session = s;
}

export function currentSession(): Session {
  if (!session) throw new AwsApiError('MissingAuthenticationToken', 'The console has no key to sign with.', 0);
  return session;
}

/** `region`: the console's unless the service is global (Route 53 signs for us-east-1, as the SDKs do). */
async function send(method: string, path: string, query: URLSearchParams, headers: Record<string, string>, body: string, service: string, region?: string): Promise<Response> {
  const s = currentSession();
  const signed = await sign({ method, path, query, headers, body, region: region ?? s.region, service }, s.credentials);
  const qs = query.toString();
  return fetch(`${path}${qs ? `?${qs}` : ''}`, { method, headers: signed, ...(method === 'GET' || method === 'DELETE' ? {} : { body }), credentials: 'omit', cache: 'no-store' });
}

function jsonError(res: Response, text: string): AwsApiError {
  let body: { __type?: string; message?: string; Message?: string } = {};
  try {
    body = JSON.parse(text) as typeof body;
  } catch {
    // not JSON: the status line is all there is
  }
  const type = res.headers.get('x-amzn-errortype') ?? body.__type ?? `HTTP${res.status}`;
  const code = type.split(':')[0]!.split('#').pop()!;
  return new AwsApiError(code, body.message ?? body.Message ?? text.slice(0, 500), res.status);
}

/** An awsJson 1.1 call: `target` is the service's X-Amz-Target prefix. */
export async function awsJson<T>(service: string, target: string, operation: string, input: object = {}): Promise<T> {
  const body = JSON.stringify(input);
  const res = await send('POST', '/', new URLSearchParams(), { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `${target}.${operation}` }, body, service);
  const text = await res.text();
  if (!res.ok) throw jsonError(res, text);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A rest-json call (API Gateway v2): path already escaped. */
export async function restJson<T>(service: string, method: string, path: string, input?: object): Promise<T> {
  const body = input === undefined ? '' : JSON.stringify(input);
  const res = await send(method, path, new URLSearchParams(), input === undefined ? {} : { 'content-type': 'application/json' }, body, service);
  const text = await res.text();
  if (!res.ok) throw jsonError(res, text);
  return (text ? JSON.parse(text) : {}) as T;
}

/** A query call (EC2, CloudFormation): the answer is XML, read with DOMParser. */
export async function query(service: string, version: string, action: string, params: Record<string, string> = {}): Promise<Document> {
  const form = new URLSearchParams({ Action: action, Version: version, ...params });
  return xmlAnswer(await send('POST', '/', new URLSearchParams(), { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, form.toString(), service));
}

/** A rest-xml GET (Route 53): path already escaped; the answer is XML, read with DOMParser. */
export async function restXmlGet(service: string, path: string, query: Record<string, string>, region?: string): Promise<Document> {
  return xmlAnswer(await send('GET', path, new URLSearchParams(query), {}, '', service, region));
}

/** The XML answer of a query or rest-xml call, or its `<Error>`'s code and message thrown. */
async function xmlAnswer(res: Response): Promise<Document> {
  const doc = new DOMParser().parseFromString(await res.text(), 'application/xml');
  if (!res.ok) {
    const code = doc.querySelector('Error > Code')?.textContent ?? `HTTP${res.status}`;
    throw new AwsApiError(code, doc.querySelector('Error > Message')?.textContent ?? '', res.status);
  }
  return doc;
}

export const ecs = <T>(op: string, input: object = {}) => awsJson<T>('ecs', 'AmazonEC2ContainerServiceV20141113', op, input);
export const cloudMap = <T>(op: string, input: object = {}) => awsJson<T>('servicediscovery', 'Route53AutoNaming_v20170314', op, input);
export const ecr = <T>(op: string, input: object = {}) => awsJson<T>('ecr', 'AmazonEC2ContainerRegistry_V20150921', op, input);
export const apigw = <T>(method: string, path: string, input?: object) => restJson<T>('apigateway', method, path, input);
export const ec2 = (action: string, params: Record<string, string> = {}) => query('ec2', '2016-11-15', action, params);
export const cloudFormation = (action: string, params: Record<string, string> = {}) => query('cloudformation', '2010-05-15', action, params);
