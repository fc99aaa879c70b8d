// The idle sweeper against a real upstream on loopback: an unused pool is closed, a pool whose
// response is still streaming is not (the sweep interval is shortened to keep the test quick).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { ClientCall } from '../../http1/client-call.js';
import { UpstreamPools } from './pools.js';

test('the idle sweep closes unused pools but never cuts a response that is still streaming', async () => {
  // A backend that sends one chunk every 40 ms, 10 times: the stream outlives several sweeps.
  const backend = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/plain' });
    let n = 0;
    const timer = setInterval(() => {
      res.write(`tick ${++n}\n`);
      if (n === 10) clearInterval(timer), res.end();
    }, 40);
  });
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', r));
  const origin = `http://127.0.0.1:${(backend.address() as AddressInfo).port}`;
  const pools = new UpstreamPools({ idleCloseMs: 50 });
  try {
    const body = await new Promise<string>((resolve, reject) => {
      let text = '';
      pools.get(origin).request(
        { method: 'GET', path: '/', headers: [], headersChecked: true, body: null, chunked: false, addContentLength: false, timeoutMs: 5000 },
        {
          onConnected: (_c: ClientCall) => {},
          onHead: (status) => assert.equal(status, 200),
          onData: (chunk) => ((text += chunk.toString()), true),
          onEnd: () => resolve(text),
          onError: reject,
        },
      );
    });
    assert.equal(body.split('\n').filter(Boolean).length, 10, 'every chunk arrived');
    const first = pools.get(origin);
    await new Promise((r) => setTimeout(r, 200)); // a few sweeps with nothing in flight
    assert.notEqual(pools.get(origin), first, 'the unused pool was closed and a new one made');
  } finally {
    await pools.close();
    await new Promise((r) => backend.close(r));
  }
});
