import { useCallback, useEffect, useState } from 'preact/hooks';
import { api, errorText } from '../api.ts';

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: string | undefined;
  readonly loading: boolean;
  reload(): void;
}

/** GETs a path, again when it changes or on reload(); loading until the answer for this very path is in. */
export function useApi<T>(path: string | undefined): Loaded<T> {
  const [state, setState] = useState<{ data: T | undefined; error: string | undefined; for: string | undefined }>({ data: undefined, error: undefined, for: undefined });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (path === undefined) return undefined;
    let live = true;
    const key = `${tick}:${path}`;
    api<T>('GET', path).then(
      (data) => live && setState({ data, error: undefined, for: key }),
      (error: unknown) => live && setState((s) => ({ data: s.data, error: errorText(error), for: key })),
    );
    return () => {
      live = false;
    };
  }, [path, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { data: state.data, error: state.error, loading: path !== undefined && state.for !== `${tick}:${path}`, reload };
}
