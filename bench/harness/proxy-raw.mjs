// Benchmark probe (harness config node-raw-proto; a ceiling probe, not product code), port 8097:
// an HTTP/1.1 reverse proxy on node:net with a hand-written head parser, no node:http objects, no
// streams. Per client connection one request in flight (client pipelining is queued). Supports
// Content-Length bodies only (chunked request -> 501; chunked or close-delimited responses are not
// handled). Same route table + hop-by-hop filtering as the others (routes.mjs).
import net from 'node:net';
import { route, HOP } from './routes.mjs';
const PORT = +(process.env.PORT || 8097);
const MAX_HEAD = 16384;
const idle = new Map(); // "host:port" -> [sockets]

function parseHead(str) {
  // -> { first, headers: [name, value, lname][], clen, chunked, close }
  const lines = str.split('\r\n');
  const out = { first: lines[0], kept: '', clen: 0, chunked: false, close: false };
  for (let i = 1; i < lines.length; i++) {
    const l = lines[i];
    const c = l.indexOf(':');
    if (c <= 0) continue;
    const name = l.slice(0, c);
    const lname = name.toLowerCase();
    const v = l.slice(c + 1).trim();
    if (lname === 'content-length') out.clen = +v;
    else if (lname === 'transfer-encoding') {
      out.chunked = true;
      continue;
    } else if (lname === 'connection' && v.toLowerCase() === 'close') out.close = true;
    if (HOP.has(lname)) continue;
    out.kept += name + ': ' + v + '\r\n';
  }
  return out;
}

function takeUpstream(up) {
  const key = up.host + ':' + up.port;
  const list = idle.get(key);
  while (list?.length) {
    const s = list.pop();
    if (!s.destroyed) return s;
  }
  const s = net.connect(up.port, up.host);
  s.setNoDelay(true);
  s.key = key;
  s.cur = null;
  s.buf = null;
  s.on('data', (d) => onUpstreamData(s, d));
  s.on('error', () => {});
  s.on('close', () => {
    const r = s.cur;
    s.cur = null;
    if (r) fail(r.client, 502);
  });
  return s;
}
function releaseUpstream(s) {
  let l = idle.get(s.key);
  if (!l) idle.set(s.key, (l = []));
  l.push(s);
}

function fail(client, code) {
  if (client.destroyed) return;
  client.end(`HTTP/1.1 ${code} ${code === 502 ? 'Bad Gateway' : 'Error'}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n`);
}

function onUpstreamData(s, d) {
  const r = s.cur;
  if (!r) {
    s.destroy();
    return;
  }
  if (r.left < 0) {
    // still reading the response head
    s.buf = s.buf ? Buffer.concat([s.buf, d]) : d;
    const idx = s.buf.indexOf('\r\n\r\n');
    if (idx < 0) {
      if (s.buf.length > MAX_HEAD) s.destroy();
      return;
    }
    const h = parseHead(s.buf.latin1Slice(0, idx));
    if (h.chunked) {
      s.destroy();
      return;
    } // prototype limit
    r.left = h.clen;
    const rest = s.buf.subarray(idx + 4);
    s.buf = null;
    const head = h.first + '\r\n' + h.kept + '\r\n';
    const now = rest.length <= r.left ? rest : rest.subarray(0, r.left);
    r.left -= now.length;
    if (now.length) {
      r.client.cork();
      r.client.write(head, 'latin1');
      r.client.write(now);
      r.client.uncork();
    } else r.client.write(head, 'latin1');
  } else {
    const now = d.length <= r.left ? d : d.subarray(0, r.left);
    r.left -= now.length;
    r.client.write(now);
  }
  if (r.left === 0) {
    s.cur = null;
    releaseUpstream(s);
    done(r.client);
  }
}

function done(client) {
  client.busy = false;
  if (client.closeAfter) client.end();
  else if (client.buf) tryRequest(client);
}

function tryRequest(c) {
  if (c.busy || !c.buf) return;
  const idx = c.buf.indexOf('\r\n\r\n');
  if (idx < 0) {
    if (c.buf.length > MAX_HEAD) fail(c, 431);
    return;
  }
  const h = parseHead(c.buf.latin1Slice(0, idx));
  if (h.chunked) {
    fail(c, 501);
    return;
  }
  const total = idx + 4 + h.clen;
  if (c.buf.length < total) return; // wait for the whole (small) body
  const body = h.clen ? c.buf.subarray(idx + 4, total) : null;
  c.buf = c.buf.length > total ? c.buf.subarray(total) : null;
  const sp1 = h.first.indexOf(' '),
    sp2 = h.first.indexOf(' ', sp1 + 1);
  const path = h.first.slice(sp1 + 1, sp2);
  const up = route(path);
  if (!up) {
    fail(c, 404);
    return;
  }
  c.busy = true;
  c.closeAfter = h.close;
  const u = takeUpstream(up);
  u.cur = { client: c, left: -1 };
  const head = h.first.slice(0, sp2) + ' HTTP/1.1\r\n' + h.kept + '\r\n';
  if (body) {
    u.cork();
    u.write(head, 'latin1');
    u.write(body);
    u.uncork();
  } else u.write(head, 'latin1');
}

net
  .createServer((c) => {
    c.setNoDelay(true);
    c.buf = null;
    c.busy = false;
    c.on('data', (d) => {
      c.buf = c.buf ? Buffer.concat([c.buf, d]) : d;
      tryRequest(c);
    });
    c.on('error', () => {});
  })
  .listen(PORT, '127.0.0.1');
