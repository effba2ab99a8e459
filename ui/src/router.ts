import { useEffect, useState } from 'preact/hooks';

export type Route =
  | { readonly page: 'workflows' }
  | { readonly page: 'workflow'; readonly name: string }
  | { readonly page: 'run'; readonly runId: string }
  | { readonly page: 'not-found'; readonly hash: string };

function decode(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

export function parseRoute(hash: string): Route {
  const path = hash.replace(/^#/, '').split('?', 1)[0] || '/';
  if (path === '/' || path === '') return { page: 'workflows' };
  const workflow = /^\/workflows\/([^/]+)$/.exec(path);
  const name = workflow && decode(workflow[1]!);
  if (name) return { page: 'workflow', name };
  const run = /^\/runs\/([^/]+)$/.exec(path);
  const runId = run && decode(run[1]!);
  if (runId) return { page: 'run', runId };
  return { page: 'not-found', hash };
}

export function useRoute(): Route {
  const [route, setRoute] = useState(() => parseRoute(location.hash));
  useEffect(() => {
    const update = () => setRoute(parseRoute(location.hash));
    addEventListener('hashchange', update);
    return () => removeEventListener('hashchange', update);
  }, []);
  return route;
}

export function navigate(hash: string): void {
  location.hash = hash;
}
