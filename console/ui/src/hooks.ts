import type { RefObject } from 'preact';
import { useEffect, useRef, useState } from 'preact/hooks';
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

/** The width of an element, kept up to date. */
export function useWidth<T extends HTMLElement>(): [RefObject<T>, number] {
  const ref = useRef<T>(null);
  const [w, setW] = useState(0);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    setW(el.clientWidth);
    const ro = new ResizeObserver(() => setW(el.clientWidth));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, w];
}
