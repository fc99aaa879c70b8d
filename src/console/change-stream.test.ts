// A console tab that stops reading its change stream must not make the server buffer every commit
// for it: the stream is cut once MAX_UNSENT_BYTES wait (its EventSource reconnects and reads afresh).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { connect, type AddressInfo } from 'node:net';
import { once } from 'node:events';
import { silentLogger } from '../kernel/log.js';
import { docTableSql, Store } from '../store/store.js';
import { ChangeStream } from './change-stream.js';

test('a change stream whose reader stopped reading is cut instead of buffered without end', async () => {
  const store = Store.open(':memory:', [{ id: 't/001', up: docTableSql('things') }], silentLogger);
  const stream = new ChangeStream(store);
  const server = createServer((req, res) => stream.open(req, res));
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const socket = connect((server.address() as AddressInfo).port, '127.0.0.1');
  try {
    await once(socket, 'connect');
    socket.write('GET /events HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n');
    socket.pause(); // a tab that never reads again
    while (stream.size === 0) await new Promise((r) => setTimeout(r, 5));
    const things = store.table<{ n: number }>('things');
    // Bounded: at most 400k commits (about 30 MB of frames, far past the kernel's socket buffers).
    for (let n = 1; n <= 400_000 && stream.size > 0; n++) {
      store.withTx(() => things.putTx('a', { n }));
      if (n % 1000 === 0) await new Promise((r) => setImmediate(r));
    }
    assert.equal(stream.size, 0, 'the stalled stream was cut');
  } finally {
    socket.destroy();
    stream.close();
    server.close();
    store.close();
  }
});
