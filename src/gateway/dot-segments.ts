// Dot-segment removal (RFC 3986 §5.2.4) for the API-relative request path, before stage and route
// selection. Without it `GET /x/../admin` matched the open `$default` route while the backend, which
// resolves dot segments itself, served `/admin`: a route's authorizer was bypassed through the path.
// A segment counts as `.` or `..` after decoding `%2e`/`%2E` (what backends and browsers do); every
// other percent-escape stays as the client wrote it (`%2F` is data inside a segment, not a slash).
// A raw backslash (never valid in a URI path, but llhttp lets it through) is a slash, as in the WHATWG
// URL parser that browsers and Node backends (`new URL(req.url, base)`) use: otherwise `/x/..\admin`
// would match `$default` here and be `/admin` there.

/** A segment that is `.` or `..` once `%2e` is decoded: 1 or 2 dots, nothing else. */
function dotCount(seg: string): number {
  const n = seg.length;
  if (n === 0 || n > 6) return 0;
  let dots = 0;
  for (let i = 0; i < n; ) {
    if (seg.charCodeAt(i) === 46 /* . */) {
      dots++;
      i++;
    } else if (seg.charCodeAt(i) === 37 /* % */ && seg.charCodeAt(i + 1) === 50 /* 2 */ && (seg.charCodeAt(i + 2) | 0x20) === 101 /* e */) {
      dots++;
      i += 3;
    } else return 0;
  }
  return dots <= 2 ? dots : 0;
}

/**
 * The path with `.` and `..` segments resolved; `..` never climbs above the root. A path ending in a
 * dot segment keeps a trailing slash, as RFC 3986 does (`/admin/.` → `/admin/`). Empty segments are
 * kept. A path with no segment starting with `.` or `%2e` is returned as it is (the common case,
 * `/file.json` included).
 */
export function removeDotSegments(rawPath: string): string {
  const path = rawPath.indexOf('\\') < 0 ? rawPath : rawPath.replaceAll('\\', '/');
  if (path.indexOf('/.') < 0 && !hasEncodedDotSegment(path)) return path;
  const segs = path.split('/');
  const out: string[] = [];
  let changed = false;
  let trailing = false;
  // segs[0] is what precedes the leading '/': '' for an origin-form path.
  for (let i = 1; i < segs.length; i++) {
    const seg = segs[i]!;
    const dots = dotCount(seg);
    trailing = dots > 0;
    if (dots === 0) out.push(seg);
    else {
      changed = true;
      if (dots === 2) out.pop();
    }
  }
  if (!changed) return path;
  const joined = `${segs[0]}/${out.join('/')}`;
  return trailing && out.length ? `${joined}/` : joined;
}

/** Whether some segment starts with `%2e` / `%2E`: the only other way a segment can be a dot segment. */
function hasEncodedDotSegment(path: string): boolean {
  for (let i = path.indexOf('/%2'); i >= 0; i = path.indexOf('/%2', i + 1)) {
    if ((path.charCodeAt(i + 3) | 0x20) === 101 /* e */) return true;
  }
  return false;
}
