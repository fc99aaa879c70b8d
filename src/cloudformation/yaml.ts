// Reading a YAML template: the short-form tags (!Ref, !Sub, !GetAtt a.b …) and unique map keys.
// yaml's own `uniqueKeys` check compares each key with every earlier one (a 24,000-key map took 14 s),
// so keys are checked here with a Set per map instead, in linear time. Used on the main thread for
// small bodies and in off-loop-worker.ts for large ones (yaml parses ~0.3 MB/s on a loaded machine).
import { createRequire } from 'node:module';
import type { Node, Tags } from 'yaml';

// yaml is required on the first YAML template, not at server start (~20 ms of a cold start; issue 16).
// readYaml is synchronous, hence require rather than import().
const requireYaml = createRequire(import.meta.url);
let yaml: typeof import('yaml') | undefined;

function splitGetAtt(s: string): string[] {
  const dot = s.indexOf('.');
  return dot < 0 ? [s] : [s.slice(0, dot), s.slice(dot + 1)];
}

/** The short-form tags: `!Name` → `{ "Fn::Name": … }` (`!Ref` → Ref, `!GetAtt a.b` → ["a", "b"]). */
const SHORT_FORMS = ['Base64', 'Cidr', 'FindInMap', 'GetAZs', 'ImportValue', 'Join', 'Select', 'Split', 'Sub', 'If', 'Equals', 'And', 'Or', 'Not', 'Length', 'ToJsonString'];
const YAML_TAGS: Tags = [
  { tag: '!Ref', resolve: (s: string) => ({ Ref: s }) },
  { tag: '!Condition', resolve: (s: string) => ({ Condition: s }) },
  { tag: '!GetAtt', resolve: (s: string) => ({ 'Fn::GetAtt': splitGetAtt(s) }) },
  { tag: '!GetAtt', collection: 'seq', resolve: (v) => ({ 'Fn::GetAtt': v.toJSON() }) },
  ...SHORT_FORMS.flatMap((name) => [
    { tag: `!${name}`, resolve: (s: string) => ({ [`Fn::${name}`]: s }) },
    { tag: `!${name}`, collection: 'seq' as const, resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }) },
    { tag: `!${name}`, collection: 'map' as const, resolve: (v: { toJSON(): unknown }) => ({ [`Fn::${name}`]: v.toJSON() }) },
  ]),
];

/** A YAML body's document; throws an Error whose message is CloudFormation's "YAML not well-formed. (line L, column C)". */
export function readYaml(body: string): unknown {
  yaml ??= requireYaml('yaml') as typeof import('yaml');
  const y = yaml;
  const lines = new y.LineCounter();
  const notWellFormed = (offset: number | undefined) => {
    const pos = offset === undefined ? undefined : lines.linePos(offset);
    return new Error(`YAML not well-formed.${pos ? ` (line ${pos.line}, column ${pos.col})` : ''}`);
  };
  let doc: import('yaml').Document.Parsed;
  try {
    doc = y.parseDocument(body, { customTags: YAML_TAGS, uniqueKeys: false, lineCounter: lines });
  } catch (e) {
    throw notWellFormed((e as { pos?: [number, number] }).pos?.[0]);
  }
  if (doc.errors.length) throw notWellFormed(doc.errors[0]!.pos[0]);
  // Unique keys, one Set per map (only scalar keys: a template's keys are names).
  let duplicate: number | undefined;
  y.visit(doc, {
    Map(_key, map) {
      const seen = new Set<unknown>();
      for (const pair of map.items) {
        const k = y.isScalar(pair.key) ? pair.key.value : pair.key;
        if (seen.has(k)) {
          duplicate = (pair.key as Node | null)?.range?.[0] ?? map.range?.[0];
          return y.visit.BREAK;
        }
        seen.add(k);
      }
      return undefined;
    },
  });
  if (duplicate !== undefined) throw notWellFormed(duplicate);
  try {
    return doc.toJS({ maxAliasCount: 100 });
  } catch (e) {
    throw notWellFormed((e as { pos?: [number, number] }).pos?.[0]);
  }
}
