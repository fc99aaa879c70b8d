import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { answersCode, COMMON_ERROR_CODES, EC2_ERROR_CODES, SERVICE_ERROR_CODES, WAYFINDER_ERROR_CODES } from './error-codes.js';
import { loadModel, SERVICE_NAMES, type Protocol, type ServiceName } from './model.js';
import { authError } from './serialize-error.js';
import { ServiceRegistry } from './services.js';
import type { AuthFailureKind } from './sigv4.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The service whose wire each product folder answers on. */
const PRODUCT_SERVICE: Record<string, ServiceName> = {
  cloudformation: 'cloudformation',
  cloudmap: 'servicediscovery',
  ec2: 'ec2',
  ecs: 'ecs',
  gateway: 'apigatewayv2',
  logs: 'logs',
  route53: 'route53',
};

/**
 * Throw sites whose code is not a literal, and why the compiler already holds them to the right list
 * (their literals are checked where they are written: the same files, or the throw sites they forward).
 */
const FORWARDED = new Map([
  ['src/ec2/operations/common.ts', 'requireAll takes an Ec2ErrorCode'],
  ['src/ec2/operations/tags.ts', 'a Taggable names its Ec2ErrorCode'],
  ['src/gateway/openapi-off-loop.ts', "the worker's AwsError, thrown by gateway code"],
  ['src/protocol/serialize-error.ts', 'authError maps to Ec2ErrorCode / CommonErrorCode (checked below)'],
  ['src/protocol/dispatch.ts', "each service's traits (checked below)"],
  ['src/protocol/invoke.ts', "each service's traits (checked below), as dispatch.ts"],
]);

const allCodes = new Set<string>([...COMMON_ERROR_CODES, ...WAYFINDER_ERROR_CODES, ...Object.values(SERVICE_ERROR_CODES).flat()]);

function sourceFiles(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, entry.name);
    if (entry.isDirectory()) {
      if (entry.name !== 'generated') out.push(...sourceFiles(p));
    } else if (entry.name.endsWith('.ts') && !entry.name.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

/** The text of the first argument of the call whose `(` is at `open`: up to the first top-level comma. */
function firstArgument(text: string, open: number): string {
  let depth = 0;
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i]!;
    if (c === "'" || c === '"' || c === '`') {
      i = text.indexOf(c, i + 1);
      if (i < 0) break;
    } else if (c === '(' || c === '[' || c === '{') depth++;
    else if (c === ')' || c === ']' || c === '}') {
      if (depth === 0) return text.slice(open + 1, i);
      depth--;
    } else if (c === ',' && depth === 0) return text.slice(open + 1, i);
  }
  return text.slice(open + 1);
}

interface ThrowSite {
  file: string;
  line: number;
  codes: string[];
}

/** Every `new AwsError(…)` in src, with the codes written as literals in its first argument. */
function throwSites(): ThrowSite[] {
  const sites: ThrowSite[] = [];
  for (const path of sourceFiles(join(root, 'src'))) {
    const text = readFileSync(path, 'utf8');
    for (let at = text.indexOf('new AwsError('); at >= 0; at = text.indexOf('new AwsError(', at + 1)) {
      const arg = firstArgument(text, at + 'new AwsError'.length);
      // Literals in the argument (`protocol === 'ec2' ? 'A' : 'B'` holds both codes); codes start upper-case.
      const codes = [...arg.matchAll(/'([^']*)'|"([^"]*)"/g)].map((m) => m[1] ?? m[2]!).filter((s) => /^[A-Z]/.test(s));
      sites.push({ file: relative(root, path), line: text.slice(0, at).split('\n').length, codes });
    }
  }
  return sites;
}

test('each generated list is exactly its model’s error codes (awsquery: the wire code); the EC2 model has none, so EC2’s list is written by hand', () => {
  for (const name of SERVICE_NAMES) {
    const model = loadModel(name);
    const wire = (s: string) => (model.metadata.protocol === 'query' ? (model.shapes[s]!.error?.code ?? s) : s);
    const modelled = [
      ...new Set(
        Object.keys(model.shapes)
          .filter((s) => model.shapes[s]!.exception)
          .map(wire),
      ),
    ].sort();
    if (name === 'ec2') {
      assert.deepEqual(modelled, [], 'the EC2 model now has error shapes: generate its list instead of EC2_ERROR_CODES');
      assert.equal(SERVICE_ERROR_CODES.ec2, EC2_ERROR_CODES);
    } else assert.deepEqual([...SERVICE_ERROR_CODES[name]].sort(), modelled, name);
  }
});

test('every code thrown in src is one its service answers (product folders) or one some service answers (layers)', () => {
  const sites = throwSites();
  assert.ok(sites.length > 100, `found only ${sites.length} throw sites: is the scan reading src?`);
  const wrong: string[] = [];
  for (const site of sites) {
    const where = `${site.file}:${site.line}`;
    if (!site.codes.length) {
      if (!FORWARDED.has(site.file)) wrong.push(`${where}: the code is not a literal; add the site to FORWARDED with why its type is the right list`);
      continue;
    }
    const product = site.file.split('/')[1]!;
    const service = PRODUCT_SERVICE[product];
    for (const code of site.codes) {
      if (service ? !answersCode(service, code) : !allCodes.has(code)) {
        wrong.push(`${where}: ${code} is not a code ${service ?? 'any service'} answers`);
      }
    }
  }
  assert.deepEqual(wrong, []);
});

test("each service's validation and serialization codes are its own or common", () => {
  for (const spec of new ServiceRegistry().all) {
    assert.ok(answersCode(spec.name, spec.traits.validationCode), `${spec.name} validation ${spec.traits.validationCode}`);
    assert.ok(answersCode(spec.name, spec.traits.serializationCode), `${spec.name} serialization ${spec.traits.serializationCode}`);
  }
});

test('authentication failures answer EC2 codes in the query protocol and common codes in the JSON protocols', () => {
  const kinds: AuthFailureKind[] = ['missing', 'incomplete', 'unknown-key', 'bad-signature', 'expired', 'bad-presign'];
  const protocols: Protocol[] = ['ec2', 'json', 'rest-json'];
  for (const protocol of protocols) {
    for (const kind of kinds) {
      const { code } = authError(protocol, kind, 'x');
      if (protocol === 'ec2') assert.ok(answersCode('ec2', code), `${protocol} ${kind}: ${code}`);
      else assert.ok((COMMON_ERROR_CODES as readonly string[]).includes(code), `${protocol} ${kind}: ${code}`);
    }
  }
});
