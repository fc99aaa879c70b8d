// Benchmark backend (harness): the plain node:http server every HTTP benchmark puts behind the proxies
// it measures (bench/harness/http.sh, bench/gateway-profile.sh). GET / → 200 "Serving flask app"
// (17 bytes, text/plain, keep-alive), nothing else. Usage: node bench/harness/backend.mjs [port=8082]
import http from 'node:http';

const port = Number(process.argv[2] || process.env.PORT || 8082);
const body = Buffer.from('Serving flask app');
const headers = { 'Content-Type': 'text/plain', 'Content-Length': body.length };
http
  .createServer((_req, res) => {
    res.writeHead(200, headers);
    res.end(body);
  })
  .listen(port, '127.0.0.1');
