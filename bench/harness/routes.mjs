// Benchmark harness: the tiny prefix route table used by the Node proxy probes (proxy-undici.mjs,
// proxy-raw.mjs): 3 routes like every measured peer (nginx-proxy.conf, the gateway's API); the
// benchmark hits the catch-all '/'. Not product code.
const UP = Number(process.env.UPSTREAM_PORT || 8082);
const routes = [
  { prefix: '/api/users/', host: '127.0.0.1', port: UP },
  { prefix: '/api/orders/', host: '127.0.0.1', port: UP },
  { prefix: '/', host: '127.0.0.1', port: UP },
];
export function route(url) {
  for (let i = 0; i < routes.length; i++) if (url.startsWith(routes[i].prefix)) return routes[i];
  return null;
}
// RFC 9110 hop-by-hop headers (a full gateway would also drop names listed in Connection:).
export const HOP = new Set(['connection', 'keep-alive', 'proxy-connection', 'transfer-encoding', 'te', 'trailer', 'upgrade', 'proxy-authenticate', 'proxy-authorization']);
// rawHeaders ([k,v,k,v...]) → filtered flat array; strings or Buffers (undici dispatch gives Buffers).
export function filterRaw(raw) {
  const out = [];
  for (let i = 0; i < raw.length; i += 2) {
    const k = typeof raw[i] === 'string' ? raw[i] : raw[i].toString('latin1');
    if (HOP.has(k.toLowerCase())) continue;
    out.push(k, typeof raw[i + 1] === 'string' ? raw[i + 1] : raw[i + 1].toString('latin1'));
  }
  return out;
}
export function filterObj(h) {
  const out = {};
  for (const k in h) if (!HOP.has(k)) out[k] = h[k];
  return out;
}
// true if a request (raw headers) can carry a body
export function rawHasBody(raw) {
  for (let i = 0; i < raw.length; i += 2) {
    const k = raw[i];
    if (k.length === 14 && k.toLowerCase() === 'content-length') return raw[i + 1] !== '0';
    if (k.length === 17 && k.toLowerCase() === 'transfer-encoding') return true;
  }
  return false;
}
