// Which API mapping and which stage serve a request (docs/aws-behavior.md §3.1), as pure functions of
// the request path and the in-memory view: the data plane (edge-route.ts, pipeline/stage.ts) and the
// route explainer (explain.ts) both decide through these, so the explainer cannot drift from what is
// served. Dot segments are resolved here, before any choice (dot-segments.ts says why).
import { removeDotSegments } from './dot-segments.js';
import { safeDecode } from './router.js';

/** How the request named its API (set by the edge route before the pipeline runs). */
export type Arrival =
  | { via: 'host'; apiId: string; host: string; rawPath: string }
  | { via: 'path'; apiId: string; host: string; rawPath: string }
  | { via: 'domain'; host: string; apiId: string; stage: string; rawPath: string; basePath: string };

/** What a custom domain's API mapping needs to be matched (view.ts keeps them longest key first). */
export interface MappingLike {
  key: string;
  keySegments: readonly string[];
  apiId: string;
  stage: string;
}

export interface MappingMatch<M extends MappingLike> {
  mapping: M;
  /** The path after the mapping key (raw, dot segments resolved): the API-relative path. */
  rawPath: string;
}

/**
 * The first mapping (the view sorts them longest key first) whose key segments equal the path's
 * first segments once percent-decoded (`/v%31/pets` is under `v1`); the key is removed from the path.
 * `requestPath` is the path as sent, without the query. undefined: no mapping matches.
 */
export function matchMapping<M extends MappingLike>(mappings: readonly M[], requestPath: string): MappingMatch<M> | undefined {
  // The mapping is chosen on the resolved path: `/v1/../admin` is the root mapping's `/admin`.
  const path = removeDotSegments(requestPath || '/');
  const segs = path.split('/').filter(Boolean);
  for (const m of mappings) {
    if (m.keySegments.length > segs.length) continue;
    let ok = true;
    for (let i = 0; i < m.keySegments.length && ok; i++) ok = safeDecode(segs[i]!) === m.keySegments[i];
    if (!ok) continue;
    const rest = m.keySegments.length ? `/${segs.slice(m.keySegments.length).join('/')}` : path;
    return { mapping: m, rawPath: rest === '' ? '/' : rest };
  }
  return undefined;
}

export interface StagesLike<S> {
  stages: ReadonlyMap<string, S>;
  defaultStage: S | undefined;
}

export interface StageSelection<S> {
  /** undefined: no stage serves the request (404, and no access log line). */
  stage: S | undefined;
  /**
   * `named`: the first path segment names the stage; `default`: the `$default` stage serves the whole
   * path; `explicit-default`: the path form's `$default` segment names it; `mapping`: a custom domain's
   * API mapping names it.
   */
  how: 'named' | 'default' | 'explicit-default' | 'mapping';
  /** The first path segment as sent (`named`, `explicit-default`; '' when the path is `/`). */
  segment: string;
  /** The path routes match, without the stage (raw, percent-encoded, dot segments resolved). */
  path: string;
  /** `$context.path`: the path as the client sent it to this API (stage segment included). */
  contextPath: string;
}

function firstSegment(rawPath: string): string {
  const end = rawPath.indexOf('/', 1);
  return end < 0 ? rawPath.slice(1) : rawPath.slice(1, end);
}

function decodeSegment(s: string): string {
  if (!s.includes('%')) return s;
  if (s === '%24default') return '$default'; // the path form's usual spelling
  return safeDecode(s);
}

/**
 * The stage for an arrival: a named stage when the first path segment (percent-decoded) names one,
 * otherwise `$default` with the whole path; a custom domain's mapping names its stage. On the
 * execute-api host `$default` is a path segment like any other (`/$default/pets` is the `$default`
 * stage's `/$default/pets`); the path form (/_aws/execute-api/{apiId}/$default/…) uses it to name
 * the default stage explicitly.
 */
export function selectStage<S>(api: StagesLike<S>, arrival: Arrival): StageSelection<S> {
  // The API-relative path (after the path form's apiId or a domain's base path), dot segments
  // resolved once here: stage selection, route matching, `$context.path` and the path sent to the
  // integration all see the same path, so `/x/../admin` cannot match `$default` and reach `/admin`.
  const raw = removeDotSegments(arrival.rawPath);
  if (arrival.via === 'domain') return { stage: api.stages.get(arrival.stage), how: 'mapping', segment: '', path: raw, contextPath: raw };
  const seg = firstSegment(raw);
  const name = decodeSegment(seg);
  if (name === '$default' && arrival.via === 'path') {
    const path = raw.slice(seg.length + 1) || '/';
    return { stage: api.defaultStage, how: 'explicit-default', segment: seg, path, contextPath: path };
  }
  const named = name && name !== '$default' ? api.stages.get(name) : undefined;
  if (named) return { stage: named, how: 'named', segment: seg, path: raw.slice(seg.length + 1) || '/', contextPath: raw };
  return { stage: api.defaultStage, how: 'default', segment: seg, path: raw, contextPath: raw };
}
