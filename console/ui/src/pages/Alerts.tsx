// `/alerts` — the alert rules the console evaluates (GET /api/alerts): state, value against the
// threshold or baseline, since when, root-cause hint, the traces of the firing window, recent
// transitions; anomalies found by the baselines; notification counts; and, under `tome demo`,
// the faults injected into the workload (GET/PUT /api/demo/faults). `?alert=NAME` (the link in
// notifications) opens that rule.
import { useEffect, useState } from 'preact/hooks';
import { query } from '../api';
import { fmtAgo, fmtTime } from '../format';
import { useLoad } from '../hooks';
import { useLocation } from '../router';
import { Empty, ErrorBox, Loading, Panel, Stat } from '../components/ui';
import { authHeaders, tokenRequired } from '../auth';

interface RootCause { text: string; service: string; operation: string; tome: string; before: number; after: number; errors: boolean; affectedTraces: number; baselineTraces: number; examples: string[] }
interface Rule {
  name: string; state: 'inactive' | 'pending' | 'firing'; expression: string; windowMs: number; forMs: number;
  labels: Record<string, string>; annotations: Record<string, string>; flapping: boolean; value: number | null;
  op?: string; threshold?: number; baseline?: { spanMs: number; mads: number; minRatio: number; median?: number; mad?: number };
  activeSinceUs?: number; firingSinceUs?: number; resolvedAtUs?: number; lastEvaluationUs?: number; noData?: string;
  rootCause?: RootCause; traces: Record<string, unknown>; history: { state: string; atUs: number; value: number | null }[];
}
interface Anomaly { target: string; kind: string; value: number; median: number; mad: number; sinceUs: number; untilUs?: number }
interface AlertsState {
  evaluationIntervalMs: number; rules: Rule[]; anomalies: Anomaly[];
  notifications: { alertmanager: string; webhooks: string[]; sent: number; retried: number; failed: number; dropped: number; lastError: string };
}

async function getJson<T>(url: string, signal: AbortSignal): Promise<T> {
  const res = await fetch(url, { signal, headers: authHeaders({ accept: 'application/json' }) });
  if (res.status === 401) tokenRequired();
  const body = await res.json().catch(() => undefined);
  if (!res.ok) throw new Error(body?.error?.message || `${res.status} ${res.statusText}`);
  return (body?.data ?? body) as T;
}

const num = (v: number | null | undefined) => (v === null || v === undefined ? '–' : Number.isInteger(v) ? String(v) : Math.abs(v) >= 100 ? v.toFixed(0) : Math.abs(v) >= 1 ? v.toFixed(2) : String(Number(v.toPrecision(3))));
const dur = (ms: number) => (ms % 60000 === 0 ? `${ms / 60000}m` : ms % 1000 === 0 ? `${ms / 1000}s` : `${ms}ms`);

function tracesHref(t: Record<string, unknown>): string {
  const { attr, ...rest } = t as { attr?: string[] } & Record<string, string | number | boolean>;
  return `/traces${query({ ...rest, attr })}`;
}

