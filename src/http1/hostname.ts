// The host part of a Host header value: what execute-api hosts, custom domains and
// $context.domainName compare and report.

/** Host without port, lower-cased (IPv6 literals keep their brackets). */
export function hostname(host: string): string {
  const h = host.toLowerCase();
  if (h.startsWith('[')) return h.slice(0, h.indexOf(']') + 1);
  const colon = h.indexOf(':');
  return colon < 0 ? h : h.slice(0, colon);
}
