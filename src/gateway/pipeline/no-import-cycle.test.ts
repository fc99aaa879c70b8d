// The gateway pipeline's modules must not import each other in a circle. A circle of value imports
// makes load order decide whether a binding is ready (the response steps used to be read lazily for
// that reason). Type-only imports are erased by tsc and cannot affect load order, so they are not
// edges here. Reads the sources (src/gateway/**), following relative imports inside src/gateway.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

// dist/src/gateway/pipeline/ → the repository's src/gateway/
const gatewayDir = resolve(dirname(fileURLToPath(import.meta.url)), '../../../../src/gateway');

function sources(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) sources(p, out);
    else if (name.endsWith('.ts') && !name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

const IMPORT = /^(?:import|export)\s+(type\s+)?(?:(\{[^}]*\}|[^'";]*?)\s+from\s+)?'(\.{1,2}\/[^']+)'/gm;

/** The relative modules a file imports for their values (not `import type`, not `{ type A }` only). */
function valueImports(file: string, text: string): string[] {
  const out: string[] = [];
  for (const m of text.matchAll(IMPORT)) {
    if (m[1]) continue;
    const names = m[2];
    if (names?.startsWith('{')) {
      const specs = names
        .slice(1, -1)
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      if (specs.length && specs.every((s) => s.startsWith('type '))) continue;
    }
    out.push(resolve(dirname(file), m[3]!.replace(/\.js$/, '.ts')));
  }
  return out;
}

function findCycle(graph: Map<string, string[]>): string[] | undefined {
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (f: string): string[] | undefined => {
    if (state.get(f) === 'done') return undefined;
    if (state.get(f) === 'open') return [...stack.slice(stack.indexOf(f)), f];
    state.set(f, 'open');
    stack.push(f);
    for (const g of graph.get(f) ?? []) {
      const c = visit(g);
      if (c) return c;
    }
    stack.pop();
    state.set(f, 'done');
    return undefined;
  };
  for (const f of graph.keys()) {
    const c = visit(f);
    if (c) return c;
  }
  return undefined;
}

test('the gateway pipeline has no import cycle', () => {
  assert.ok(existsSync(join(gatewayDir, 'pipeline')), `sources not found at ${gatewayDir}`);
  const graph = new Map<string, string[]>();
  for (const f of sources(gatewayDir))
    graph.set(
      f,
      valueImports(f, readFileSync(f, 'utf8')).filter((g) => g.startsWith(gatewayDir)),
    );
  const cycle = findCycle(graph);
  assert.equal(cycle, undefined, `import cycle: ${cycle?.map((f) => relative(gatewayDir, f)).join(' → ')}`);
});

test('the cycle check sees value imports and skips type-only ones', () => {
  const text = ["import type { A } from './a.js';", "import { type B } from './b.js';", "import { c, type C } from './c.js';", "import d from '../d.js';", "import './e.js';"].join(
    '\n',
  );
  assert.deepEqual(
    valueImports('/x/y/f.ts', text).map((f) => relative('/x', f)),
    ['y/c.ts', 'd.ts', 'y/e.ts'],
  );
});
