// A tiny history router: the path and query are the state of every page, so every view reloads
// and shares as a URL. Links are plain <a href>; a document click handler keeps them in-app.
import { useEffect, useState } from 'preact/hooks';

type Listener = () => void;
const listeners = new Set<Listener>();
const notify = () => listeners.forEach((l) => l());

export function navigate(url: string, { replace = false } = {}): void {
  const cur = location.pathname + location.search + location.hash;
  if (url === cur) return;
  if (replace) history.replaceState(null, '', url); else history.pushState(null, '', url);
  notify();
  if (!replace) window.scrollTo(0, 0);
}

/** Sets (replaces) the query of the current page, keeping the path. */
export function setQuery(params: URLSearchParams, { push = false } = {}): void {
  const s = params.toString();
  navigate(location.pathname + (s ? `?${s}` : ''), { replace: !push });
}

export function useLocation(): { path: string; query: URLSearchParams } {
  const [, set] = useState(0);
  useEffect(() => {
    const l = () => set((n) => n + 1);
    listeners.add(l);
    return () => { listeners.delete(l); };
  }, []);
  return { path: location.pathname, query: new URLSearchParams(location.search) };
}

window.addEventListener('popstate', notify);
document.addEventListener('click', (e) => {
  if (e.defaultPrevented || e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
  const a = (e.target as Element | null)?.closest?.('a');
  if (!a || a.target || a.hasAttribute('download')) return;
  const href = a.getAttribute('href');
  if (!href || !href.startsWith('/') || href.startsWith('//') || href.startsWith('/console/api') || href.startsWith('/jaeger')) return;
  e.preventDefault();
  navigate(href);
});
