// `/logs` — search by words, level, trace id, service, any attribute and time range, and a
// live tail over the stream. Every record with a trace id links to its trace and span.
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api, type LogRecord } from '../api';
import { fmtCount, fmtTime, fmtValue, shortId } from '../format';
import { useLoad } from '../hooks';
import { setQuery, useLocation } from '../router';
import { subscribe } from '../stream';
import { AttrFilters, AttrTable, Empty, ErrorBox, Loading, Panel, pendingAttr, SeverityBadge } from '../components/ui';

const LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal'];
const LEVEL_NUM: Record<string, number> = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
const RANGES = ['15m', '1h', '6h', '24h'];
/** Records the live tail keeps on screen. */
const MAX_TAIL = 500;
const FIELDS = ['q', 'severity', 'traceId', 'service', 'window', 'limit'] as const;

/** The API's matching, for records arriving on the live tail. */
function matcher(p: { q: string; severity: string; traceId: string; service: string; attr: string[] }) {
  const words: string[] = [], phrases: string[][] = [];
  p.q.replace(/"([^"]*)"|(\S+)/g, (_m, ph: string | undefined, w: string | undefined) => {
    if (ph !== undefined) phrases.push(ph.toLowerCase().split(/\W+/).filter(Boolean)); else words.push(...w!.toLowerCase().split(/\W+/).filter(Boolean));
    return '';
  });
  const min = LEVEL_NUM[p.severity] || 0;
  const attrs = p.attr.map((a) => [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)]);
  return (l: LogRecord) => {
    if (l.severityNumber < min) return false;
    if (p.traceId && l.traceId !== p.traceId.toLowerCase()) return false;
    if (p.service && l.service !== p.service) return false;
    if (attrs.some(([k, v]) => fmtValue(l.attributes[k]) !== v)) return false;
    if (words.length || phrases.length) {
      const toks = l.body.toLowerCase().split(/\W+/).filter(Boolean);
      if (!words.every((w) => toks.includes(w))) return false;
      if (!phrases.every((ph) => toks.some((_, i) => ph.every((w, j) => toks[i + j] === w)))) return false;
    }
    return true;
  };
}

