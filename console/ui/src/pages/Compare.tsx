// `/compare/{a}/{b}` — two traces as a structural diff. Spans are matched by their path of
// (service, name, sibling index) from the root; each row shows A's and B's duration and the
// change, or that the span is only in one of them.
import { useMemo } from 'preact/hooks';
import { api, type Span, type Trace } from '../api';
import { fmtTime, fmtUs, serviceColor, shortId } from '../format';
import { useLoad } from '../hooks';
import { ErrorBox, Loading, ServiceDot } from '../components/ui';

interface DiffRow { key: string; depth: number; service: string; name: string; a?: Span; b?: Span; aCount: number; bCount: number }

function paths(t: Trace): Map<string, { span: Span; depth: number }> {
  const kids = new Map<string, Span[]>();
  const ids = new Set(t.spans.map((s) => s.spanId));
  const roots: Span[] = [];
  for (const s of t.spans) {
    if (s.parentSpanId && ids.has(s.parentSpanId)) (kids.get(s.parentSpanId) || kids.set(s.parentSpanId, []).get(s.parentSpanId)!).push(s);
    else roots.push(s);
  }
  const out = new Map<string, { span: Span; depth: number }>();
  const walk = (list: Span[], prefix: string, depth: number) => {
    list.sort((x, y) => x.startUs - y.startUs);
    const seen = new Map<string, number>();
    for (const s of list) {
      const id = `${s.service}\u0001${s.name}`;
      const n = seen.get(id) || 0;
      seen.set(id, n + 1);
      const key = `${prefix}/${id}#${n}`;
      out.set(key, { span: s, depth });
      const k = kids.get(s.spanId);
      if (k) walk(k, key, depth + 1);
    }
  };
  walk(roots, '', 0);
  return out;
}

function diff(a: Trace, b: Trace): DiffRow[] {
  const pa = paths(a), pb = paths(b);
  const keys = [...pa.keys()];
  // Insert B-only keys after their parent's last key in the list, keeping tree order.
  for (const k of pb.keys()) {
    if (pa.has(k)) continue;
    const parent = k.slice(0, k.lastIndexOf('/'));
    let at = keys.length;
    if (parent) {
      const pi = keys.indexOf(parent);
      if (pi >= 0) { at = pi + 1; while (at < keys.length && keys[at].startsWith(parent + '/')) at++; }
    }
    keys.splice(at, 0, k);
  }
  return keys.map((k) => {
    const x = pa.get(k), y = pb.get(k);
    const s = (x || y)!.span;
    return { key: k, depth: (x || y)!.depth, service: s.service, name: s.name, a: x?.span, b: y?.span, aCount: 0, bCount: 0 };
  });
}

export function ComparePage({ a, b }: { a: string; b: string }) {
  const ta = useLoad((s) => api<Trace>(`traces/${a}`, {}, s), a);
  const tb = useLoad((s) => api<Trace>(`traces/${b}`, {}, s), b);
  const rows = useMemo(() => (ta.data && tb.data ? diff(ta.data, tb.data) : []), [ta.data, tb.data]);
  const counts = useMemo(() => ({ onlyA: rows.filter((r) => !r.b).length, onlyB: rows.filter((r) => !r.a).length, both: rows.filter((r) => r.a && r.b).length }), [rows]);
  const shown = rows.slice(0, 3000);
  return (
    <div class="page">
      <div class="page-head">
        <h1>Compare traces</h1>
        <a class="button" href={`/compare/${b}/${a}`}>Swap A and B</a>
      </div>
      <ErrorBox error={ta.error} what={`trace A (${shortId(a)})`} />
      <ErrorBox error={tb.error} what={`trace B (${shortId(b)})`} />
      <div class="compare-head">
        {[['A', a, ta.data], ['B', b, tb.data]].map(([label, id, t]) => {
          const tr = t as Trace | undefined;
          const root = tr?.spans.find((s) => !s.parentSpanId);
          return (
            <div class={`compare-card side-${label}`} key={label as string}>
              <div class="detail-kicker">trace {label as string}</div>
              <a href={`/traces/${id}`} class="mono">{id as string}</a>
              {tr && <div class="trace-facts"><span>{root ? `${root.service}: ${root.name}` : ''}</span><span>{fmtTime(tr.startUs)}</span><span><b>{fmtUs(tr.durationUs)}</b></span><span>{tr.spanCount} spans</span>{tr.errorCount > 0 && <span class="err-mark">● {tr.errorCount} errors</span>}</div>}
            </div>
          );
        })}
      </div>
      {(ta.loading || tb.loading) && !rows.length && !ta.error && !tb.error && <Loading what="both traces" />}
      {rows.length > 0 && (
        <section class="panel">
          <header class="panel-head">
            <h2>Structure</h2>
            <div class="panel-actions small">
              <span class="tag both">{counts.both} in both</span> <span class="tag only-a">{counts.onlyA} only in A</span> <span class="tag only-b">{counts.onlyB} only in B</span>
            </div>
          </header>
          <table class="grid compare-table" data-testid="compare-table">
            <thead><tr><th>span (matched by path of service and name from the root)</th><th class="num">A</th><th class="num">B</th><th class="num">change</th></tr></thead>
            <tbody>
              {shown.map((r) => {
                const d = r.a && r.b ? r.b.durationUs - r.a.durationUs : 0;
                const pct = r.a && r.b && r.a.durationUs ? d / r.a.durationUs : 0;
                const cls = !r.b ? 'only-a' : !r.a ? 'only-b' : Math.abs(pct) >= 0.2 && Math.abs(d) >= 1000 ? (d > 0 ? 'slower' : 'faster') : '';
                return (
                  <tr key={r.key} class={cls} data-diff={!r.b ? 'only-a' : !r.a ? 'only-b' : 'both'}>
                    <td style={{ paddingLeft: `${8 + Math.min(r.depth, 30) * 16}px` }}>
                      <ServiceDot color={serviceColor(r.service)} />{r.name} <span class="muted small">{r.service}</span>
                      {!r.b && <span class="tag only-a">only in A</span>}{!r.a && <span class="tag only-b">only in B</span>}
                      {(r.a?.status.code === 'error' || r.b?.status.code === 'error') && <span class="err-mark" title="error"> ●</span>}
                    </td>
                    <td class="num">{r.a ? <a href={`/traces/${a}?span=${r.a.spanId}`}>{fmtUs(r.a.durationUs)}</a> : '–'}</td>
                    <td class="num">{r.b ? <a href={`/traces/${b}?span=${r.b.spanId}`}>{fmtUs(r.b.durationUs)}</a> : '–'}</td>
                    <td class="num delta">{r.a && r.b ? `${d >= 0 ? '+' : '−'}${fmtUs(Math.abs(d))} (${pct >= 0 ? '+' : '−'}${Math.abs(pct * 100).toFixed(0)} %)` : ''}</td>
                  </tr>
                );
              })}
            </tbody>
          </table>
          {rows.length > shown.length && <div class="muted small">First {shown.length} of {rows.length} rows.</div>}
        </section>
      )}
    </div>
  );
}
