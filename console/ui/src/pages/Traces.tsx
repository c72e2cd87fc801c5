// `/traces` — search: service, operation, attributes, duration bounds, errors, time range.
// The URL's query is the search (the same parameters as GET /console/api/traces).
import { useEffect, useState } from 'preact/hooks';
import { subscribe } from '../stream';
import { api, type TraceSummary } from '../api';
import { fmtAgo, fmtCount, fmtTime, fmtUs, serviceColor, shortId } from '../format';
import { useLoad } from '../hooks';
import { navigate, setQuery, useLocation } from '../router';
import { AttrFilters, Empty, ErrorBox, Loading, Panel, pendingAttr, ServiceDot } from '../components/ui';
import { Scatter } from '../components/Scatter';

const RANGES = ['15m', '1h', '6h', '24h'];
const FIELDS = ['service', 'operation', 'minDuration', 'maxDuration', 'errors', 'window', 'limit'] as const;

export function TracesPage() {
  const { query } = useLocation();
  const qs = query.toString();
  const params = {
    service: query.get('service') || '',
    operation: query.get('operation') || '',
    attr: query.getAll('attr'),
    minDuration: query.get('minDuration') || '',
    maxDuration: query.get('maxDuration') || '',
    errors: query.get('errors') === 'true',
    window: query.get('window') || '1h',
    start: query.get('start') || '',
    end: query.get('end') || '',
    limit: query.get('limit') || '50',
  };
  const [attrs, setAttrs] = useState<string[]>(params.attr);
  const [service, setService] = useState(params.service);
  const [picked, setPicked] = useState<string[]>([]);
  const [lastQs, setLastQs] = useState(qs);
  if (lastQs !== qs) { setLastQs(qs); setAttrs(params.attr); setService(params.service); }

  const services = useLoad((s) => api<{ name: string }[]>('services', {}, s), 'services');
  const ops = useLoad((s) => (service ? api<{ name: string; spanKind: string }[]>(`services/${encodeURIComponent(service)}/operations`, {}, s) : Promise.resolve([])), service);
  const result = useLoad((s) => api<{ traces: TraceSummary[]; limit: number; more: boolean }>('traces', { ...params, errors: params.errors ? 'true' : '' }, s), qs);

  // New traces arriving on the stream: offered, not pushed into the list under the reader's eyes.
  const [fresh, setFresh] = useState(0);
  useEffect(() => { setFresh(0); return subscribe('trace', () => setFresh((n) => n + 1)); }, [qs, result.data]);

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fd = new FormData(form);
    const q = new URLSearchParams();
    for (const f of FIELDS) {
      const v = String(fd.get(f) ?? '').trim();
      if (f === 'errors') { if (fd.get('errors')) q.set('errors', 'true'); continue; }
      if (f === 'window' && v === 'custom') { q.set('start', params.start); q.set('end', params.end); continue; }
      if (v && !(f === 'window' && v === '1h') && !(f === 'limit' && v === '50')) q.set(f, v);
    }
    const extra = pendingAttr(form);
    const all = extra && !attrs.includes(extra) ? [...attrs, extra] : attrs;
    for (const a of all) q.append('attr', a);
    setQuery(q, { push: true });
  };

  const traces = result.data?.traces || [];
  const maxDur = Math.max(1, ...traces.map((t) => t.durationUs));
  const filtered = !!(params.service || params.operation || params.attr.length || params.minDuration || params.maxDuration || params.errors || params.start);

  return (
    <div class="page">
      <div class="page-head"><h1>Traces</h1></div>
      <form class="filters" onSubmit={submit} key={qs} data-testid="trace-search">
        <label class="field">
          <span>Service</span>
          <select name="service" value={service} onChange={(e) => setService((e.target as HTMLSelectElement).value)}>
            <option value="">any service</option>
            {(services.data || []).map((s) => <option key={s.name} value={s.name}>{s.name}</option>)}
            {service && !services.data?.some((s) => s.name === service) && <option value={service}>{service}</option>}
          </select>
        </label>
        <label class="field">
          <span>Operation</span>
          <select name="operation" disabled={!service}>
            <option value="">{service ? 'any operation' : 'pick a service first'}</option>
            {(ops.data || []).filter((o, i, a) => a.findIndex((x) => x.name === o.name) === i).map((o) => <option key={o.name} value={o.name} selected={o.name === params.operation}>{o.name}</option>)}
            {params.operation && !ops.data?.some((o) => o.name === params.operation) && <option value={params.operation} selected>{params.operation}</option>}
          </select>
        </label>
        <label class="field grow">
          <span>Attributes <em class="muted">(all must hold)</em></span>
          <AttrFilters value={attrs} onChange={setAttrs} placeholder="business.customer_tier=premium" />
        </label>
        <label class="field narrow">
          <span>Min duration</span>
          <input name="minDuration" defaultValue={params.minDuration} placeholder="e.g. 100ms" />
        </label>
        <label class="field narrow">
          <span>Max duration</span>
          <input name="maxDuration" defaultValue={params.maxDuration} placeholder="e.g. 2s" />
        </label>
        <label class="field">
          <span>Time range</span>
          <select name="window">
            {params.start && params.end && <option value="custom" selected>{fmtTime(Number(params.start) * 1000, false)} – {fmtTime(Number(params.end) * 1000, false)}</option>}
            {RANGES.map((r) => <option key={r} value={r} selected={!params.start && r === params.window}>last {r.replace('m', ' min').replace('h', ' h')}</option>)}
          </select>
        </label>
        <label class="field narrow">
          <span>Limit</span>
          <select name="limit">
            {['20', '50', '100', '500', '1000'].map((l) => <option key={l} value={l} selected={l === params.limit}>{l}</option>)}
          </select>
        </label>
        <label class="field check">
          <input type="checkbox" name="errors" defaultChecked={params.errors} /> <span>errors only</span>
        </label>
        <div class="field actions">
          <button type="submit" class="primary">Search</button>
          {filtered && <a class="button" href="/traces">Clear</a>}
        </div>
      </form>

      <ErrorBox error={result.error} what="traces" />
      {result.loading && !result.data && <Loading what="traces" />}
      {result.data && traces.length === 0 && (
        filtered
          ? <Empty title="No trace matches these filters">Widen the time range, or remove a filter. Attribute values match exactly (<code>business.customer_tier=premium</code>).</Empty>
          : <Empty title="No traces yet">Run <code>tome demo</code> to start the demo workload, or send OTLP to <code>{location.origin}/v1/traces</code>.</Empty>
      )}
      {traces.length > 0 && (
        <>
          <Panel title={`Duration over time`} actions={<span class="muted small">click a point to open its trace · drag across the plot to narrow the time range · red: has errors</span>}>
            <Scatter traces={traces} onRange={(a, b) => { const q = new URLSearchParams(location.search); q.delete('window'); q.set('start', String(Math.floor(a))); q.set('end', String(Math.ceil(b))); setQuery(q, { push: true }); }} />
          </Panel>
          <Panel
            title={<>{fmtCount(traces.length)} traces{result.data!.more ? <span class="muted small"> (newest {traces.length}; more match — raise the limit or narrow the search)</span> : ''}</>}
            actions={
              <>
                <span class="muted small">{picked.length === 2 ? '' : 'tick two traces to compare'}</span>
                <button disabled={picked.length !== 2} onClick={() => navigate(`/compare/${picked[0]}/${picked[1]}`)}>Compare</button>
                <button onClick={result.reload} class={fresh ? 'primary' : ''} title="new root spans arrived since this list was loaded (not all may match the filters)">{fresh ? `${fresh} new · refresh` : 'Refresh'}</button>
              </>
            }>
            <table class="grid traces-table" data-testid="trace-results">
              <thead>
                <tr><th /><th>started</th><th>trace</th><th>duration</th><th class="num">spans</th><th>services</th><th class="num">errors</th></tr>
              </thead>
              <tbody>
                {traces.map((t) => (
                  <tr key={t.traceId} data-trace-id={t.traceId} class={`clickable ${t.errorCount ? 'has-error' : ''}`}
                    onClick={(e) => { if (!(e.target as Element).closest('a, input, button')) navigate(`/traces/${t.traceId}`); }}>
                    <td><input type="checkbox" aria-label="compare" checked={picked.includes(t.traceId)} onChange={(e) => setPicked((p) => ((e.target as HTMLInputElement).checked ? [...p, t.traceId].slice(-2) : p.filter((x) => x !== t.traceId)))} /></td>
                    <td class="nowrap" title={fmtAgo(t.startUs)}>{fmtTime(t.startUs)}</td>
                    <td>
                      <a href={`/traces/${t.traceId}`} class="trace-link"><ServiceDot color={serviceColor(t.rootService)} />{t.rootService}: <b>{t.rootName}</b></a>
                      <span class="mono muted small"> {shortId(t.traceId)}</span>
                      {t.incomplete && <span class="tag warn" title="the root span has not arrived (yet)">incomplete</span>}
                    </td>
                    <td class="dur-cell"><span class="dur-bar" style={{ width: `${Math.max(2, (t.durationUs / maxDur) * 100)}%` }} /><span class="num">{fmtUs(t.durationUs)}</span></td>
                    <td class="num">{fmtCount(t.spanCount)}</td>
                    <td>{t.services.map((s) => <span key={s.name} class="svc-chip" title={`${s.spanCount} spans, ${s.errorCount} errors`}><ServiceDot color={serviceColor(s.name)} />{s.name}<span class="muted count">{s.spanCount}</span></span>)}</td>
                    <td class="num">{t.errorCount ? <span class="err-mark">● {t.errorCount}</span> : <span class="muted">–</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </Panel>
        </>
      )}
    </div>
  );
}