export function LogsPage() {
  const { query } = useLocation();
  const qs = query.toString();
  const p = {
    q: query.get('q') || '', severity: query.get('severity') || '', traceId: query.get('traceId') || '', spanId: query.get('spanId') || '',
    service: query.get('service') || '', attr: query.getAll('attr'), window: query.get('window') || '1h', limit: query.get('limit') || '100',
    start: query.get('start') || '', end: query.get('end') || '',
  };
  const live = query.get('live') === '1';
  const [attrs, setAttrs] = useState<string[]>(p.attr);
  const [lastQs, setLastQs] = useState(qs);
  const [tail, setTail] = useState<LogRecord[]>([]);
  const [open, setOpen] = useState<number | null>(null);
  if (lastQs !== qs) { setLastQs(qs); setAttrs(p.attr); setTail([]); setOpen(null); }
  const paramsNoLive = (() => { const x = new URLSearchParams(qs); x.delete('live'); return x.toString(); })();

  const services = useLoad((s) => api<{ name: string }[]>('services', {}, s), 'services');
  const result = useLoad((s) => api<{ logs: LogRecord[]; limit: number; more: boolean }>('logs', { ...p }, s), paramsNoLive);
  const match = useMemo(() => matcher(p), [paramsNoLive]);

  useEffect(() => {
    if (!live) return;
    // A busy server logs hundreds of records a second: collect them and render four times a
    // second, newest first, keeping the last MAX_TAIL.
    let pending: LogRecord[] = [];
    const off = subscribe('log', (d) => {
      const l = d as LogRecord;
      if (p.spanId && l.spanId !== p.spanId) return;
      if (match(l)) pending.push(l);
    });
    const timer = window.setInterval(() => {
      if (pending.length === 0) return;
      const batch = pending.reverse();
      pending = [];
      setTail((t) => batch.concat(t).slice(0, MAX_TAIL));
    }, 250);
    return () => { off(); window.clearInterval(timer); };
  }, [live, match]);

  const submit = (e: Event) => {
    e.preventDefault();
    const form = e.currentTarget as HTMLFormElement;
    const fd = new FormData(form);
    const q = new URLSearchParams();
    for (const f of FIELDS) {
      const v = String(fd.get(f) ?? '').trim();
      if (f === 'window' && v === 'custom') { q.set('start', p.start); q.set('end', p.end); continue; }
      if (v && !(f === 'window' && v === '1h') && !(f === 'limit' && v === '100')) q.set(f, v);
    }
    if (p.spanId && fd.get('traceId') === p.traceId) q.set('spanId', p.spanId);
    const extra = pendingAttr(form);
    for (const a of extra && !attrs.includes(extra) ? [...attrs, extra] : attrs) q.append('attr', a);
    if (live) q.set('live', '1');
    setQuery(q, { push: true });
  };
  const setLive = (on: boolean) => { const q = new URLSearchParams(location.search); if (on) q.set('live', '1'); else q.delete('live'); setQuery(q); };

  const logs = useMemo(() => {
    const base = result.data?.logs || [];
    if (!tail.length) return base;
    const newest = base.length ? base[0].timeUs : 0;
    return [...tail.filter((l) => l.timeUs > newest), ...base];
  }, [result.data, tail]);
  const filtered = !!(p.q || p.severity || p.traceId || p.service || p.attr.length || p.start);

  return (
    <div class="page">
      <div class="page-head"><h1>Logs</h1></div>
      <form class="filters" onSubmit={submit} key={qs} data-testid="log-search">
        <label class="field grow">
          <span>Text <em class="muted">(all words; "quoted phrase")</em></span>
          <input name="q" defaultValue={p.q} placeholder='payment declined' />
        </label>
        <label class="field">
          <span>Level (at least)</span>
          <select name="severity">
            <option value="">any level</option>
            {LEVELS.map((l) => <option key={l} value={l} selected={l === p.severity}>{l}</option>)}
          </select>
        </label>
        <label class="field">
          <span>Service</span>
          <select name="service">
            <option value="">any service</option>
            {(services.data || []).map((s) => <option key={s.name} value={s.name} selected={s.name === p.service}>{s.name}</option>)}
            {p.service && !services.data?.some((s) => s.name === p.service) && <option value={p.service} selected>{p.service}</option>}
          </select>
        </label>
        <label class="field">
          <span>Trace id{p.spanId ? <em class="muted"> + span {shortId(p.spanId)}</em> : ''}</span>
          <input name="traceId" defaultValue={p.traceId} placeholder="32 hex digits" class="mono" />
        </label>
        <label class="field grow">
          <span>Attributes</span>
          <AttrFilters value={attrs} onChange={setAttrs} placeholder="business.order_id=ORD-00000042" />
        </label>
        <label class="field">
          <span>Time range</span>
          <select name="window">
            {p.start && p.end && <option value="custom" selected>{fmtTime(Number(p.start) * 1000, false)} – {fmtTime(Number(p.end) * 1000, false)}</option>}
            {RANGES.map((r) => <option key={r} value={r} selected={!p.start && r === p.window}>last {r.replace('m', ' min').replace('h', ' h')}</option>)}
          </select>
        </label>
        <label class="field narrow">
          <span>Limit</span>
          <select name="limit">{['100', '500', '1000', '5000'].map((l) => <option key={l} value={l} selected={l === p.limit}>{l}</option>)}</select>
        </label>
        <div class="field actions">
          <button type="submit" class="primary">Search</button>
          {(filtered || p.spanId) && <a class="button" href="/logs">Clear</a>}
        </div>
      </form>

      <ErrorBox error={result.error} what="logs" />
      {result.loading && !result.data && <Loading what="logs" />}
      {result.data && (
        <Panel
          title={<>{fmtCount(logs.length)} records{result.data.more ? <span class="muted small"> (newest {result.data.logs.length}; more match)</span> : ''}</>}
          actions={
            <>
              <label class={`live-toggle ${live ? 'on' : ''}`}><input type="checkbox" checked={live} onChange={(e) => setLive((e.target as HTMLInputElement).checked)} data-testid="live-tail" /> live tail{live ? ` · ${tail.length} new` : ''}</label>
              <button onClick={() => { setTail([]); result.reload(); }}>Refresh</button>
            </>
          }>
          {logs.length === 0 ? (
            filtered ? <Empty title="No record matches">Widen the time range or remove a filter. Attribute values match exactly; text matches whole words.</Empty>
              : <Empty title="No log records yet">Run <code>tome demo</code>, or send OTLP logs to <code>{location.origin}/v1/logs</code>.</Empty>
          ) : (
            <table class="grid logs-table" data-testid="log-results">
              <thead><tr><th>time</th><th>level</th><th>service</th><th>message</th><th>trace · span</th></tr></thead>
              <tbody>
                {logs.map((l, i) => {
                  const biz = Object.keys(l.attributes).filter((k) => k.startsWith('business.') || k === 'tome.id' || k === 'error.message').slice(0, 4);
                  return [
                    <tr key={i} class={`log-row sev-line-${l.severityNumber >= 17 ? 'error' : l.severityNumber >= 13 ? 'warn' : 'info'}`} onClick={() => setOpen(open === i ? null : i)}>
                      <td class="nowrap mono small">{fmtTime(l.timeUs)}</td>
                      <td><SeverityBadge text={l.severityText} num={l.severityNumber} /></td>
                      <td class="nowrap">{l.service}</td>
                      <td class="log-msg">
                        <span class="log-body">{l.body}</span>
                        {biz.map((k) => <span key={k} class="kv-chip"><span>{k}</span>={fmtValue(l.attributes[k])}</span>)}
                      </td>
                      <td class="nowrap">{l.traceId ? <a href={`/traces/${l.traceId}${l.spanId ? `?span=${l.spanId}` : ''}`} class="mono small trace-span-link" onClick={(e) => e.stopPropagation()}>{shortId(l.traceId)}{l.spanId ? ` · ${shortId(l.spanId)}` : ''} →</a> : <span class="muted small">no trace</span>}</td>
                    </tr>,
                    open === i && (
                      <tr key={`${i}-d`} class="log-detail"><td colSpan={5}>
                        <div class="log-detail-grid">
                          <div><h3>Attributes</h3><AttrTable attrs={l.attributes} /></div>
                          <div class="kv">
                            <span>time</span><b>{fmtTime(l.timeUs)}</b>
                            <span>observed</span><b>{fmtTime(l.observedTimeUs)}</b>
                            <span>severity</span><b>{l.severityText} ({l.severityNumber})</b>
                            {l.scope && <><span>scope</span><b>{l.scope.name}</b></>}
                            {l.eventName && <><span>event</span><b>{l.eventName}</b></>}
                            {l.traceId && <><span>trace</span><b class="mono"><a href={`/traces/${l.traceId}${l.spanId ? `?span=${l.spanId}` : ''}`}>{l.traceId}</a></b></>}
                            {l.spanId && <><span>span</span><b class="mono">{l.spanId}</b></>}
                          </div>
                        </div>
                      </td></tr>
                    ),
                  ];
                })}
              </tbody>
            </table>
          )}
        </Panel>
      )}
    </div>
  );
}
