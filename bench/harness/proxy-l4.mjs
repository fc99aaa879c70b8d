// Benchmark probe (harness config node-l4; the floor for any Node proxy, NOT a gateway): a 1:1 TCP
// splice in Node, no HTTP parsing, no routing, port 8096.
import net from 'node:net';
const UP = +(process.env.UPSTREAM_PORT || 8082);
net
  .createServer((c) => {
    c.setNoDelay(true);
    const u = net.connect(UP, '127.0.0.1');
    u.setNoDelay(true);
    c.pipe(u);
    u.pipe(c);
    c.on('error', () => u.destroy());
    u.on('error', () => c.destroy());
  })
  .listen(+(process.env.PORT || 8096), '127.0.0.1');
