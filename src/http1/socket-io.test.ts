import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { once } from 'node:events';
import { inReadBuffer, readDirect, readToStream, writeLatin1 } from './socket-io.js';

/** A loopback pair: the accepted socket (as the front gets it) and the client's socket. */
async function pair(): Promise<{ server: Server; accepted: Socket; client: Socket }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  const client = connect(port, '127.0.0.1');
  const [accepted] = (await once(server, 'connection')) as [Socket];
  await once(client, 'connect');
  return { server, accepted, client };
}

test('direct reads deliver every byte in order, in the shared buffer; after readToStream, as copies to data listeners', async () => {
  const { server, accepted, client } = await pair();
  const got: string[] = [];
  let shared = true;
  assert.equal(
    readDirect(accepted, (chunk) => {
      shared &&= inReadBuffer(chunk);
      got.push(chunk.toString('latin1'));
    }),
    true,
  );
  client.write('first ');
  client.write('second');
  while (got.join('').length < 12) await new Promise((r) => setTimeout(r, 5));
  assert.equal(got.join(''), 'first second');
  assert.equal(shared, true);
  readToStream(accepted);
  const later: Buffer[] = [];
  accepted.on('data', (c: Buffer) => later.push(c));
  client.end('third');
  await once(accepted, 'end');
  assert.equal(Buffer.concat(later).toString(), 'third');
  assert.equal(
    later.some((c) => inReadBuffer(c)),
    false,
  );
  accepted.destroy();
  server.close();
});

test('a write the kernel cannot take at once reports backpressure, drains, and keeps its order with later writes', async () => {
  const { server, accepted, client } = await pair();
  client.pause(); // the peer reads nothing yet: the socket buffers fill up
  const big = 'x'.repeat(4 * 1024 * 1024);
  let ok = true;
  let writes = 0;
  while (ok && writes < 64) {
    ok = writeLatin1(accepted, big);
    writes++;
  }
  assert.equal(ok, false, 'backpressure was reported');
  const drained = once(accepted, 'drain');
  accepted.write('TAIL'); // through the Writable, after what libuv still holds
  accepted.end();
  let size = 0;
  let tail = '';
  client.on('data', (c: Buffer) => {
    size += c.length;
    tail = (tail + c.toString('latin1')).slice(-4);
  });
  client.resume();
  await drained;
  await once(client, 'end');
  assert.equal(size, writes * big.length + 4);
  assert.equal(tail, 'TAIL');
  client.destroy();
  server.close();
});
