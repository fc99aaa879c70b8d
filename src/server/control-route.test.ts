import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { nodeHeaders } from './control-route.js';

test('the lean front reads header lines into the same headers object node:http builds (duplicates, case, cookies)', async () => {
  // What the signature check and the handlers see must not depend on which server parsed the request.
  const raw = [
    'Host',
    '127.0.0.1',
    'host',
    'evil.example',
    'X-Amz-Date',
    '20261203T000000Z',
    'x-amz-date',
    '20991231T000000Z',
    'Content-Type',
    'application/x-amz-json-1.1',
    'content-type',
    'text/plain',
    'X-Custom',
    'a',
    'x-custom',
    'b',
    'Cookie',
    'a=1',
    'cookie',
    'b=2',
    'Set-Cookie',
    'c=3',
    'set-cookie',
    'd=4',
    'Connection',
    'keep-alive',
  ];
  let seen: IncomingHttpHeaders | undefined;
  const server = createServer((req, res) => {
    seen = req.headers;
    res.end();
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    await new Promise<void>((resolve, reject) => {
      const headers: Array<[string, string]> = [];
      for (let i = 0; i < raw.length; i += 2) headers.push([raw[i]!, raw[i + 1]!]);
      const req = request({ port, host: '127.0.0.1', method: 'GET', path: '/', headers: headers.flat(), setHost: false }, (res) => {
        res.resume();
        res.on('end', resolve);
      });
      req.on('error', reject);
      req.end();
    });
  } finally {
    server.close();
  }
  assert.ok(seen);
  assert.deepEqual({ ...nodeHeaders(raw) }, { ...seen });
  assert.equal(seen.host, '127.0.0.1');
  assert.equal(seen['x-amz-date'], '20261203T000000Z, 20991231T000000Z');
});
