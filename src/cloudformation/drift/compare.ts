// Drift comparison: a resource's expected properties (what the template set, resolved) against the
// live ones a reader returns. As AWS does, only what the template sets is compared, at every depth
// (a service's defaults are not drift). Names match case-insensitively, because the services answer
// in their own case (ECS's camelCase) while templates use PascalCase; scalars compare as text
// (a template's "7" is the service's 7); lists of scalars are sets; a list of objects matches when
// each expected item is found in it, and otherwise is compared item by item; Tags compare by key.

export type DifferenceType = 'ADD' | 'REMOVE' | 'NOT_EQUAL';

export interface PropertyDifference {
  PropertyPath: string;
  ExpectedValue: string;
  ActualValue: string;
  DifferenceType: DifferenceType;
}

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => !!v && typeof v === 'object' && !Array.isArray(v);
const isScalar = (v: unknown) => v === null || ['string', 'number', 'boolean'].includes(typeof v);
const text = (v: unknown): string => (v === undefined ? '' : typeof v === 'string' ? v : isScalar(v) ? String(v) : JSON.stringify(v));

/** A member of an object by a name in any case. */
export function member(o: Obj, name: string): unknown {
  if (name in o) return o[name];
  const lower = name.toLowerCase();
  for (const [k, v] of Object.entries(o)) if (k.toLowerCase() === lower) return v;
  return undefined;
}

/** A policy document as IAM returns it (URL-encoded JSON text) read as the object a template writes. */
function asDocument(v: unknown): unknown {
  if (typeof v !== 'string') return v;
  for (const candidate of [v, safeDecode(v)]) {
    try {
      const parsed = JSON.parse(candidate);
      if (isObj(parsed)) return parsed;
    } catch {
      // not JSON
    }
  }
  return v;
}

function safeDecode(v: string): string {
  try {
    return decodeURIComponent(v);
  } catch {
    return v;
  }
}

/** Tags as a key → value map, from a Key/Value list (either case) or a map. */
function tagMapOf(v: unknown): Record<string, string> | undefined {
  if (isObj(v)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, text(x)]));
  if (!Array.isArray(v)) return undefined;
  const out: Record<string, string> = {};
  for (const t of v) if (isObj(t)) out[text(member(t, 'Key'))] = text(member(t, 'Value'));
  return out;
}

/** Whether `actual` holds everything `expected` sets (the rule every comparison below follows). */
function matches(expected: unknown, actual: unknown): boolean {
  return diff(expected, actual, '').length === 0;
}

/** The differences between what a template sets and what the service has, with AWS's JSON-pointer-like paths. */
export function diff(expected: unknown, actual: unknown, path: string): PropertyDifference[] {
  if (expected === undefined) return [];
  if (actual === undefined || actual === null) return [{ PropertyPath: path, ExpectedValue: text(expected), ActualValue: 'null', DifferenceType: 'REMOVE' }];
  if (isObj(expected) && typeof actual === 'string') actual = asDocument(actual);
  if (isScalar(expected)) {
    if (isScalar(actual) && text(expected) === text(actual)) return [];
    return [{ PropertyPath: path, ExpectedValue: text(expected), ActualValue: text(actual), DifferenceType: 'NOT_EQUAL' }];
  }
  if (isObj(expected)) {
    if (!isObj(actual)) return [{ PropertyPath: path, ExpectedValue: text(expected), ActualValue: text(actual), DifferenceType: 'NOT_EQUAL' }];
    const out: PropertyDifference[] = [];
    for (const [k, v] of Object.entries(expected)) {
      const live = member(actual, k);
      if (k === 'Tags') out.push(...tagDiff(v, live, `${path}/Tags`));
      else out.push(...diff(v, live, `${path}/${k}`));
    }
    return out;
  }
  if (Array.isArray(expected)) {
    if (!Array.isArray(actual)) return [{ PropertyPath: path, ExpectedValue: text(expected), ActualValue: text(actual), DifferenceType: 'NOT_EQUAL' }];
    return listDiff(expected, actual, path);
  }
  return [];
}

function listDiff(expected: unknown[], actual: unknown[], path: string): PropertyDifference[] {
  const unused = actual.map((_, i) => i);
  const missing: number[] = [];
  for (const [i, e] of expected.entries()) {
    const at = unused.findIndex((j) => matches(e, actual[j]));
    if (at >= 0) unused.splice(at, 1);
    else missing.push(i);
  }
  if (!missing.length && !unused.length) return [];
  // Same length, objects: the same items changed in place; say which members differ.
  if (expected.length === actual.length && missing.length === unused.length && missing.every((i) => isObj(expected[i]))) {
    return missing.flatMap((i, n) => diff(expected[i], actual[unused[n]!], `${path}/${i}`));
  }
  return [
    ...missing.map((i) => ({ PropertyPath: `${path}/${i}`, ExpectedValue: text(expected[i]), ActualValue: 'null', DifferenceType: 'REMOVE' as const })),
    ...unused.map((j) => ({ PropertyPath: `${path}/${j}`, ExpectedValue: 'null', ActualValue: text(actual[j]), DifferenceType: 'ADD' as const })),
  ];
}

/** Tags: each tag the template sets must be there with its value; tags others add (aws:*) are not drift. */
function tagDiff(expected: unknown, actual: unknown, path: string): PropertyDifference[] {
  const want = tagMapOf(expected);
  if (!want) return diff(expected, actual, path);
  const have = tagMapOf(actual) ?? {};
  const out: PropertyDifference[] = [];
  for (const [k, v] of Object.entries(want)) {
    if (!(k in have)) out.push({ PropertyPath: `${path}/${k}`, ExpectedValue: v, ActualValue: 'null', DifferenceType: 'REMOVE' });
    else if (have[k] !== v) out.push({ PropertyPath: `${path}/${k}`, ExpectedValue: v, ActualValue: have[k]!, DifferenceType: 'NOT_EQUAL' });
  }
  return out;
}

/** The live properties shown as ActualProperties: the template's names, only those it sets and the reader has. */
export function actualShown(expected: Obj, actual: Obj): Obj {
  const out: Obj = {};
  for (const k of Object.keys(expected)) {
    const v = member(actual, k);
    if (v !== undefined) out[k] = v;
  }
  return out;
}

/** Compares a resource's properties: those the service returns, and the `readable` ones (their absence is drift). */
export function compareProperties(expected: Obj, actual: Obj, readable?: readonly string[]): PropertyDifference[] {
  const out: PropertyDifference[] = [];
  for (const [k, v] of Object.entries(expected)) {
    const live = member(actual, k);
    const known = live !== undefined || readable?.some((r) => r.toLowerCase() === k.toLowerCase());
    if (!known) continue;
    out.push(...(k === 'Tags' ? tagDiff(v, live, '/Tags') : diff(v, live, `/${k}`)));
  }
  return out;
}
