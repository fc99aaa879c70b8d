// The headers that go upstream, as a list (for a mapping to edit) and already serialized (no
// mapping): both forms must give the backend the same bytes, cached per connection or not.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildForwardHeaders, forwardHeaderLines } from './map-params.js';
import type { GatewayExchange } from './gateway-exchange.js';

function exchange(rawHeaders: string[], memo: Record<string, unknown> = {}, sourceIp = '127.0.0.1'): GatewayExchange {
  let host: string | undefined;
  let connection: string | undefined;
  for (let i = 0; i < rawHeaders.length; i += 2) {
    const k = rawHeaders[i]!.toLowerCase();
    if (k === 'host') host ??= rawHeaders[i + 1];
    if (k === 'connection') connection = connection === undefined ? rawHeaders[i + 1] : `${connection},${rawHeaders[i + 1]}`;
  }
  return {
    io: { rawHeaders, memo, localAddress: '127.0.0.1' },
    sourceIp,
    host,
    connection,
    receivedAt: Date.UTC(2026, 11, 3),
    services: { portText: () => '4566' },
  } as unknown as GatewayExchange;
}

/** What ClientCall.head writes for a header list. */
function serialize(h: string[]): string {
  let out = '';
  for (let i = 0; i < h.length; i += 2) out += `${h[i]}: ${h[i + 1]}\r\n`;
  return out;
}

/** The trace root is random per request: compared by shape. */
function sameTrace(s: string): string {
  return s.replace(/^x-amzn-trace-id: Root=1-[0-9a-f]{8}-[0-9a-f]{24}\r\n/m, 'x-amzn-trace-id: <root>\r\n');
}

test('the serialized upstream headers are the list serialized, for every kind of client header', () => {
  const cases: string[][] = [
    ['Host', 'api.example'],
    ['Host', 'api.example', 'User-Agent', 'curl/8', 'Accept', '*/*'],
    ['Host', 'h', 'X-Forwarded-For', '10.0.0.1', 'x-forwarded-for', '10.0.0.2', 'Forwarded', 'for=10.0.0.1', 'X-Forwarded-Proto', 'https', 'X-Forwarded-Port', '443'],
    ['Host', 'h', 'Forwarded', 'for=1.2.3.4'],
    ['Host', 'h', 'X-Amzn-Trace-Id', 'Root=1-00000000-000000000000000000000000', 'A', 'b'],
    ['Host', 'h', 'Connection', 'keep-alive, X-Drop', 'X-Drop', '1', 'X-Keep', '2', 'TE', 'trailers', 'Expect', '100-continue', 'Upgrade', 'h2c'],
    ['Host', 'h', 'Proxy-Authorization', 'x', 'HTTP2-Settings', 'y', 'Keep-Alive', 'timeout=5', 'Content-Length', '3'],
    [],
  ];
  for (const raw of cases) {
    const memo = {};
    // A fresh connection, the same one again (its cached lines), another Host on it, and an IPv6 client.
    const otherHost = raw.map((v, i) => (i % 2 === 1 && raw[i - 1] === 'Host' ? 'other.example' : v));
    for (const x of [exchange(raw, memo), exchange(raw, memo), exchange([...otherHost, 'X-More', 'z'], memo), exchange(raw, {}, '::1')]) {
      assert.equal(sameTrace(forwardHeaderLines(x)), sameTrace(serialize(buildForwardHeaders(x))), JSON.stringify(raw));
    }
  }
  const lines = forwardHeaderLines(exchange(['Host', 'api.example', 'Accept', '*/*']));
  assert.match(
    lines,
    /^Accept: \*\/\*\r\nx-forwarded-for: 127\.0\.0\.1\r\nx-forwarded-proto: http\r\nx-forwarded-port: 4566\r\nforwarded: by=127\.0\.0\.1;for=127\.0\.0\.1;host=api\.example;proto=http\r\nx-amzn-trace-id: Root=1-[0-9a-f]{8}-[0-9a-f]{24}\r\n$/,
  );
});
