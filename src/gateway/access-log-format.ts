// Access log formats (docs/aws-behavior.md §3.11): one line of static text and `$context.*` variables, compiled once
// per stage; rendered per request only when the stage has access logging on.

export type FormatPart = { text: string } | { variable: string };

export class FormatError extends Error {}

export const MAX_FORMAT_BYTES = 3 * 1024;

/** Throws FormatError with a message fit for a 400. */
export function validateFormat(format: string): void {
  if (Buffer.byteLength(format) > MAX_FORMAT_BYTES) throw new FormatError(`Access log format exceeds the maximum size of ${MAX_FORMAT_BYTES} bytes.`);
  if (/[\r\n]/.test(format)) throw new FormatError('Access log format must be a single line.');
  const vars = compileFormat(format)
    .filter((p): p is { variable: string } => 'variable' in p)
    .map((p) => p.variable);
  if (!vars.includes('requestId') && !vars.includes('extendedRequestId')) {
    throw new FormatError('The access log format must include at least $context.requestId or $context.extendedRequestId.');
  }
}

export function compileFormat(format: string): FormatPart[] {
  const parts: FormatPart[] = [];
  const re = /\$\{?context\.([A-Za-z0-9_.:-]+)\}?/g;
  let last = 0;
  for (let m = re.exec(format); m; m = re.exec(format)) {
    let name = m[1]!;
    let end = m.index + m[0].length;
    const braced = m[0].startsWith('${');
    if (braced && !m[0].endsWith('}')) continue;
    if (!braced && m[0].endsWith('}')) end--; // a literal '}' after a bare variable (JSON formats)
    // A sentence-ending '.' or ':' is text, not part of the name.
    const trimmed = braced ? name : name.replace(/[.:-]+$/, '');
    end -= name.length - trimmed.length;
    name = trimmed;
    if (m.index > last) parts.push({ text: format.slice(last, m.index) });
    parts.push({ variable: name });
    last = end;
    re.lastIndex = end;
  }
  if (last < format.length) parts.push({ text: format.slice(last) });
  return parts;
}