function RuleCard({ rule, open }: { rule: Rule; open: boolean }) {
  const severity = rule.labels.severity;
  const condition = rule.baseline
    ? `above its baseline (median${rule.baseline.median === undefined ? '' : ` ${num(rule.baseline.median)}`} + ${rule.baseline.mads} MADs, ≥ ${rule.baseline.minRatio}× median; trailing ${dur(rule.baseline.spanMs)})`
    : `${rule.op} ${num(rule.threshold)}`;
  return (
    <div class={`alert-rule state-${rule.state}${open ? ' open' : ''}`} id={`alert-${rule.name}`} data-testid="alert-rule" data-name={rule.name} data-state={rule.state}>
      <div class="alert-head">
        <span class={`alert-state ${rule.state}`}>{rule.state}</span>
        <b class="alert-name">{rule.name}</b>
        {severity && <span class={`tag sev-${severity}`}>{severity}</span>}
        {rule.flapping && <span class="tag warn" title="resolved three times in ten minutes">flapping</span>}
        <span class="spacer" />
        <span class="muted small">{rule.firingSinceUs ? `firing since ${fmtTime(rule.firingSinceUs, false)} (${fmtAgo(rule.firingSinceUs)})` : rule.activeSinceUs ? `pending since ${fmtAgo(rule.activeSinceUs)}` : rule.resolvedAtUs ? `resolved ${fmtAgo(rule.resolvedAtUs)}` : 'quiet'}</span>
      </div>
      {rule.annotations.summary && <div class="alert-summary">{rule.annotations.summary}</div>}
      <div class="alert-expr mono small">{rule.expression} <b>{condition}</b> over {dur(rule.windowMs)}{rule.forMs ? `, for ${dur(rule.forMs)}` : ''}</div>
      <div class="alert-value">value <b data-testid="alert-value">{num(rule.value)}</b>{rule.noData && <span class="muted small"> · {rule.noData}</span>}</div>
      {rule.state !== 'inactive' && rule.annotations.description && <div class="small">{rule.annotations.description}</div>}
      {rule.rootCause && (
        <div class="alert-cause" data-testid="root-cause">
          <b>Likely cause:</b> {rule.rootCause.text}
          <span class="muted small"> · {rule.rootCause.affectedTraces} affected traces compared with {rule.rootCause.baselineTraces} before</span>
          {rule.rootCause.examples.length > 0 && (
            <div class="small">examples: {rule.rootCause.examples.map((id) => <a key={id} class="mono" href={`/traces/${id}`}>{id.slice(0, 8)} </a>)}</div>
          )}
        </div>
      )}
      <div class="alert-links small">
        <a href={tracesHref(rule.traces)} data-testid="alert-traces">traces of this window →</a>
        {rule.history.length > 0 && (
          <span class="muted"> · recent: {rule.history.slice(0, 6).map((h, i) => <span key={i} class={`hist ${h.state}`}>{h.state} {fmtAgo(h.atUs)}{i < Math.min(5, rule.history.length - 1) ? ', ' : ''}</span>)}</span>
        )}
      </div>
    </div>
  );
}

function DemoFaults() {
  const [faults, setFaults] = useState<Record<string, string> | null | undefined>(undefined);
  const [text, setText] = useState('');
  const [error, setError] = useState<string | undefined>();
  const load = () => fetch('/api/demo/faults', { headers: authHeaders({ accept: 'application/json' }) })
    .then(async (r) => (r.ok ? setFaults((await r.json()).data) : setFaults(null)))
    .catch(() => setFaults(null));
  useEffect(() => { load(); }, []);
  if (!faults) return null;  // not `tome demo`
  const put = async (body: Record<string, string>) => {
    setError(undefined);
    const res = await fetch('/api/demo/faults', { method: 'PUT', headers: authHeaders({ 'content-type': 'application/json' }), body: JSON.stringify(body) });
    const json = await res.json().catch(() => undefined);
    if (!res.ok) setError(json?.error?.message || `${res.status}`);
    else setFaults(json.data);
  };
  const apply = (e: Event) => {
    e.preventDefault();
    const next: Record<string, string> = { ...faults };
    for (const pair of text.split(/[\s,]+/).filter(Boolean)) {
      const eq = pair.indexOf('=');
      if (eq <= 0) return setError(`'${pair}': expected step.kind=value, e.g. inventory.latency=600ms`);
      next[pair.slice(0, eq)] = pair.slice(eq + 1);
    }
    put(next).then(() => setText(''));
  };
  return (
    <Panel title="Demo faults" actions={<span class="muted small">inject latency or failures to make the alerts fire</span>}>
      <div data-testid="demo-faults">
        {Object.keys(faults).length === 0 ? <span class="muted">none injected</span> : Object.entries(faults).map(([k, v]) => <span key={k} class="tag warn mono">{k}={v}</span>)}
      </div>
      <form class="fault-form" onSubmit={apply}>
        <input value={text} onInput={(e) => setText((e.target as HTMLInputElement).value)} placeholder="inventory.latency=600ms payment.failure_rate=0.05 analytics.down=true" aria-label="faults to inject" />
        <button type="submit">Inject</button>
        <button type="button" onClick={() => put({})} disabled={Object.keys(faults).length === 0}>Clear all</button>
      </form>
      <ErrorBox error={error} what="the faults" />
    </Panel>
  );
}

