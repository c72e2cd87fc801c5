// `/dashboards` — RED per service and operation, the seed's five metrics, every other metric,
// and the telemetry's own health (the SDK's otel.sdk.* counts and the console store's stats).
import { useMemo } from 'preact/hooks';
import { api, type Exemplar, type MetricInfo, type MetricSeries, type OperationRed, type StoreStats } from '../api';
import { fmtBytes, fmtCompact, fmtCount, fmtMs, fmtPct, fmtRate, fmtTime, fmtValue, unitLabel } from '../format';
import { useLoad } from '../hooks';
import { setQuery, useLocation } from '../router';
import { Chart, COLORS, type ChartSeries } from '../components/Chart';
import { RedCharts } from '../components/RedCharts';
import { Empty, ErrorBox, Loading, Panel, WindowSelect } from '../components/ui';

const SEED = ['tome.connections.total', 'tome.response_time_ms', 'tome.connections.active', 'proxy.responses.total', 'proxy.response_time_ms'];
const SEED_TITLES: Record<string, string> = {
  'tome.connections.total': 'Connections created (creation rate)',
  'tome.response_time_ms': 'Tome response time',
  'tome.connections.active': 'Active connections by health',
  'proxy.responses.total': 'HTTP API responses (rate)',
  'proxy.response_time_ms': 'HTTP API response time',
};

const seriesLabel = (attrs: Record<string, unknown>, service: string, many: boolean) => {
  const parts = Object.entries(attrs).map(([k, v]) => `${k.replace(/^tome\.|^http\.response\./, '')}=${fmtValue(v)}`);
  return parts.join(' ') || (many ? service : 'value');
};

/** The reasons that counted something (the API lists every reason, zeros included). */
const nonZero = (counts?: Record<string, number>) => Object.entries(counts || {}).filter(([, n]) => n > 0);

function fmtUnit(unit: string): (v: number) => string {
  if (unit === 'ms') return (v) => fmtMs(v);
  if (unit === 's') return (v) => fmtMs(v * 1000);
  if (unit === 'us') return (v) => fmtMs(v / 1000);
  if (unit === 'By') return (v) => fmtBytes(v);
  if (unit === '1') return (v) => fmtPct(v);
  const u = unitLabel(unit);
  return (v) => `${Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100}${u ? ` ${u}` : ''}`;
}

/** One metric as a chart: sums as a rate (monotonic) or value, gauges as value, histograms as percentiles with exemplars. */
export function MetricPanel({ name, window, title, height = 190 }: { name: string; window: string; title?: string; height?: number }) {
  const r = useLoad((s) => api<MetricSeries>(`metrics/${encodeURIComponent(name)}`, { window }, s), `${name}|${window}`, 10_000);
  const view = useMemo(() => {
    const m = r.data;
    if (!m) return null;
    const times = [...new Set(m.series.flatMap((s) => s.points.map((p) => p.t)))].sort((a, b) => a - b);
    const at = new Map(times.map((t, i) => [t, i]));
    const many = m.series.length > 1;
    const series: ChartSeries[] = [];
    const exemplars: Exemplar[] = [];
    let format = fmtUnit(m.unit);
    let axisFormat: ((v: number) => string) | undefined;
    let what = '';
    const col = (pts: { t: number }[], f: (p: any) => number | undefined) => { const v: (number | null)[] = new Array(times.length).fill(null); for (const p of pts) { const x = f(p); if (x !== undefined && x !== null && Number.isFinite(x)) v[at.get(p.t)!] = x; } return v; };
    if (m.type === 'histogram') {
      what = `p50 / p95 / p99 per interval${m.unit ? `, ${m.unit}` : ''}`;
      m.series.slice(0, 3).forEach((s, i) => {
        const label = seriesLabel(s.attributes, s.service, many);
        const c = COLORS[i % COLORS.length];
        if (!many) {
          series.push({ label: 'p50', color: '#0f9d8a', values: col(s.points, (p) => (p.count ? p.p50 : undefined)) });
          series.push({ label: 'p95', color: '#d9822b', values: col(s.points, (p) => (p.count ? p.p95 : undefined)) });
          series.push({ label: 'p99', color: '#c2417a', values: col(s.points, (p) => (p.count ? p.p99 : undefined)), dash: true });
        } else {
          series.push({ label: `p95 ${label}`, color: c, values: col(s.points, (p) => (p.count ? p.p95 : undefined)) });
          series.push({ label: `p50 ${label}`, color: c, values: col(s.points, (p) => (p.count ? p.p50 : undefined)), dash: true });
        }
      });
      for (const s of m.series) for (const p of s.points) for (const e of p.exemplars || []) exemplars.push(e);
    } else if (m.type === 'sum' && m.monotonic) {
      const u = unitLabel(m.unit);
      what = `rate, ${u ? `${u}/s` : 'per second'}`;
      format = (v) => fmtRate(v, u ? `/s` : '/s');
      m.series.slice(0, 6).forEach((s, i) => series.push({ label: seriesLabel(s.attributes, s.service, many), color: COLORS[i % COLORS.length], values: col(s.points, (p) => p.rate), fill: !many }));
    } else {
      what = unitLabel(m.unit) || 'value';
      if (/^\{.*\}$|^$/.test(m.unit)) axisFormat = fmtCompact;
      m.series.slice(0, 6).forEach((s, i) => series.push({ label: seriesLabel(s.attributes, s.service, many), color: COLORS[i % COLORS.length], values: col(s.points, (p) => p.value), fill: !many }));
    }
    return { times, series, exemplars: exemplars.sort((a, b) => a.t - b.t), format, axisFormat, what, more: m.series.length - (m.type === 'histogram' ? 3 : 6) };
  }, [r.data]);
  return (
    <div class="metric-panel" data-testid={`metric-${name}`} data-metric={name}>
      <div class="metric-head">
        <div><b>{title || name}</b>{title && <span class="mono muted small"> {name}</span>}</div>
        <div class="muted small">{r.data?.description}{view?.what ? ` · ${view.what}` : ''}</div>
      </div>
      {r.error ? <ErrorBox error={r.error} what={name} /> : !view ? <Loading /> : (
        <>
          <Chart times={view.times} series={view.series} exemplars={view.exemplars} format={view.format} axisFormat={view.axisFormat} height={height} testId={`chart-${name}`} />
          {view.more > 0 && <div class="muted small">and {view.more} more series</div>}
        </>
      )}
    </div>
  );
}

