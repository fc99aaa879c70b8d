#!/usr/bin/env node
// Writes a wrk Lua script that replays one SigV4-signed AWS request (signed like the SDKs sign).
// A signature stays valid for 15 minutes, so one signed request serves a whole benchmark run; the
// server still verifies it on every request.
// Usage: node wrk-signed-script.mjs <port> <service> <operation> [json-args] > script.lua
//   operations: describe-vpcs, describe-log-groups (no args); discover-instances, list-instances
//   (servicediscovery), describe-services (ecs): json-args is the request body; get-routes (apigateway,
//   REST): json-args {"ApiId": …, "MaxResults": "100"}.
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from '@aws-crypto/sha256-js';

const [port, service, op, extra = '{}'] = process.argv.slice(2);
const json = (target) => ({ headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': target }, body: JSON.stringify(JSON.parse(extra)) });
const args = JSON.parse(extra);
const REQUESTS = {
  'describe-vpcs': { headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: 'Action=DescribeVpcs&Version=2016-11-15' },
  'describe-log-groups': { headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'Logs_20140328.DescribeLogGroups' }, body: '{}' },
  'discover-instances': json('Route53AutoNaming_v20170314.DiscoverInstances'),
  'list-instances': json('Route53AutoNaming_v20170314.ListInstances'),
  'describe-services': json('AmazonEC2ContainerServiceV20141113.DescribeServices'),
  'get-routes': { method: 'GET', path: `/v2/apis/${args.ApiId}/routes`, query: args.MaxResults ? { maxResults: args.MaxResults } : {}, headers: {}, body: undefined },
};
const r = REQUESTS[op];
if (!r) throw new Error(`unknown op ${op}`);
const signer = new SignatureV4({ credentials: { accessKeyId: 'test', secretAccessKey: 'test' }, region: 'us-east-1', service, sha256: Sha256 });
const method = r.method ?? 'POST';
const signed = await signer.sign({
  method,
  protocol: 'http:',
  hostname: '127.0.0.1',
  port: Number(port),
  path: r.path ?? '/',
  query: r.query ?? {},
  headers: { host: `127.0.0.1:${port}`, ...r.headers },
  body: r.body,
});
const lua = (s) => JSON.stringify(s); // JSON string literals are valid Lua string literals for this ASCII content
const qs = new URLSearchParams(r.query ?? {}).toString();
const lines = [`wrk.method = ${lua(method)}`, `wrk.path = ${lua((r.path ?? '/') + (qs ? `?${qs}` : ''))}`];
if (r.body !== undefined) lines.push(`wrk.body = ${lua(r.body)}`);
for (const [k, v] of Object.entries(signed.headers)) if (k !== 'host') lines.push(`wrk.headers[${lua(k)}] = ${lua(v)}`);
console.log(lines.join('\n'));
