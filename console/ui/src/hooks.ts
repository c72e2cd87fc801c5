import { useCallback, useEffect, useRef, useState } from 'preact/hooks';
import { ApiError } from './api';

export interface Loaded<T> { data?: T; error?: string; loading: boolean; reload: () => void }

/**
 * Runs `load` when `key` changes (and every `refreshMs` when given, without flashing the old
 * data away); keeps the last good data while a refresh is in flight.
 */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, key: string, refreshMs = 0): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: string; loading: boolean; key?: string }>({ loading: true });
  const [tick, setTick] = useState(0);
  const loadRef = useRef(load);
  loadRef.current = load;
  useEffect(() => {
    const ctl = new AbortController();
    setState((s) => ({ ...s, loading: true, ...(s.key !== key ? { data: undefined, error: undefined } : {}) }));
    loadRef.current(ctl.signal).then(
      (data) => { if (!ctl.signal.aborted) setState({ data, loading: false, key }); },
      (e: unknown) => {
        if (ctl.signal.aborted || (e as Error).name === 'AbortError') return;
        setState((s) => ({ data: s.key === key ? s.data : undefined, error: e instanceof ApiError ? e.message : String((e as Error).message || e), loading: false, key }));
      },
    );
    return () => ctl.abort();
  }, [key, tick]);
  useEffect(() => {
    if (!refreshMs) return;
    const id = setInterval(() => { if (document.visibilityState === 'visible') setTick((n) => n + 1); }, refreshMs);
    return () => clearInterval(id);
  }, [refreshMs, key]);
  return { data: state.key === key ? state.data : undefined, error: state.key === key ? state.error : undefined, loading: state.loading, reload: () => setTick((n) => n + 1) };
}

/** Re-renders every `ms` (for "elapsed" and "ago" figures). */
export function useTicker(ms: number): number {
  const [n, set] = useState(0);
  useEffect(() => { const id = setInterval(() => set((x) => x + 1), ms); return () => clearInterval(id); }, [ms]);
  return n;
}

/** The width of an element, kept up to date; the ref may move to another element. */
export function useWidth<T extends HTMLElement>(): [(el: T | null) => void, number] {
  const [w, setW] = useState(0);
  const ro = useRef<ResizeObserver | null>(null);
  const cur = useRef<T | null>(null);
  const ref = useCallback((el: T | null) => {
    if (el === cur.current) return;
    ro.current?.disconnect();
    cur.current = el;
    if (!el) return;
    setW(el.clientWidth);
    ro.current = new ResizeObserver(() => setW(el.clientWidth));
    ro.current.observe(el);
  }, []);
  useEffect(() => () => ro.current?.disconnect(), []);
  return [ref, w];
}
