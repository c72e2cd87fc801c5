// Trace durations over time: one point per trace, red when it has errors; a click opens it.
import { useMemo, useState } from 'preact/hooks';
import type { TraceSummary } from '../api';
import { fmtTime, fmtUs } from '../format';
import { useWidth } from '../hooks';
import { navigate } from '../router';

const H = 180, L = 64, R = 16, T = 12, B = 26;

function niceTicks(lo: number, hi: number, n: number): number[] {
  if (hi <= lo) return [lo];
  const raw = (hi - lo) / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out = [];
  for (let v = Math.ceil(lo / step) * step; v <= hi + 1e-9; v += step) out.push(v);
  return out;
}

export function Scatter({ traces, onRange }: { traces: TraceSummary[]; onRange?: (startMs: number, endMs: number) => void }) {
  const [ref, width] = useWidth<HTMLDivElement>();
  const [hover, setHover] = useState<TraceSummary | null>(null);
  const [drag, setDrag] = useState<{ a: number; b: number } | null>(null);
  const geo = useMemo(() => {
    if (!traces.length || !width) return null;
    const t0 = Math.min(...traces.map((t) => t.startUs)), t1 = Math.max(...traces.map((t) => t.startUs));
    const span = Math.max(t1 - t0, 1e6);
    const dmax = Math.max(...traces.map((t) => t.durationUs)) * 1.1 || 1;
    const x = (us: number) => L + ((us - (t1 === t0 ? t0 - span / 2 : t0)) / span) * (width - L - R);
    const y = (d: number) => T + (1 - d / dmax) * (H - T - B);
    const yt = niceTicks(0, dmax, 4);
    const xt = niceTicks(t0 / 1e6, (t0 + span) / 1e6, Math.max(2, Math.floor(width / 140))).map((s) => s * 1e6);
    const t0v = t1 === t0 ? t0 - span / 2 : t0;
    const inv = (px: number) => t0v + ((px - L) / (width - L - R)) * span; // px -> µs
    return { x, y, yt, xt, inv };
  }, [traces, width]);
  return (
    <div class="scatter" ref={ref} data-testid="trace-scatter">
      {geo && (
        <svg width={width} height={H} role="img" aria-label="trace durations over time"
          onMouseDown={(e) => { if ((e.target as Element).tagName !== 'circle' && onRange) { const x = e.offsetX; setDrag({ a: x, b: x }); } }}
          onMouseMove={(e) => { if (drag) setDrag({ a: drag.a, b: e.offsetX }); }}
          onMouseUp={() => {
            if (drag && Math.abs(drag.b - drag.a) > 6 && onRange) { const lo = Math.min(drag.a, drag.b), hi = Math.max(drag.a, drag.b); onRange(geo.inv(lo) / 1000, geo.inv(hi) / 1000); }
            setDrag(null);
          }}
          onMouseLeave={() => setDrag(null)}>
          {drag && <rect x={Math.min(drag.a, drag.b)} y={T} width={Math.abs(drag.b - drag.a)} height={H - T - B} class="brush" />}
          {geo.yt.map((v) => (
            <g key={v}>
              <line x1={L} x2={width - R} y1={geo.y(v)} y2={geo.y(v)} class="grid-line" />
              <text x={L - 6} y={geo.y(v) + 4} text-anchor="end" class="axis-label">{fmtUs(v)}</text>
            </g>
          ))}
          {geo.xt.map((v) => (
            <text key={v} x={geo.x(v)} y={H - 8} text-anchor="middle" class="axis-label">{fmtTime(v, false)}</text>
          ))}
          {traces.map((t) => (
            <circle key={t.traceId} cx={geo.x(t.startUs)} cy={geo.y(t.durationUs)} r={hover === t ? 6 : 4} class={`dot ${t.errorCount ? 'err' : ''}`} data-trace-id={t.traceId}
              onMouseEnter={() => setHover(t)} onMouseLeave={() => setHover(null)} onClick={() => navigate(`/traces/${t.traceId}`)}>
              <title>{`${t.rootService}: ${t.rootName} — ${fmtUs(t.durationUs)}, ${t.spanCount} spans${t.errorCount ? `, ${t.errorCount} errors` : ''}\n${fmtTime(t.startUs)}`}</title>
            </circle>
          ))}
        </svg>
      )}
    </div>
  );
}
