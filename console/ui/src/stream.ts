// One shared EventSource on /console/api/stream for the whole page: `trace`, `log` and `stats`
// events go to whoever subscribed; it opens on the first subscriber and closes on the last.
import { withAccessToken } from './auth';

type Handler = (data: unknown) => void;
const handlers: Record<string, Set<Handler>> = {};
let source: EventSource | null = null;
let count = 0;
let statusListeners = new Set<(open: boolean) => void>();
export let streamOpen = false;

function open() {
  source = new EventSource(withAccessToken('/console/api/stream'));
  for (const type of ['trace', 'log', 'stats']) {
    source.addEventListener(type, (e) => {
      let data: unknown;
      try { data = JSON.parse((e as MessageEvent).data); } catch { return; }
      handlers[type]?.forEach((h) => h(data));
    });
  }
  source.onopen = () => { streamOpen = true; statusListeners.forEach((l) => l(true)); };
  source.onerror = () => { streamOpen = false; statusListeners.forEach((l) => l(false)); };
}

export function subscribe(type: 'trace' | 'log' | 'stats', h: Handler): () => void {
  (handlers[type] ||= new Set()).add(h);
  if (count++ === 0) open();
  return () => {
    handlers[type].delete(h);
    if (--count === 0 && source) { source.close(); source = null; streamOpen = false; }
  };
}

export function onStreamStatus(l: (open: boolean) => void): () => void {
  statusListeners.add(l);
  return () => { statusListeners.delete(l); };
}
window.addEventListener('pagehide', () => { source?.close(); });
