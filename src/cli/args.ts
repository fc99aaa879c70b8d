// A small argv parser for the CLI contract: `--flag value`, `--flag=value`, positionals, `--help`.
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string>;
  switches: Set<string>;
}

export class UsageError extends Error {}

/**
 * `valueFlags` take a value; `switchFlags` are booleans. Anything else is a usage error. A
 * `repeatable` flag given twice keeps both values, comma-joined; any other keeps the last.
 */
export function parseArgs(argv: string[], valueFlags: Set<string>, switchFlags: Set<string> = new Set(['--help', '-h']), repeatable: ReadonlySet<string> = new Set()): ParsedArgs {
  const out: ParsedArgs = { positionals: [], flags: new Map(), switches: new Set() };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (!arg.startsWith('-') || arg === '-') {
      out.positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    if (switchFlags.has(name)) {
      out.switches.add(name);
      continue;
    }
    if (!valueFlags.has(name)) throw new UsageError(`unknown option ${name}`);
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new UsageError(`${name} needs a value`);
    const prev = out.flags.get(name);
    out.flags.set(name, prev !== undefined && repeatable.has(name) ? `${prev},${value}` : value);
  }
  return out;
}
