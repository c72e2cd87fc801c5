// `/running` — spans started and not yet ended in this process, with their elapsed time.
import { api, type RunningSpan } from '../api';
import { fmtTime, fmtUs, serviceColor, shortId } from '../format';
import { useLoad, useTicker } from '../hooks';
import { Empty, ErrorBox, Loading, Panel, ServiceDot } from '../components/ui';

export function RunningPage() {
  const r = useLoad((s) => api<{ spans: RunningSpan[] }>('running', { limit: 500 }, s).then((d) => ({ ...d, at: performance.now() })), 'running', 2000);
  useTicker(250);
  const spans = [...(r.data?.spans || [])].sort((a, b) => b.elapsedUs - a.elapsedUs);
  const since = r.data ? (performance.now() - r.data.at) * 1000 : 0;
  return (
    <div class="page">
      <div class="page-head"><h1>Running now</h1><span class="muted">spans started and not yet ended in this process · refreshed every 2 s</span></div>
      <ErrorBox error={r.error} what="running spans" />
      {!r.data && !r.error && <Loading what="running spans" />}
      {r.data && (spans.length === 0 ? <Empty title="Nothing is running right now">Spans appear here while they are open: run <code>tome demo</code> to see orders in flight.</Empty> : (
        <Panel title={`${spans.length} open spans`}>
          <table class="grid" data-testid="running-spans">
            <thead><tr><th>span</th><th>service</th><th>kind</th><th>started</th><th class="num">elapsed</th><th>trace</th></tr></thead>
            <tbody>
              {spans.map((s) => (
                <tr key={s.spanId}>
                  <td><b>{s.name}</b>{s.parentSpanId ? <span class="muted small"> child of {shortId(s.parentSpanId)}</span> : <span class="tag">root</span>}</td>
                  <td class="nowrap"><ServiceDot color={serviceColor(s.service)} />{s.service}</td>
                  <td class="muted">{s.kind}</td>
                  <td class="nowrap mono small">{fmtTime(s.startUs)}</td>
                  <td class="num elapsed">{fmtUs(s.elapsedUs + since)}</td>
                  <td><a class="mono small" href={`/traces/${s.traceId}?span=${s.spanId}`} title="the trace as far as it has arrived">{shortId(s.traceId)} →</a></td>
                </tr>
              ))}
            </tbody>
          </table>
        </Panel>
      ))}
    </div>
  );
}
