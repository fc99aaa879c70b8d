// A page from another origin cannot use the console's stream, its key, or the AWS APIs the console
// calls (SECURITY.md's Origin rule, docs/console.md). The foreign page is a real page in Chromium at
// http://evil.example:<port> (the name mapped to loopback inside the browser only), so the browser
// sends its real Origin; the console's own page, same server, works.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { browserMissing, launchChromium } from '../support/browser.js';
import { startTestServer } from '../support/server.js';

test('console: another origin cannot read the change stream, the key or the APIs', { skip: browserMissing() }, async () => {
  const server = await startTestServer();
  const evil = createServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>evil</title>'));
  await new Promise<void>((r) => evil.listen(0, '127.0.0.1', r));
  const evilPort = (evil.address() as AddressInfo).port;
  const browser = await launchChromium(['--host-resolver-rules=MAP evil.example 127.0.0.1']);
  try {
    const page = await browser.newPage();
    await page.goto(`http://evil.example:${evilPort}/`);
    const target = `http://localhost:${server.port}`;
    const outcome = await page.evaluate(async (base) => {
      const tryFetch = (url: string, init?: RequestInit) =>
        fetch(url, init).then(
          async (r) => `read ${r.status}: ${(await r.text()).slice(0, 80)}`,
          () => 'blocked',
        );
      const stream = await new Promise<string>((resolve) => {
        const es = new EventSource(`${base}/_wayfinder/console/events`);
        es.addEventListener('change', () => resolve('got a change'));
        es.addEventListener('hello', () => resolve('got hello'));
        es.onerror = () => {
          es.close();
          resolve('refused');
        };
      });
      return {
        stream,
        streamFetch: await tryFetch(`${base}/_wayfinder/console/events`),
        key: await tryFetch(`${base}/_wayfinder/console/config.json`),
        api: await tryFetch(`${base}/`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AmazonEC2ContainerServiceV20141113.ListClusters' },
          body: '{}',
        }),
      };
    }, target);
    assert.deepEqual(outcome, { stream: 'refused', streamFetch: 'blocked', key: 'blocked', api: 'blocked' });

    // What the server answered (not only what the browser hid): a 403 naming the guard.
    const refused = await fetch(`${target}/_wayfinder/console/events`, { headers: { origin: `http://evil.example:${evilPort}` } });
    assert.equal(refused.status, 403);
    assert.match(await refused.text(), /cross-site guard/);
    const key = await fetch(`${target}/_wayfinder/console/config.json`, { headers: { origin: `http://evil.example:${evilPort}` } });
    assert.equal(key.status, 403);

    // The console's own page, on the loopback origin, gets its stream and calls the APIs.
    const own = await browser.newPage();
    await own.goto(`${target}/_wayfinder/console/#/ecs/clusters`);
    await own.getByText('live', { exact: true }).waitFor();
    await own.getByText('No clusters').waitFor();
    const headers = (await own.request.get(`${target}/_wayfinder/console/`)).headers();
    assert.match(headers['content-security-policy'] ?? '', /script-src 'self'/);
  } finally {
    await browser.close();
    evil.close();
    await server.destroy();
  }
});
