// `/traces/{traceId}` — one trace: waterfall with the critical path, span details, a filter
// inside the trace, and the trace's logs tied to their spans. `?span=` selects a span.
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, type LogRecord, type Span, type Trace } from '../api';
import { fmtCount, fmtTime, fmtUs, fmtValue, serviceColor, shortId } from '../format';
import { useLoad } from '../hooks';
import { navigate, useLocation } from '../router';
import { buildModel, critSegments, spanFilter, visibleRows, type TraceModel } from '../traceModel';
import { Waterfall } from '../components/Waterfall';
import { AttrTable, ErrorBox, Loading, SeverityBadge, ServiceDot } from '../components/ui';

let usableMarked = '';

export function TracePage({ traceId }: { traceId: string }) {
  const { query } = useLocation();
  const spanParam = query.get('span') || '';
  const t = useLoad((s) => api<Trace>(`traces/${traceId}`, {}, s).then((d) => { performance.mark('trace-data'); return d; }), traceId);
  const model = useMemo(() => {
    if (!t.data) return undefined;
    const m = buildModel(t.data);
    performance.mark('trace-model');
    return m;
  }, [t.data]);

  if (t.error) {
    return (
      <div class="page">
        <h1>Trace <span class="mono">{traceId}</span></h1>
        <ErrorBox error={t.error} what="this trace" />
        <p class="muted">A trace leaves the store when the byte budget needs the room (see the eviction count at the top right). <a href="/traces">Search traces</a>.</p>
      </div>
    );
  }
  if (!t.data || !model) return <div class="page"><h1>Trace <span class="mono">{shortId(traceId)}</span></h1><Loading what="the trace" /></div>;
  return <TraceView key={traceId} trace={t.data} model={model} spanParam={spanParam} reload={t.reload} />;
}