export function AlertsPage() {
  const { query: q } = useLocation();
  const wanted = q.get('alert') || '';
  const r = useLoad((s) => getJson<AlertsState>('/api/alerts', s), 'alerts', 2000);
  const d = r.data;
  useEffect(() => {
    if (wanted && d) document.getElementById(`alert-${wanted}`)?.scrollIntoView({ block: 'center' });
  }, [wanted, !!d]);
  const order = { firing: 0, pending: 1, inactive: 2 } as const;
  const rules = [...(d?.rules || [])].sort((a, b) => order[a.state] - order[b.state] || a.name.localeCompare(b.name));
  const firing = rules.filter((x) => x.state === 'firing').length;
  const pending = rules.filter((x) => x.state === 'pending').length;
  const active = (d?.anomalies || []).filter((a) => !a.untilUs);
  return (
    <div class="page">
      <div class="page-head"><h1>Alerts</h1><span class="muted">{d ? `evaluated every ${dur(d.evaluationIntervalMs)} · refreshed every 2 s` : ''}</span></div>
      <ErrorBox error={r.error} what="alert rules" />
      {!d && !r.error && <Loading what="alert rules" />}
      {d && (
        <>
          <div class="stat-grid alert-stats">
            <Stat label="firing" value={firing} tone={firing ? 'bad' : 'good'} />
            <Stat label="pending" value={pending} tone={pending ? 'warn' : undefined} />
            <Stat label="rules" value={rules.length} />
            <Stat label="anomalies now" value={active.length} tone={active.length ? 'warn' : undefined} />
            <Stat label="notifications sent" value={d.notifications.sent} />
            <Stat label="delivery failures" value={d.notifications.failed + d.notifications.dropped} tone={d.notifications.failed + d.notifications.dropped ? 'bad' : undefined} />
          </div>
          <DemoFaults />
          {rules.length === 0 ? (
            <Empty title="No alert rules configured">Add rules under <code>alerts.rules</code> in the config file (see the README); the shipped config has five.</Empty>
          ) : (
            <Panel title="Rules">
              <div data-testid="alert-rules">{rules.map((rule) => <RuleCard key={rule.name} rule={rule} open={rule.name === wanted} />)}</div>
            </Panel>
          )}
          <Panel title="Anomalies" actions={<span class="muted small">latency and error rate of each service and edge against its own trailing half hour</span>}>
            {(d.anomalies || []).length === 0 ? <span class="muted">none: every service and edge is within its baseline (or has too little history yet)</span> : (
              <table class="grid" data-testid="anomalies">
                <thead><tr><th>target</th><th>kind</th><th class="num">last minute</th><th class="num">baseline median</th><th class="num">MAD</th><th>since</th><th>until</th></tr></thead>
                <tbody>{d.anomalies.map((a) => (
                  <tr key={`${a.target}-${a.kind}-${a.sinceUs}`}>
                    <td class="mono small">{a.target}</td><td>{a.kind}</td><td class="num">{num(a.value)}</td><td class="num">{num(a.median)}</td><td class="num">{num(a.mad)}</td>
                    <td class="small">{fmtAgo(a.sinceUs)}</td><td class="small">{a.untilUs ? fmtAgo(a.untilUs) : <b class="warn">ongoing</b>}</td>
                  </tr>
                ))}</tbody>
              </table>
            )}
          </Panel>
          <Panel title="Notifications">
            <div class="small">
              Alertmanager: {d.notifications.alertmanager ? <span class="mono">{d.notifications.alertmanager}</span> : <span class="muted">none (alerts.alertmanager, TOME_ALERTMANAGER_URL)</span>}
              {' · '}webhooks: {d.notifications.webhooks.length ? d.notifications.webhooks.map((w) => <span key={w} class="mono">{w} </span>) : <span class="muted">none</span>}
              {' · '}sent {d.notifications.sent}, retried {d.notifications.retried}, failed {d.notifications.failed}, dropped {d.notifications.dropped}
              {d.notifications.lastError && <div class="bad">last error: {d.notifications.lastError}</div>}
            </div>
          </Panel>
        </>
      )}
    </div>
  );
}
