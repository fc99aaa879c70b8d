// The resource dependency graph: who refers to whom (Ref, Fn::GetAtt, Fn::Sub's ${X} and ${X.Y},
// DependsOn), checked as CloudFormation checks it (unresolved names, cycles), and the orders the engine
// walks: dependencies before dependents on create, dependents before dependencies on delete.
import { AwsError } from '../kernel/errors.js';
import { subReferences } from './intrinsics.js';
import { templateError, type Template } from './template.js';

export const PSEUDO_PARAMETERS = ['AWS::AccountId', 'AWS::NotificationARNs', 'AWS::NoValue', 'AWS::Partition', 'AWS::Region', 'AWS::StackId', 'AWS::StackName', 'AWS::URLSuffix'];

/** The names a value refers to (resources, parameters and pseudo parameters alike). */
export function references(value: unknown, out = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const v of value) references(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'Ref' && typeof v === 'string') out.add(v);
      else if (k === 'Fn::GetAtt') {
        const name = typeof v === 'string' ? v.split('.')[0] : Array.isArray(v) ? v[0] : undefined;
        if (typeof name === 'string') out.add(name);
        if (Array.isArray(v)) references(v.slice(1), out);
      } else if (k === 'Fn::Sub') {
        const [text, vars] = typeof v === 'string' ? [v, {}] : Array.isArray(v) ? [v[0], v[1] ?? {}] : [undefined, {}];
        if (typeof text === 'string') for (const r of subReferences(text)) if (!(vars && typeof vars === 'object' && r in vars)) out.add(r.split('.')[0]!);
        references(vars, out);
      } else references(v, out);
    }
  }
  return out;
}

/** Each resource → the resources it depends on. Throws AWS's messages for unknown names. */
export function dependencies(t: Template, include: (logicalId: string) => boolean = () => true): Map<string, Set<string>> {
  const resources = Object.keys(t.Resources).filter(include);
  const known = new Set(Object.keys(t.Resources));
  const unresolved = new Set<string>();
  const deps = new Map<string, Set<string>>();
  for (const id of resources) {
    const r = t.Resources[id]!;
    const d = new Set<string>();
    for (const name of references(r.Properties ?? {})) {
      if (known.has(name)) d.add(name);
      else if (!Object.hasOwn(t.Parameters, name) && !PSEUDO_PARAMETERS.includes(name)) unresolved.add(name);
    }
    const dependsOn = r.DependsOn === undefined ? [] : Array.isArray(r.DependsOn) ? r.DependsOn : [r.DependsOn];
    for (const name of dependsOn) {
      if (typeof name !== 'string') throw templateError(`DependsOn must be a string or list of strings.`);
      if (!known.has(name)) throw templateError(`Unresolved resource dependencies [${name}] in the Resources block of the template`);
      d.add(name);
    }
    for (const name of d) if (!include(name)) d.delete(name);
    deps.set(id, d);
  }
  for (const o of Object.values(t.Outputs)) {
    for (const name of references(o)) if (!known.has(name) && !Object.hasOwn(t.Parameters, name) && !PSEUDO_PARAMETERS.includes(name)) unresolved.add(name);
  }
  if (unresolved.size) throw templateError(`Unresolved resource dependencies [${[...unresolved].join(', ')}] in the Resources block of the template`);
  const cycle = findCycle(deps);
  if (cycle) throw new AwsError('ValidationError', `Circular dependency between resources: [${cycle.join(', ')}]`);
  return deps;
}

/** The resources on some cycle, or undefined (Tarjan-free: repeatedly peel off nodes with no pending deps). */
export function findCycle(deps: Map<string, Set<string>>): string[] | undefined {
  const remaining = new Map([...deps].map(([k, v]) => [k, new Set([...v].filter((d) => deps.has(d)))]));
  let progress = true;
  while (progress) {
    progress = false;
    for (const [id, d] of remaining) {
      if ([...d].every((x) => !remaining.has(x))) {
        remaining.delete(id);
        progress = true;
      }
    }
  }
  return remaining.size ? [...remaining.keys()].sort() : undefined;
}

/** A creation order: each resource after everything it depends on (ties in template order). */
export function creationOrder(deps: Map<string, Set<string>>): string[] {
  const order: string[] = [];
  const placed = new Set<string>();
  while (order.length < deps.size) {
    const before = order.length;
    for (const [id, d] of deps) {
      if (!placed.has(id) && [...d].every((x) => placed.has(x) || !deps.has(x))) {
        order.push(id);
        placed.add(id);
      }
    }
    if (order.length === before) throw new Error('cycle in a checked graph');
  }
  return order;
}

/**
 * Runs `work` for every node, as many at once as the graph allows: a node starts when each node it
 * `waitsFor` has finished. After the first failure no new node starts; those running finish. Returns
 * the failures (empty when everything succeeded) and the nodes that never started.
 */
export async function runGraph(
  nodes: string[],
  waitsFor: (id: string) => Iterable<string>,
  work: (id: string) => Promise<void>,
): Promise<{ failed: Array<{ id: string; error: unknown }>; skipped: string[] }> {
  const done = new Set<string>();
  const started = new Set<string>();
  const failed: Array<{ id: string; error: unknown }> = [];
  const nodeSet = new Set(nodes);
  const running = new Map<string, Promise<void>>();
  for (;;) {
    if (!failed.length) {
      for (const id of nodes) {
        if (started.has(id)) continue;
        if ([...waitsFor(id)].every((d) => done.has(d) || !nodeSet.has(d))) {
          started.add(id);
          running.set(
            id,
            work(id).then(
              () => {
                done.add(id);
                running.delete(id);
              },
              (error: unknown) => {
                failed.push({ id, error });
                running.delete(id);
              },
            ),
          );
        }
      }
    }
    if (!running.size) break;
    await Promise.race(running.values());
  }
  return { failed, skipped: nodes.filter((n) => !started.has(n)) };
}
