import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import './styles.css';
import { api, type StoreStats } from './api';
import { fmtBytes, fmtCount, fmtPct, fmtTime } from './format';
import { useLocation } from './router';
import { subscribe } from './stream';
import { isTokenRequired, onTokenRequired, setToken, token } from './auth';
import { TracesPage } from './pages/Traces';
import { TracePage } from './pages/Trace';
import { ComparePage } from './pages/Compare';
import { LogsPage } from './pages/Logs';
import { RunningPage } from './pages/Running';
import { AlertsPage } from './pages/Alerts';
import { AuditPage } from './pages/Audit';
import { Empty, Loading } from './components/ui';
import type { FunctionComponent } from 'preact';

// The map (dagre) and the dashboards (uPlot) load on first use: the trace pages do not pay for them.
const loaded: Record<string, FunctionComponent> = {};
function Lazy({ name, load }: { name: string; load: () => Promise<Record<string, unknown>> }) {
  const [C, setC] = useState<FunctionComponent | undefined>(() => loaded[name]);
  const [error, setError] = useState<string>();
  useEffect(() => {
    if (C) return;
    load().then((m) => { loaded[name] = m[name] as FunctionComponent; setC(() => loaded[name]); }, (e) => setError(String(e.message || e)));
  }, [name]);
  if (error) return <div class="error-box">Could not load this page's code: {error}. Reload the page (the tome binary may have been updated).</div>;
  return C ? <C /> : <Loading />;
}
const NetworkPage = () => <Lazy name="NetworkPage" load={() => import('./pages/Network')} />;
const DashboardsPage = () => <Lazy name="DashboardsPage" load={() => import('./pages/Dashboards')} />;

const NAV: [string, string][] = [
  ['/', 'Network'],
  ['/traces', 'Traces'],
  ['/logs', 'Logs'],
  ['/dashboards', 'Dashboards'],
  ['/running', 'Running now'],
  ['/alerts', 'Alerts'],
  ['/audit', 'Audit'],
];

function StoreStatus() {
  const [stats, setStats] = useState<StoreStats | undefined>();
  const [error, setError] = useState<string | undefined>();
  useEffect(() => {
    const ctl = new AbortController();
    let last = 0;
    let off = () => {};
    let id = 0;
    const poll = () => api<StoreStats>('stats', {}, ctl.signal).then((s) => { setStats(s); setError(undefined); }, (e) => { if (e.name !== 'AbortError') setError(e.message); });
    const start = () => {
      poll();
      // The stream sends stats every 5 s; poll when it is quiet (a proxy that buffers SSE, a reconnect).
      off = subscribe('stats', (s) => { last = Date.now(); setStats(s as StoreStats); setError(undefined); });
      id = setInterval(() => { if (Date.now() - last > 12_000 && document.visibilityState === 'visible') poll(); }, 12_000) as unknown as number;
    };
    // A trace page opened directly gets the network and the main thread to itself first.
    const delay = /^\/traces\/./.test(location.pathname) ? setTimeout(start, 1200) : (start(), 0);
    return () => { clearTimeout(delay); ctl.abort(); off(); clearInterval(id); };
  }, []);
  if (error && !stats) return <div class="store store-error" title={error}>store: unavailable</div>;
  if (!stats) return <div class="store" />;
  const used = stats.budgetBytes ? stats.usedBytes / stats.budgetBytes : 0;
  const detail = Object.entries(stats.signals)
    .map(([k, s]) => `${k}: ${fmtBytes(s.bytes)} of ${fmtBytes(s.budgetBytes)}, ${fmtCount(s.items)} items`)
    .join('\n');
  return (
    <div class="store" data-testid="store-status">
      {stats.tracesEvicted > 0 && (
        <a class="evicted" href="/dashboards#telemetry" data-testid="eviction-notice"
          title={`The store keeps at most ${fmtBytes(stats.budgetBytes)}; the oldest data is evicted to make room for new data. Ingest goes on: nothing was lost on the way in.`}>
          {fmtCount(stats.tracesEvicted)} traces evicted since {fmtTime(stats.evictedSinceUs, false)}
        </a>
      )}
      <a class="store-meter" href="/dashboards#telemetry" title={`Store: ${fmtBytes(stats.usedBytes)} of ${fmtBytes(stats.budgetBytes)}\n${detail}`}>
        <span class="store-label">store</span>
        <span class="meter"><span class={`meter-fill ${used > 0.9 ? 'hot' : used > 0.7 ? 'warm' : ''}`} style={{ width: `${Math.min(100, used * 100)}%` }} /></span>
        <span class="store-num">{fmtPct(used)} of {fmtBytes(stats.budgetBytes)}</span>
      </a>
    </div>
  );
}