function StoreTable({ stats }: { stats: StoreStats }) {
  return (
    <table class="grid compact" data-testid="store-stats">
      <thead><tr><th>signal</th><th class="num">used</th><th class="num">budget</th><th class="num">items</th><th class="num">ingested</th><th>evicted</th><th>dropped</th><th>oldest kept</th></tr></thead>
      <tbody>
        {Object.entries(stats.signals).map(([k, s]) => (
          <tr key={k}>
            <td>{k}</td>
            <td class="num">{fmtBytes(s.bytes)} <span class="muted small">({fmtPct(s.budgetBytes ? s.bytes / s.budgetBytes : 0)})</span></td>
            <td class="num">{fmtBytes(s.budgetBytes)}</td>
            <td class="num">{fmtCount(s.items)}</td>
            <td class="num">{fmtCount(s.ingested)}</td>
            <td>{nonZero(s.evicted).map(([r, n]) => `${fmtCount(n)} (${r})`).join(', ') || <span class="muted">none</span>}</td>
            <td class={nonZero(s.dropped).length ? 'bad' : ''}>{nonZero(s.dropped).map(([r, n]) => `${fmtCount(n)} (${r})`).join(', ') || <span class="muted">none</span>}</td>
            <td class="nowrap">{s.oldestUs ? fmtTime(s.oldestUs, false) : '–'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function DashboardsPage() {
  const { query } = useLocation();
  const window = query.get('window') || '15m';
  const service = query.get('service') || '';
  const operation = query.get('operation') || '';
  const set = (k: string, v?: string) => { const q = new URLSearchParams(location.search); if (v) q.set(k, v); else q.delete(k); if (k === 'service') q.delete('operation'); setQuery(q); };

  const services = useLoad((s) => api<{ name: string }[]>('services', {}, s), 'services', 30_000);
  const svc = service || services.data?.find((s) => s.name === 'tome')?.name || services.data?.[0]?.name || '';
  const ops = useLoad((s) => (svc ? api<OperationRed[]>('operations', { service: svc, window }, s) : Promise.resolve([])), `${svc}|${window}`, 10_000);
  const metrics = useLoad((s) => api<MetricInfo[]>('metrics', {}, s), 'metrics', 30_000);
  const stats = useLoad((s) => api<StoreStats>('stats', {}, s), 'stats', 5000);
  const names = new Set((metrics.data || []).map((m) => m.name));
  const sdk = (metrics.data || []).filter((m) => m.name.startsWith('otel.sdk.'));
  const others = (metrics.data || []).filter((m) => !m.name.startsWith('otel.sdk.') && !SEED.includes(m.name));

  return (
    <div class="page">
      <div class="page-head">
        <h1>Dashboards</h1>
        <div class="toolbar">
          <label class="field inline">
            <span>Service</span>
            <select value={svc} onChange={(e) => set('service', (e.target as HTMLSelectElement).value)}>
              {(services.data || []).map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
              {!services.data?.length && <option value="">no services yet</option>}
            </select>
          </label>
          <WindowSelect value={window} onChange={(v) => set('window', v === '15m' ? undefined : v)} />
        </div>
      </div>

      <Panel title={<>RED · {svc || 'no service'}{operation ? <> · <span class="mono">{operation}</span> <a class="small" href="#" onClick={(e) => { e.preventDefault(); set('operation'); }}>(all operations)</a></> : ''}</>} id="red">
        {svc ? <RedCharts params={{ service: svc, operation: operation || undefined }} window={window} testId="red-charts" />
          : <Empty title="No services yet">Run <code>tome demo</code>; RED figures are derived from the spans as they arrive.</Empty>}
        <ErrorBox error={ops.error} what="operations" />
        {ops.data && ops.data.length > 0 && (
          <table class="grid compact ops-table" data-testid="operations">
            <thead><tr><th>operation (entry spans of {svc})</th><th>kind</th><th class="num">requests</th><th class="num">rate</th><th class="num">errors</th><th class="num">p50</th><th class="num">p95</th><th class="num">p99</th><th /></tr></thead>
            <tbody>
              {ops.data.map((o) => (
                <tr key={o.operation + o.spanKind} class={o.operation === operation ? 'selected' : ''}>
                  <td><a href="#" onClick={(e) => { e.preventDefault(); set('operation', o.operation); }}>{o.operation}</a></td>
                  <td class="muted">{o.spanKind}</td>
                  <td class="num">{fmtCount(o.requests)}</td>
                  <td class="num">{fmtRate(o.rate)}</td>
                  <td class={`num ${o.errorRate >= 0.05 ? 'bad' : o.errorRate >= 0.01 ? 'warn' : ''}`}>{fmtPct(o.errorRate)}</td>
                  <td class="num">{fmtMs(o.p50Ms)}</td>
                  <td class="num">{fmtMs(o.p95Ms)}</td>
                  <td class="num">{fmtMs(o.p99Ms)}</td>
                  <td><a class="small" href={`/traces?service=${encodeURIComponent(o.service)}&operation=${encodeURIComponent(o.operation)}`}>traces →</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Panel>

      <Panel title="tome metrics" id="seed">
        <ErrorBox error={metrics.error} what="the metric list" />
        <div class="metric-grid" data-testid="seed-metrics">
          {SEED.map((n) => (names.has(n) || !metrics.data ? <MetricPanel key={n} name={n} title={SEED_TITLES[n]} window={window} />
            : <div class="metric-panel" key={n} data-metric={n}><div class="metric-head"><b>{SEED_TITLES[n]}</b> <span class="mono muted small">{n}</span></div><div class="chart-empty">not reported yet: nothing has recorded <code>{n}</code> in this process</div></div>))}
        </div>
      </Panel>

      <Panel title="Telemetry health" id="telemetry">
        <p class="muted small">What the SDK exported, dropped and sampled out, and what the console's store holds. Evictions are the store making room within its byte budget, not lost ingest.</p>
        <ErrorBox error={stats.error} what="store stats" />
        {stats.data && (
          <div class="store-summary">
            <div class="kv">
              <span>store</span><b>{fmtBytes(stats.data.usedBytes)} of {fmtBytes(stats.data.budgetBytes)} ({fmtPct(stats.data.budgetBytes ? stats.data.usedBytes / stats.data.budgetBytes : 0)})</b>
              <span>traces evicted</span><b>{fmtCount(stats.data.tracesEvicted)}{stats.data.evictedSinceUs ? ` since ${fmtTime(stats.data.evictedSinceUs, false)}` : ''}</b>
              <span>ingest queue</span><b>{fmtBytes(stats.data.ingestQueue.bytes)} of {fmtBytes(stats.data.ingestQueue.capacityBytes)}</b>
              <span>running since</span><b>{fmtTime(stats.data.startedUs, false)}</b>
            </div>
            <StoreTable stats={stats.data} />
          </div>
        )}
        {sdk.length > 0 ? (
          <div class="metric-grid small-charts">
            {sdk.map((m) => <MetricPanel key={m.name} name={m.name} window={window} height={140} />)}
          </div>
        ) : metrics.data && <div class="muted small">No otel.sdk.* metrics reported (the SDK's self-metrics are off).</div>}
      </Panel>

      {others.length > 0 && (
        <Panel title="Other metrics" id="other">
          <div class="metric-grid small-charts">
            {others.map((m) => <MetricPanel key={m.name} name={m.name} window={window} height={140} />)}
          </div>
        </Panel>
      )}
    </div>
  );
}
