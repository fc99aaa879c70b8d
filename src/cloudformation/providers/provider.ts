// The one interface every resource type implements (docs/cloudformation.md §Providers). A provider
// turns a resource's resolved Properties into calls of the owning service's OWN operations
// (ctx.call → the same handler tables the wire reaches) and reads its attributes from their answers.
// The engine knows no resource type: it only sees this interface.
import type { ServiceName } from '../../protocol/model.js';

export interface Tag {
  Key: string;
  Value: string;
}

export interface ProviderContext {
  /** Calls an operation of a service in the stack's account and region. */
  call(service: ServiceName, operation: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  region: string;
  accountId: string;
  stackName: string;
  stackId: string;
  logicalId: string;
  /** The stack's tags, for taggable resources. */
  tags: Tag[];
  /**
   * The tags CloudFormation itself puts on the resources it creates: aws:cloudformation:stack-name,
   * stack-id and logical-id. Users cannot set `aws:` keys; `call` is granted exactly these
   * (src/kernel/system-tags.ts).
   */
  systemTags?: Tag[];
  /** A name CloudFormation would generate: `<stack>-<logical>-<RANDOM>`, at most maxLength characters. */
  generatedName(maxLength?: number): string;
  /** Waits (for providers that poll a service until the resource is ready). */
  sleep(ms: number): Promise<void>;
}

export interface Created {
  physicalId: string;
  /** Fn::GetAtt values, by attribute name. */
  attributes?: Record<string, unknown>;
}

export interface ResourceProvider {
  /** e.g. 'AWS::Logs::LogGroup'. */
  readonly type: string;
  /** The attributes Fn::GetAtt may name; one ending in `.*` names a family (a nested stack's `Outputs.*`). */
  readonly attributes: readonly string[];
  /** Properties whose change needs a new physical resource ('*' = any change). */
  readonly replaceOn: readonly string[];
  /**
   * Updated on every stack update even when its properties are unchanged (a nested stack: its template
   * at the same URL may have changed); its update decides whether anything is to be done.
   */
  updatesEveryTime?: boolean;
  /** The capability this resource needs, if any (IAM types). */
  capability?(props: Record<string, unknown>): 'CAPABILITY_IAM' | 'CAPABILITY_NAMED_IAM' | undefined;
  create(props: Record<string, unknown>, ctx: ProviderContext): Promise<Created>;
  /**
   * Waits until a just-created resource is ready (an ECS service steady, a VPC link available). Run
   * after the physical id is stored, so a restart while waiting still knows the resource exists.
   */
  stabilize?(physicalId: string, props: Record<string, unknown>, ctx: ProviderContext): Promise<Record<string, unknown> | undefined>;
  /** In-place update; absent means every change replaces. */
  update?(
    physicalId: string,
    props: Record<string, unknown>,
    old: Record<string, unknown>,
    ctx: ProviderContext,
  ): Promise<{ attributes?: Record<string, unknown>; physicalId?: string }>;
  /** Called when the stack's update has succeeded, before its cleanup (a nested stack finishes its own update then). */
  afterUpdate?(physicalId: string, ctx: ProviderContext): Promise<void>;
  /** Deletes; a resource that is already gone is not an error. */
  delete(physicalId: string, props: Record<string, unknown>, ctx: ProviderContext): Promise<void>;
}

/** Whether an error from a service means "there is no such resource" (a delete of it is then done). */
export function isNotFound(e: unknown): boolean {
  return /NotFound|NoSuchEntity/.test((e as { code?: string }).code ?? '');
}

/** Runs a delete, treating "not found" as done. */
export async function deleteIgnoringMissing(fn: () => Promise<unknown>): Promise<void> {
  try {
    await fn();
  } catch (e) {
    if (!isNotFound(e)) throw e;
  }
}

/** Copies the listed properties that are set. */
export function pick(props: Record<string, unknown>, names: readonly string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const n of names) if (props[n] !== undefined) out[n] = props[n];
  return out;
}

/** Template tags merged with the stack's (the template's win), then CloudFormation's system tags, as a Key/Value list. */
export function mergedTags(props: Record<string, unknown>, ctx: ProviderContext): Tag[] {
  const own = (props.Tags as Tag[] | undefined) ?? [];
  if (!Array.isArray(own) || own.some((t) => !t || typeof t !== 'object' || typeof t.Key !== 'string')) {
    const found = Array.isArray(own) ? 'JSONArray of other than Key/Value objects' : typeof own === 'object' ? 'JSONObject' : typeof own === 'string' ? 'String' : typeof own;
    throw new Error(`Properties validation failed for resource ${ctx.logicalId} with message: #/Tags: expected type: JSONArray of Key/Value objects, found: ${found}`);
  }
  const keys = new Set(own.map((t) => t.Key));
  const stack = ctx.tags.filter((t) => !keys.has(t.Key));
  for (const t of stack) keys.add(t.Key);
  return [...own, ...stack, ...(ctx.systemTags ?? []).filter((t) => !keys.has(t.Key))];
}

export const tagMap = (tags: Tag[]): Record<string, string> => Object.fromEntries(tags.map((t) => [t.Key, t.Value]));