// Shown when the server answered 401: it has tokens (security.tokens) and this tab has none or a
// wrong one. The token is kept for this tab only and the page reloads with it.
function SignIn() {
  const [shown, setShown] = useState(isTokenRequired());
  const [value, setValue] = useState('');
  useEffect(() => onTokenRequired(() => setShown(true)), []);
  if (!shown) return null;
  const had = token() !== '';
  return (
    <div class="signin-backdrop" data-testid="signin">
      <form class="signin" onSubmit={(e) => { e.preventDefault(); if (value.trim()) { setToken(value.trim()); location.reload(); } }}>
        <h2>Token needed</h2>
        <p>{had ? 'The server refused this tab\'s token, or the token lacks the scope this page needs.' : 'This tome server only answers requests that carry one of its tokens.'}
          {' '}Paste a token with the <code>read</code> scope (from <code>security.tokens</code> in the server's config).</p>
        <input type="password" autocomplete="off" aria-label="Token" placeholder="token" value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)} autoFocus />
        <button type="submit" disabled={!value.trim()}>Sign in</button>
        <p class="signin-note">Kept in this browser tab only (session storage), sent as <code>Authorization: Bearer</code>.</p>
      </form>
    </div>
  );
}

function Page({ path }: { path: string }) {
  let m: RegExpExecArray | null;
  if (path === '/' || path === '/network') return <NetworkPage />;
  if (path === '/traces' || path === '/traces/') return <TracesPage />;
  if ((m = /^\/traces\/([0-9a-zA-Z]+)\/?$/.exec(path))) return <TracePage traceId={m[1].toLowerCase()} />;
  if ((m = /^\/compare\/([0-9a-zA-Z]+)\/([0-9a-zA-Z]+)\/?$/.exec(path))) return <ComparePage a={m[1].toLowerCase()} b={m[2].toLowerCase()} />;
  if (path === '/logs') return <LogsPage />;
  if (path === '/dashboards') return <DashboardsPage />;
  if (path === '/running') return <RunningPage />;
  if (path === '/alerts') return <AlertsPage />;
  if (path === '/audit') return <AuditPage />;
  return <Empty title="No such page">The console has <a href="/">the network</a>, <a href="/traces">traces</a>, <a href="/logs">logs</a> and <a href="/dashboards">dashboards</a>.</Empty>;
}

function App() {
  const { path } = useLocation();
  const section = path === '/' ? '/' : '/' + path.split('/')[1];
  useEffect(() => {
    const name = NAV.find(([p]) => p === section)?.[1] || (section === '/compare' ? 'Compare' : '');
    document.title = name ? `${name} · tome console` : 'tome console';
  }, [section]);
  return (
    <div class="shell">
      <header class="topbar">
        <a class="brand" href="/"><span class="brand-mark">t</span>tome <span class="brand-sub">console</span></a>
        <nav class="nav">
          {NAV.map(([p, label]) => (
            <a key={p} href={p} class={section === p || (p === '/traces' && section === '/compare') ? 'active' : ''}>{label}</a>
          ))}
        </nav>
        <StoreStatus />
      </header>
      <main class="content">
        <Page path={path} />
      </main>
      <SignIn />
    </div>
  );
}

render(<App />, document.getElementById('app')!);
