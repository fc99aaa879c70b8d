// CloudWatch Logs filter patterns, the term form: `ERROR` (contains), `"exact phrase"`, several terms
// (all must match), `?A ?B` (any), `-term` (must not contain). Matching is case-sensitive, as AWS.
// JSON (`{ $.x = … }`) and space-delimited (`[a, b]`) patterns are refused honestly.
import { AwsError } from '../kernel/errors.js';

export type Matcher = (message: string) => boolean;

function tokens(pattern: string): string[] {
  const out: string[] = [];
  const re = /(-|\?)?"((?:[^"\\]|\\.)*)"|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(pattern))) {
    if (m[2] !== undefined) out.push((m[1] ?? '') + '\u0000' + m[2].replace(/\\(.)/g, '$1'));
    else out.push(m[3]!);
  }
  return out;
}

export function compileFilterPattern(pattern: string | undefined): Matcher {
  const p = (pattern ?? '').trim();
  if (p === '' || p === '""') return () => true;
  if (p.startsWith('{') || p.startsWith('[')) {
    throw new AwsError(
      'InvalidParameterException',
      'Wayfinder supports term filter patterns only (terms, "phrases", ?any, -exclude); JSON and space-delimited patterns are not supported yet.',
    );
  }
  const all: string[] = [];
  const any: string[] = [];
  const none: string[] = [];
  for (const t of tokens(p)) {
    const quoted = t.includes('\u0000');
    const [prefix, body] = quoted ? (t.split('\u0000') as [string, string]) : t.startsWith('?') || t.startsWith('-') ? [t[0]!, t.slice(1)] : ['', t];
    if (body === '') continue;
    if (prefix === '?') any.push(body);
    else if (prefix === '-') none.push(body);
    else all.push(body);
  }
  return (message) => all.every((t) => message.includes(t)) && (any.length === 0 || any.some((t) => message.includes(t))) && !none.some((t) => message.includes(t));
}
