// The internal endpoints on a network bind: a peer on the network cannot reset the store or mint an
// OIDC token (SECURITY.md), though it can write `Host: localhost` and so pass the Host rule; programs on
// this machine (loopback, or the bound address itself, as the Docker task relay connects) still can.
// Stand-in sockets: an e2e test cannot make a non-local peer while staying on loopback.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { HostPolicy } from '../http1/host-policy.js';
import { ControlGuard } from './control-guard.js';
import { fromThisMachine, internalRoute } from './internal.js';

function exchange(method: string, url: string, socket: { remoteAddress: string; localAddress: string }) {
  const req = { method, url, headers: { host: 'localhost:4566' }, socket, resume() {} } as unknown as IncomingMessage;
  const answer = { status: 0, body: '' };
  const res = {
    shouldKeepAlive: true,
    headersSent: false,
    setHeader() {},
    writeHead(status: number) {
      answer.status = status;
      return this;
    },
    end(body?: string) {
      answer.body = body ?? '';
    },
  } as unknown as ServerResponse;
  return { req, res, answer };
}

function route(localWritesOnly: boolean, calls: string[]) {
  const guard = new ControlGuard(new HostPolicy({ bindHost: '192.0.2.2', hostnames: [], corsOrigins: [] }));
  const extra = [{ method: 'POST', path: /^\/_wayfinder\/oidc\/token$/, handle: (_q: IncomingMessage, s: ServerResponse) => (calls.push('mint'), s.writeHead(200).end('{}')) }];
  return internalRoute(
    {
      health: () => ({ status: 'ok', services: {}, version: 'test' }),
      reset: async () => void calls.push('reset'),
      regions: () => [],
      extra: extra as never,
    },
    guard,
    { localWritesOnly },
  );
}

const NETWORK_PEER = { remoteAddress: '192.0.2.9', localAddress: '192.0.2.2' };

test('a network peer cannot reset or mint a token on a network bind, and is told why', async () => {
  const calls: string[] = [];
  const r = route(true, calls);
  for (const url of ['/_wayfinder/reset', '/moto-api/reset', '/_wayfinder/oidc/token']) {
    const x = exchange('POST', url, NETWORK_PEER);
    await r.handle(x.req, x.res);
    assert.equal(x.answer.status, 403, url);
    assert.match(x.answer.body, /answers only programs on this machine/);
  }
  assert.deepEqual(calls, []);
  const health = exchange('GET', '/_wayfinder/health', NETWORK_PEER);
  await r.handle(health.req, health.res);
  assert.equal(health.answer.status, 200, 'reads stay open');
});

test('programs on this machine still reset and mint: loopback, and the bound address itself', async () => {
  const calls: string[] = [];
  const r = route(true, calls);
  for (const socket of [
    { remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' },
    { remoteAddress: '::ffff:127.0.0.1', localAddress: '::ffff:127.0.0.1' },
    { remoteAddress: '192.0.2.2', localAddress: '192.0.2.2' },
  ]) {
    const x = exchange('POST', '/_wayfinder/oidc/token', socket);
    await r.handle(x.req, x.res);
    assert.equal(x.answer.status, 200, JSON.stringify(socket));
  }
  assert.deepEqual(calls, ['mint', 'mint', 'mint']);
  assert.equal(fromThisMachine(NETWORK_PEER), false);
});

test('a loopback bind keeps them open to its (loopback) callers', async () => {
  const calls: string[] = [];
  const x = exchange('POST', '/_wayfinder/reset', { remoteAddress: '127.0.0.1', localAddress: '127.0.0.1' });
  await route(false, calls).handle(x.req, x.res);
  assert.equal(x.answer.status, 200);
  assert.deepEqual(calls, ['reset']);
});
