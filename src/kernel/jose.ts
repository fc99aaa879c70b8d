// jose, loaded on first use: JWT authorizers, the built-in OIDC issuer and web identity need it, a
// server start does not (importing it costs ~40 ms of a cold start; issue 16, point 4).
type Jose = typeof import('jose');

let loading: Promise<Jose> | undefined;

export function loadJose(): Promise<Jose> {
  loading ??= import('jose');
  return loading;
}
