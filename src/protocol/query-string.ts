// Query strings as SigV4 and the rest-json protocol read them: `%XX` decoded, `+` kept literal
// (SDKs always percent-encode spaces in URLs). Form bodies use URLSearchParams instead, where `+` is a space.

export type QueryMap = Map<string, string[]>;

/** `lenient`: skip pairs that do not decode (to classify a request before refusing it) instead of throwing. */
export function parseQuery(raw: string, lenient = false): QueryMap {
  const out: QueryMap = new Map();
  if (!raw) return out;
  for (const pair of raw.split('&')) {
    if (!pair) continue;
    const eq = pair.indexOf('=');
    const k = safeDecode(eq < 0 ? pair : pair.slice(0, eq));
    const v = safeDecode(eq < 0 ? '' : pair.slice(eq + 1));
    if (k === undefined || v === undefined) {
      if (lenient) continue;
      throw new MalformedQueryError(pair);
    }
    const list = out.get(k);
    if (list) list.push(v);
    else out.set(k, [v]);
  }
  return out;
}

export class MalformedQueryError extends Error {
  constructor(readonly pair: string) {
    super(`Malformed query string near '${pair.slice(0, 64)}'`);
  }
}

function safeDecode(s: string): string | undefined {
  try {
    return decodeURIComponent(s);
  } catch {
    return undefined;
  }
}

export function first(q: QueryMap, key: string): string | undefined {
  return q.get(key)?.[0];
}
