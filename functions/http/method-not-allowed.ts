/**
 * 405 with `Allow` for a path that exists under other methods. Hono answers
 * any unmatched request with its not-found handler; this finds out whether
 * the path was known, from the same route templates the app registered.
 */
export interface RouteTemplate {
  readonly method: string;
  /** OpenAPI style: `/v1/runs/{runId}`. */
  readonly path: string;
}

function patternOf(path: string): RegExp {
  const source = path
    .split(/\{[^}]+\}/)
    .map((part) => part.replace(/[.*+?^$()|[\]\\]/g, '\\$&'))
    .join('[^/]+');
  return new RegExp(`^${source}/?$`);
}

/** The methods the path is served under, in route order, or none. HEAD goes with GET, as Hono serves it. */
export function allowedMethods(routes: readonly RouteTemplate[], path: string): string[] {
  const methods = new Set<string>();
  for (const route of routes) {
    if (!patternOf(route.path).test(path)) continue;
    methods.add(route.method.toUpperCase());
    if (route.method.toUpperCase() === 'GET') methods.add('HEAD');
  }
  return [...methods];
}