function TraceView({ trace, model, spanParam, reload }: { trace: Trace; model: TraceModel; spanParam: string; reload: () => void }) {
  const [collapsed, setCollapsed] = useState<Set<number>>(() => new Set());
  const [filterText, setFilterText] = useState('');
  const [cur, setCur] = useState(-1);
  const [scrollTo, setScrollTo] = useState({ pos: -1, n: 0 });
  const [compareWith, setCompareWith] = useState('');
  // The selection lives here and is mirrored into ?span= without re-rendering the whole app;
  // a navigation (back, forward, a link) that changes ?span= brings it back in.
  const [selId, setSelId] = useState(spanParam);
  const seenParam = useRef(spanParam);
  if (seenParam.current !== spanParam) { seenParam.current = spanParam; if (selId !== spanParam) setSelId(spanParam); }
  const selected = selId ? model.index.get(selId) ?? -1 : -1;

  // A reload may bring new spans (new positions): start expanded again.
  const firstModel = useRef(model);
  useEffect(() => { if (model !== firstModel.current) setCollapsed(new Set()); }, [model]);
  // Deep link to a span: open its ancestors and bring it into view once.
  useEffect(() => {
    if (selected < 0) return;
    reveal(selected);
    setScrollTo((s) => ({ pos: selected, n: s.n + 1 }));
  }, [model]);

  const rows = useMemo(() => visibleRows(model, collapsed), [model, collapsed]);
  const matches = useMemo(() => {
    const f = spanFilter(filterText); // a pass over 10,000 spans takes a few ms: no debounce, so Enter acts on what was typed
    if (!f) return null;
    const flags = new Uint8Array(model.spans.length);
    const list: number[] = [];
    model.spans.forEach((s, q) => { if (f(s)) { flags[q] = 1; list.push(q); } });
    return { flags, list };
  }, [model, filterText]);

  const logTimes = useMemo(() => {
    const m = new Map<string, number[]>();
    for (const l of trace.logs) if (l.spanId) (m.get(l.spanId) || m.set(l.spanId, []).get(l.spanId)!).push(l.timeUs);
    return m;
  }, [trace]);

  function reveal(q: number) {
    let p = model.parent[q];
    let changed = false;
    const next = new Set(collapsed);
    while (p >= 0) { if (next.delete(p)) changed = true; p = model.parent[p]; }
    if (changed) setCollapsed(next);
  }
  const select = (q: number) => {
    const id = q < 0 ? '' : model.spans[q].spanId;
    setSelId(id);
    const params = new URLSearchParams(location.search);
    if (id) params.set('span', id); else params.delete('span');
    history.replaceState(null, '', location.pathname + (params.toString() ? `?${params}` : ''));
  };
  const toggle = (q: number) => {
    const next = new Set(collapsed);
    if (!next.delete(q)) next.add(q);
    setCollapsed(next);
  };
  const step = (d: number) => {
    if (!matches || !matches.list.length) return;
    const i = (cur + d + matches.list.length) % matches.list.length;
    const q = matches.list[i];
    setCur(i);
    reveal(q);
    select(q);
    setScrollTo((s) => ({ pos: q, n: s.n + 1 }));
  };
  const collapseToDepth = (d: number) => {
    const next = new Set<number>();
    if (d >= 0) model.spans.forEach((_, q) => { if (model.depth[q] >= d && model.childCount[q] > 0) next.add(q); });
    setCollapsed(next);
  };

  const root = model.spans[0];
  const onPainted = () => {
    if (usableMarked === trace.traceId) return;
    usableMarked = trace.traceId;
    // Called from the waterfall's first effect, which Preact runs after the browser has painted its rows.
    performance.clearMarks('trace-usable');
    performance.mark('trace-usable', { detail: { traceId: trace.traceId, spans: model.spans.length } });
  };
  const selSpan = selected >= 0 ? model.spans[selected] : undefined;

  return (
    <div class="page page-trace">
      <div class="trace-head">
        <div>
          <div class="detail-kicker">trace <span class="mono">{trace.traceId}</span></div>
          <h1 class="trace-title"><ServiceDot color={serviceColor(root?.service || '')} />{root?.service}: {root?.name}</h1>
          <div class="trace-facts">
            <span>started <b>{fmtTime(trace.startUs)}</b></span>
            <span>duration <b>{fmtUs(trace.durationUs)}</b></span>
            <span><b>{fmtCount(trace.spanCount)}</b> spans</span>
            <span><b>{model.services.length}</b> {model.services.length === 1 ? 'service' : 'services'}: {trace.services.map((s) => <span key={s.name} class="svc-chip"><ServiceDot color={serviceColor(s.name)} />{s.name}</span>)}</span>
            {trace.errorCount > 0 && <span class="err-mark">● {trace.errorCount} {trace.errorCount === 1 ? 'error' : 'errors'}</span>}
            {(trace.incomplete || model.orphans > 0) && <span class="tag warn" title="some parent spans have not arrived (yet): their children are shown as roots">incomplete: {model.orphans} orphan spans</span>}
          </div>
        </div>
        <div class="trace-actions">
          <a class="button" href={`/logs?traceId=${trace.traceId}`}>Logs of this trace</a>
          <a class="button" href={`/traces?service=${encodeURIComponent(root?.service || '')}&operation=${encodeURIComponent(root?.name || '')}`}>Similar traces</a>
          <form class="inline-form" onSubmit={(e) => { e.preventDefault(); const id = compareWith.trim().toLowerCase(); if (id) navigate(`/compare/${trace.traceId}/${id}`); }}>
            <input placeholder="trace id to compare" value={compareWith} onInput={(e) => setCompareWith((e.target as HTMLInputElement).value)} size={18} />
            <button type="submit" disabled={!compareWith.trim()}>Compare</button>
          </form>
          <button onClick={reload} title="fetch the trace again (spans may still be arriving)">Reload</button>
        </div>
      </div>

      <div class="trace-layout">
        <div class="trace-main">
          <div class="wf-toolbar">
            <div class="wf-filter">
              <input data-testid="trace-filter" placeholder="filter: name, key=value, error, >10ms" value={filterText}
                onInput={(e) => { setFilterText((e.target as HTMLInputElement).value); setCur(-1); }}
                onKeyDown={(e) => { if (e.key === 'Enter') { e.preventDefault(); step(e.shiftKey ? -1 : 1); } if (e.key === 'Escape') { setFilterText(''); setCur(-1); } }} />
              {matches && <span class="match-count" data-testid="match-count">{matches.list.length ? `${cur >= 0 ? cur + 1 : '–'} of ${fmtCount(matches.list.length)}` : 'no match'}</span>}
              <button disabled={!matches?.list.length} onClick={() => step(-1)} aria-label="previous match" title="previous (Shift+Enter)">▲</button>
              <button disabled={!matches?.list.length} onClick={() => step(1)} aria-label="next match" title="next (Enter)">▼</button>
            </div>
            <div class="wf-tools">
              <button onClick={() => collapseToDepth(-1)}>Expand all</button>
              <button onClick={() => collapseToDepth(1)}>Collapse to children of root</button>
              <span class="legend"><span><i class="crit-legend" />critical path</span><span><i style={{ background: '#d64545' }} />error</span><span><i class="log-legend" />log</span></span>
            </div>
          </div>
          <Waterfall model={model} rows={rows} collapsed={collapsed} selected={selected} matchFlags={matches?.flags || null}
            current={matches && cur >= 0 ? matches.list[cur] : -1} scrollTo={scrollTo} logTimes={logTimes} onSelect={select} onToggle={toggle} onPainted={onPainted} />
          <TraceLogs trace={trace} model={model} selected={selSpan} onSelect={(q) => { reveal(q); select(q); setScrollTo((s) => ({ pos: q, n: s.n + 1 })); }} />
        </div>
        <aside class="trace-side">
          {selSpan ? <SpanDetails span={selSpan} trace={trace} model={model} pos={selected} onSelect={select} />
            : <TraceOverview trace={trace} model={model} onSelect={(q) => { reveal(q); select(q); setScrollTo((s) => ({ pos: q, n: s.n + 1 })); }} />}
        </aside>
      </div>
    </div>
  );
}

