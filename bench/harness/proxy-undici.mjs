// Benchmark probe (harness config undici-dispatch and friends; not product code): a minimal reverse
// proxy, node:http server + undici Pool (pipelining: 1 = no pipelining, keep-alive on), port 8093.
// undici comes from the repository's own dependencies.
// MODE=request (pool.request + pipe) | stream (pool.stream into res) | dispatch (raw handler, raw headers)
//      | dispatch-buf (dispatch + coalesce small bodies into one res.end())
import http from 'node:http';
import { Pool } from 'undici';
import { route, filterRaw, filterObj, rawHasBody } from './routes.mjs';
const PORT = +(process.env.PORT || 8093);
const MODE = process.env.MODE || 'dispatch';
const pools = new Map();
function poolFor(up) {
  const key = up.host + ':' + up.port;
  let p = pools.get(key);
  if (!p) {
    p = new Pool('http://' + key, { connections: +(process.env.CONNS || 128), pipelining: 1 });
    pools.set(key, p);
  }
  return p;
}
function fail(res) {
  if (!res.headersSent) res.writeHead(502);
  res.end();
}

class Handler {
  // legacy undici handler API: gets raw header Buffers, no parsing, no Readable
  constructor(res) {
    this.res = res;
    this.resume = null;
  }
  onConnect(abort) {
    this.res.on('close', () => {
      if (!this.res.writableFinished) abort();
    });
  }
  onHeaders(statusCode, rawHeaders, resume) {
    this.resume = resume;
    this.res.writeHead(statusCode, filterRaw(rawHeaders));
    return true;
  }
  onData(chunk) {
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume);
    return false;
  }
  onComplete() {
    this.res.end();
  }
  onError() {
    fail(this.res);
  }
}

// dispatch-buf: same, but small bodies (<=64 KiB so far) are coalesced and sent with res.end() in one
// write (headers+body), larger ones fall back to streaming; no per-request 'close' listener.
class BufHandler {
  constructor(res) {
    this.res = res;
    this.chunks = null;
    this.size = 0;
    this.streaming = false;
    this.resume = null;
  }
  onConnect() {}
  onHeaders(statusCode, rawHeaders, resume) {
    this.resume = resume;
    this.res.writeHead(statusCode, filterRaw(rawHeaders));
    return true;
  }
  onData(chunk) {
    if (!this.streaming) {
      this.size += chunk.length;
      if (this.size <= 65536) {
        (this.chunks ||= []).push(chunk);
        return true;
      }
      this.streaming = true;
      for (const c of this.chunks || []) this.res.write(c);
      this.chunks = null;
    }
    if (this.res.write(chunk)) return true;
    this.res.once('drain', this.resume);
    return false;
  }
  onComplete() {
    const c = this.chunks;
    if (!c) this.res.end();
    else this.res.end(c.length === 1 ? c[0] : Buffer.concat(c));
  }
  onError() {
    fail(this.res);
  }
}

function onRequest(req, res) {
  const up = route(req.url);
  if (!up) {
    res.writeHead(404);
    res.end();
    return;
  }
  const pool = poolFor(up);
  const opts = { path: req.url, method: req.method, headers: filterRaw(req.rawHeaders), body: rawHasBody(req.rawHeaders) ? req : null };
  if (MODE === 'dispatch') {
    pool.dispatch(opts, new Handler(res));
    return;
  }
  if (MODE === 'dispatch-buf') {
    pool.dispatch(opts, new BufHandler(res));
    return;
  }
  if (MODE === 'stream') {
    opts.opaque = res;
    pool.stream(
      opts,
      ({ statusCode, headers, opaque }) => {
        opaque.writeHead(statusCode, filterObj(headers));
        return opaque;
      },
      (err) => {
        if (err) fail(res);
      },
    );
    return;
  }
  pool.request(opts).then(
    ({ statusCode, headers, body }) => {
      res.writeHead(statusCode, filterObj(headers));
      body.pipe(res);
    },
    () => fail(res),
  );
}
const server = http.createServer(onRequest);
server.keepAliveTimeout = 65000;
server.listen(PORT, '127.0.0.1');
