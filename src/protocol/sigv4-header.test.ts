// headerSignature against @smithy/signature-v4, fed exactly as SigV4Verifier fed it before
// (signed headers only, X-Amz-Date as the signing date, no checksum header added): the same
// signature for every shape of request the rules distinguish.
import assert from 'node:assert/strict';
import type { IncomingHttpHeaders } from 'node:http';
import { test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from './node-sha256.js';
import { parseQuery } from './query-string.js';
import { headerSignature } from './sigv4-header.js';
import { amzDateToMs } from './sigv4.js';

interface Case {
  name: string;
  method?: string;
  rawPath?: string;
  qs?: string;
  headers?: IncomingHttpHeaders;
  signed?: string[];
  body?: string;
  amzDate?: string;
}

async function viaSigner(c: Required<Case>): Promise<string> {
  const signed = new Set(c.signed);
  const headers: Record<string, string> = {};
  for (const name of signed) {
    const v = c.headers[name];
    if (v !== undefined) headers[name] = Array.isArray(v) ? v.join(',') : v;
  }
  const query: Record<string, string | string[]> = {};
  for (const [k, v] of parseQuery(c.qs)) query[k] = v.length === 1 ? v[0]! : v;
  const [host, port] = (headers.host ?? '').split(':');
  const signer = new SignatureV4({
    credentials: { accessKeyId: 'AKID', secretAccessKey: 'sekrit' },
    region: 'eu-west-1',
    service: 'ecs',
    sha256: NodeSha256,
    uriEscapePath: true,
    applyChecksum: false,
  });
  const body = Buffer.from(c.body);
  const out = await signer.sign(
    {
      method: c.method,
      protocol: 'http:',
      hostname: host ?? '',
      port: port ? Number(port) : undefined,
      path: c.rawPath,
      query,
      headers,
      body: body.length ? body : undefined,
    } as never,
    { signingDate: new Date(amzDateToMs(c.amzDate)), signableHeaders: signed },
  );
  return /Signature=([0-9a-f]+)/.exec(String(out.headers.authorization))![1]!;
}

const BASE = {
  host: 'localhost:4566',
  'x-amz-date': '20261126T120000Z',
  'content-type': 'application/x-amz-json-1.1',
  'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters',
};
const CASES: Case[] = [
  { name: 'a JSON call' },
  { name: 'an empty body', body: '' },
  { name: 'a UTF-8 body', body: '{"name":"Zürich ☃"}' },
  { name: 'REST path labels, encoded', method: 'GET', rawPath: '/v2/apis/abc/stages/%24default', qs: 'tagKeys=a%20b&tagKeys=c' },
  { name: 'dot segments, doubled and trailing slashes', rawPath: '/a/./b/../c//d/' },
  { name: 'a path of slashes only', rawPath: '//' },
  { name: "query characters !'()* and unicode", qs: 'x=%21%27%28%29%2A&%C3%A9=%E2%98%83&empty=&b=2&a=1&a=0' },
  { name: 'an X-Amz-Signature query parameter is not signed', qs: 'X-Amz-Signature=abc&z=1' },
  { name: 'header whitespace folded', headers: { ...BASE, 'x-custom': '  a \t  b\t c  ' }, signed: ['host', 'x-amz-date', 'x-custom'] },
  { name: 'a repeated header joined with commas', headers: { ...BASE, 'x-multi': ['one', ' two '] }, signed: ['host', 'x-amz-date', 'x-multi'] },
  {
    name: 'proxy-, sec- and always-unsignable headers when signed',
    headers: { ...BASE, 'proxy-x': '1', 'sec-y': '2', expect: '100-continue', 'user-agent': 'ua' },
    signed: ['expect', 'host', 'proxy-x', 'sec-y', 'user-agent', 'x-amz-date'],
  },
  { name: 'a signed Date header, left out as the signer leaves it out', headers: { ...BASE, date: 'Thu, 26 Nov 2026 12:00:00 GMT' }, signed: ['date', 'host', 'x-amz-date'] },
  { name: 'X-Amz-Date not among SignedHeaders', signed: ['host', 'x-amz-target'] },
  { name: 'a signed header the request lacks, and upper case names', signed: ['Host', 'host', 'x-absent', 'x-amz-date'] },
  { name: 'a signed payload hash', headers: { ...BASE, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' }, signed: ['host', 'x-amz-content-sha256', 'x-amz-date'] },
  { name: 'a session token', headers: { ...BASE, 'x-amz-security-token': 'tok/en+=' }, signed: ['host', 'x-amz-date', 'x-amz-security-token'] },
  { name: 'second 60 rolls over as the signer rolls it', amzDate: '20261126T115960Z', headers: { ...BASE, 'x-amz-date': '20261126T115960Z' } },
];

for (const c of CASES) {
  test(`headerSignature equals the SDK signer's: ${c.name}`, async () => {
    const full: Required<Case> = {
      name: c.name,
      method: c.method ?? 'POST',
      rawPath: c.rawPath ?? '/',
      qs: c.qs ?? '',
      headers: c.headers ?? BASE,
      signed: c.signed ?? ['content-type', 'host', 'x-amz-date', 'x-amz-target'],
      body: c.body ?? '{}',
      amzDate: c.amzDate ?? '20261126T120000Z',
    };
    const mine = headerSignature({
      method: full.method,
      rawPath: full.rawPath,
      query: parseQuery(full.qs),
      headers: full.headers,
      body: Buffer.from(full.body),
      secretAccessKey: 'sekrit',
      region: 'eu-west-1',
      service: 'ecs',
      signedHeaders: full.signed,
      signedAtMs: amzDateToMs(full.amzDate),
    });
    assert.equal(mine, await viaSigner(full));
  });
}