/** With no span selected: where the time went (the critical path by operation) and the services. */
function TraceOverview({ trace, model, onSelect }: { trace: Trace; model: TraceModel; onSelect: (q: number) => void }) {
  const rows = useMemo(() => {
    const by = new Map<string, { name: string; service: string; us: number; spans: number; top: number; topUs: number }>();
    let total = 0;
    for (let q = 0; q < model.spans.length; q++) {
      const c = model.critCount[q];
      if (!c) continue;
      let us = 0;
      for (let k = model.critFrom[q]; k < model.critFrom[q] + c; k++) us += model.crit[2 * k + 1] - model.crit[2 * k];
      total += us;
      const s = model.spans[q];
      const key = `${s.service}\u0001${s.name}`;
      const e = by.get(key) || by.set(key, { name: s.name, service: s.service, us: 0, spans: 0, top: q, topUs: 0 }).get(key)!;
      e.us += us; e.spans++;
      if (us > e.topUs) { e.topUs = us; e.top = q; }
    }
    return { total, list: [...by.values()].sort((a, b) => b.us - a.us).slice(0, 10) };
  }, [model]);
  const whole = Math.max(1, model.endUs - model.startUs);
  return (
    <div class="detail" data-testid="trace-overview">
      <div class="detail-kicker">this trace</div>
      <h2>Where the time went</h2>
      <p class="muted small">The critical path: the chain of spans that bounds the trace's end ({fmtUs(rows.total)} of {fmtUs(whole)}), by operation. Select a span in the waterfall for its details.</p>
      <table class="grid compact crit-table">
        <thead><tr><th>operation</th><th class="num">on path</th><th class="num">share</th></tr></thead>
        <tbody>
          {rows.list.map((r) => (
            <tr key={r.service + r.name} class="clickable" onClick={() => onSelect(r.top)}>
              <td><ServiceDot color={serviceColor(r.service)} />{r.name}{r.spans > 1 && <span class="muted small"> ×{r.spans}</span>}</td>
              <td class="num">{fmtUs(r.us)}</td>
              <td class="num"><span class="share-bar" style={{ width: `${Math.round((r.us / whole) * 40)}px` }} />{Math.round((r.us / whole) * 100)} %</td>
            </tr>
          ))}
        </tbody>
      </table>
      <h3>Services</h3>
      <table class="grid compact">
        <thead><tr><th>service</th><th class="num">spans</th><th class="num">errors</th></tr></thead>
        <tbody>
          {trace.services.map((s) => (
            <tr key={s.name}><td><ServiceDot color={serviceColor(s.name)} />{s.name}</td><td class="num">{fmtCount(s.spanCount)}</td><td class={`num ${s.errorCount ? 'bad' : ''}`}>{fmtCount(s.errorCount)}</td></tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function SpanDetails({ span, trace, model, pos, onSelect }: { span: Span; trace: Trace; model: TraceModel; pos: number; onSelect: (q: number) => void }) {
  const logs = useMemo(() => trace.logs.filter((l) => l.spanId === span.spanId), [trace, span]);
  const flags = span.events.filter((e) => e.name === 'feature_flag.evaluation' || e.name === 'feature_flag');
  const events = span.events.filter((e) => !flags.includes(e));
  const parent = model.parent[pos];
  const crit = model.critCount[pos] ? critSegments(model, pos) : null;
  const critUs = crit ? crit.reduce((a, [x, y]) => a + y - x, 0) : 0;
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => { ref.current?.scrollTo?.(0, 0); }, [span.spanId]);
  return (
    <div class="detail span-detail" data-testid="span-details" data-span-id={span.spanId} ref={ref}>
      <div class="detail-kicker">{span.kind} span · <ServiceDot color={serviceColor(span.service)} />{span.service}</div>
      <h2>{span.name}</h2>
      {span.status.code === 'error' ? (
        <div class="status-error" data-testid="span-status">error{span.status.message ? `: ${span.status.message}` : ''}</div>
      ) : (
        <div class={`status-${span.status.code}`} data-testid="span-status">status {span.status.code}{span.status.message ? `: ${span.status.message}` : ''}</div>
      )}
      {model.errorBelow[pos] === 1 && span.status.code !== 'error' && <div class="status-below">an error happened below this span</div>}
      <div class="kv">
        <span>duration</span><b>{fmtUs(span.durationUs)}</b>
        <span>starts at</span><b>+{fmtUs(span.startUs - model.startUs)} <span class="muted">({fmtTime(span.startUs)})</span></b>
        {crit && <><span>critical path</span><b>{fmtUs(critUs)} of it</b></>}
        <span>span id</span><b class="mono">{span.spanId}</b>
        <span>parent</span><b>{parent >= 0 ? <a href="#" onClick={(e) => { e.preventDefault(); onSelect(parent); }}>{model.spans[parent].name}</a> : span.parentSpanId ? <span class="mono">{span.parentSpanId} (not in trace)</span> : 'none (root)'}</b>
        <span>scope</span><b>{span.scope.name}{span.scope.version ? ` ${span.scope.version}` : ''}</b>
        {span.traceState && <><span>trace state</span><b class="mono">{span.traceState}</b></>}
      </div>
      <h3>Attributes</h3>
      <AttrTable attrs={span.attributes} />
      {flags.length > 0 && (
        <>
          <h3>Feature flags</h3>
          <table class="attrs" data-testid="feature-flags">
            <tbody>{flags.map((f, i) => (
              <tr key={i}><th>{fmtValue(f.attributes['feature_flag.key'])}</th><td><b>{fmtValue(f.attributes['feature_flag.result.variant'] ?? f.attributes['feature_flag.variant'] ?? f.attributes['feature_flag.result.value'])}</b> <span class="muted small">{fmtValue(f.attributes['feature_flag.provider.name'] ?? f.attributes['feature_flag.provider_name'])} · +{fmtUs(f.timeUs - span.startUs)}</span></td></tr>
            ))}</tbody>
          </table>
        </>
      )}
      {events.length > 0 && (
        <>
          <h3>Events ({events.length})</h3>
          {events.map((e, i) => (
            <div class={`event ${e.name === 'exception' ? 'exception' : ''}`} key={i}>
              <div class="event-head"><b>{e.name}</b> <span class="muted small">+{fmtUs(e.timeUs - span.startUs)}</span></div>
              <AttrTable attrs={e.attributes} empty="" />
            </div>
          ))}
        </>
      )}
      {span.links.length > 0 && (
        <>
          <h3>Links ({span.links.length})</h3>
          {span.links.map((l, i) => (
            <div class="event" key={i}>
              <a href={`/traces/${l.traceId}?span=${l.spanId}`} class="mono">{shortId(l.traceId)} / {l.spanId}</a>
              <AttrTable attrs={l.attributes} empty="" />
            </div>
          ))}
        </>
      )}
      <h3>Logs of this span ({logs.length})</h3>
      <div data-testid="span-logs">
        {logs.length ? logs.map((l, i) => <LogLine key={i} l={l} base={model.startUs} />) : <div class="muted small">No log records were emitted inside this span.</div>}
        {logs.length > 0 && <a class="small" href={`/logs?traceId=${trace.traceId}&spanId=${span.spanId}`}>open in log search →</a>}
      </div>
      <details class="resource">
        <summary>Resource ({Object.keys(trace.resources[span.resource] || {}).length} attributes)</summary>
        <AttrTable attrs={trace.resources[span.resource]} />
      </details>
    </div>
  );
}

function LogLine({ l, base, spanName, onSpan }: { l: LogRecord; base: number; spanName?: string; onSpan?: () => void }) {
  return (
    <div class={`log-line sev-line-${l.severityNumber >= 17 ? 'error' : l.severityNumber >= 13 ? 'warn' : 'info'}`}>
      <span class="log-off mono">+{fmtUs(l.timeUs - base)}</span>
      <SeverityBadge text={l.severityText} num={l.severityNumber} />
      <span class="log-body">{l.body}</span>
      {spanName !== undefined && (onSpan ? <a href="#" class="log-span" onClick={(e) => { e.preventDefault(); onSpan(); }}>{spanName}</a> : <span class="log-span muted">{spanName}</span>)}
    </div>
  );
}

function TraceLogs({ trace, model, selected, onSelect }: { trace: Trace; model: TraceModel; selected?: Span; onSelect: (q: number) => void }) {
  const [all, setAll] = useState(false);
  const logs = trace.logs;
  const shown = all ? logs : logs.slice(0, 200);
  return (
    <section class="panel trace-logs" data-testid="trace-logs">
      <header class="panel-head"><h2>Logs in this trace ({fmtCount(logs.length)})</h2>
        <div class="panel-actions"><a class="small" href={`/logs?traceId=${trace.traceId}`}>search these logs →</a></div></header>
      <div class="panel-body">
        {!logs.length && <div class="muted small">No log record carries this trace's id.</div>}
        {shown.map((l, i) => {
          const q = l.spanId ? model.index.get(l.spanId) : undefined;
          return (
            <div key={i} class={selected && l.spanId === selected.spanId ? 'log-sel' : ''}>
              <LogLine l={l} base={model.startUs} spanName={q !== undefined ? model.spans[q].name : l.spanId ? `span ${shortId(l.spanId)}` : '(no span)'} onSpan={q !== undefined ? () => onSelect(q) : undefined} />
            </div>
          );
        })}
        {!all && logs.length > 200 && <button onClick={() => setAll(true)}>Show all {fmtCount(logs.length)}</button>}
      </div>
    </section>
  );
}
