// The waterfall: a virtualised span tree on a time axis. Only the rows in view (plus a few)
// are in the DOM, so a 10,000-span trace opens and scrolls as fast as a 10-span one.
import { useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { critSegments, type TraceModel } from '../traceModel';
import { fmtUs, serviceColor } from '../format';

export const ROW_H = 26;
const OVERSCAN = 12;

function ticks(total: number, n: number): number[] {
  if (total <= 0) return [0];
  const raw = total / n;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) || raw;
  const out: number[] = [];
  for (let v = 0; v <= total + 1e-6; v += step) out.push(v);
  return out;
}

export interface WaterfallProps {
  model: TraceModel;
  rows: Int32Array;
  collapsed: Set<number>;
  selected: number;
  matchFlags: Uint8Array | null;
  current: number; // the current filter match (pre-order position) or -1
  scrollTo: { pos: number; n: number };
  logTimes: Map<string, number[]>;
  onSelect: (pos: number) => void;
  onToggle: (pos: number) => void;
  onPainted?: () => void;
}

export function Waterfall(p: WaterfallProps) {
  const { model, rows } = p;
  const scroller = useRef<HTMLDivElement>(null);
  const [top, setTop] = useState(0);
  const [viewH, setViewH] = useState(600);
  const raf = useRef(0);
  const box = useRef<HTMLDivElement>(null);
  const [nameW, setNameW] = useState<number | null>(null);
  // Drag the line between the names and the timeline to give either more room.
  const startResize = (e: MouseEvent) => {
    e.preventDefault();
    const el = box.current!;
    const left = el.getBoundingClientRect().left;
    const move = (ev: MouseEvent) => setNameW(Math.max(160, Math.min(el.clientWidth - 200, ev.clientX - left)));
    const up = () => { removeEventListener('mousemove', move); removeEventListener('mouseup', up); };
    addEventListener('mousemove', move);
    addEventListener('mouseup', up);
  };
  const total = Math.max(1, model.endUs - model.startUs);
  const tk = useMemo(() => ticks(total, 6), [total]);
  // rows is ascending (pre-order positions): find a span's row by binary search, no 10,000-entry map.
  const rowOf = useMemo(() => ({
    get(q: number): number | undefined {
      let lo = 0, hi = rows.length - 1;
      while (lo <= hi) { const mid = (lo + hi) >> 1; if (rows[mid] === q) return mid; if (rows[mid] < q) lo = mid + 1; else hi = mid - 1; }
      return undefined;
    },
  }), [rows]);

  useLayoutEffect(() => {
    const el = scroller.current!;
    setViewH(el.clientHeight || 600);
    const ro = new ResizeObserver(() => setViewH(el.clientHeight));
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  useEffect(() => { p.onPainted?.(); }, []);
  useEffect(() => {
    const el = scroller.current;
    const i = rowOf.get(p.scrollTo.pos);
    if (!el || i === undefined || p.scrollTo.n === 0) return;
    const y = i * ROW_H;
    if (y < el.scrollTop || y + ROW_H > el.scrollTop + el.clientHeight) el.scrollTop = Math.max(0, y - el.clientHeight / 3);
  }, [p.scrollTo]);

  const onScroll = () => {
    if (raf.current) return;
    raf.current = requestAnimationFrame(() => { raf.current = 0; setTop(scroller.current!.scrollTop); });
  };
  const onKey = (e: KeyboardEvent) => {
    const i = rowOf.get(p.selected);
    if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
      e.preventDefault();
      const j = i === undefined ? 0 : Math.min(rows.length - 1, Math.max(0, i + (e.key === 'ArrowDown' ? 1 : -1)));
      p.onSelect(rows[j]);
    } else if ((e.key === 'ArrowLeft' && i !== undefined && !p.collapsed.has(p.selected) && model.childCount[p.selected]) || (e.key === 'ArrowRight' && p.collapsed.has(p.selected))) {
      e.preventDefault();
      p.onToggle(p.selected);
    }
  };

  const first = Math.max(0, Math.floor(top / ROW_H) - OVERSCAN);
  const last = Math.min(rows.length, Math.ceil((top + viewH) / ROW_H) + OVERSCAN);
  const out = [];
  for (let i = first; i < last; i++) {
    const q = rows[i];
    const s = model.spans[q];
    const left = ((s.startUs - model.startUs) / total) * 100;
    const width = (s.durationUs / total) * 100;
    const err = s.status.code === 'error';
    const below = model.errorBelow[q] === 1;
    const crit = model.critCount[q] ? critSegments(model, q) : null;
    const hasKids = model.childCount[q] > 0;
    const isCollapsed = p.collapsed.has(q);
    const parent = model.parent[q];
    const showService = parent < 0 || model.spans[parent].service !== s.service;
    const match = p.matchFlags ? p.matchFlags[q] === 1 : false;
    const logs = p.logTimes.get(s.spanId);
    const labelRight = left + width < 78;
    const color = serviceColor(s.service);
    out.push(
      <div key={q} class={`wf-row${q === p.selected ? ' selected' : ''}${match ? ' match' : ''}${q === p.current ? ' current' : ''}${err ? ' err' : below ? ' err-below' : ''}${crit ? ' on-crit' : ''}`}
        style={{ top: `${i * ROW_H}px` }} data-span-id={s.spanId} data-name={s.name} data-depth={model.depth[q]} data-error={err ? 'self' : below ? 'below' : undefined} onClick={() => p.onSelect(q)}>
        <div class="wf-name" style={{ paddingLeft: `${6 + Math.min(model.depth[q], 40) * 14}px` }}>
          {hasKids ? (
            <button class="wf-toggle" aria-label={isCollapsed ? 'expand' : 'collapse'} onClick={(e) => { e.stopPropagation(); p.onToggle(q); }}>{isCollapsed ? '▸' : '▾'}</button>
          ) : <span class="wf-toggle-space" />}
          <span class="svc-dot" style={{ background: color }} />
          {err ? <span class="err-icon" title={s.status.message || 'error'}>●</span> : below ? <span class="err-below-icon" title="an error below this span">◦</span> : null}
          <span class="wf-span-name">{s.name}</span>
          {showService && <span class="wf-service">{s.service}</span>}
          {isCollapsed && <span class="wf-hidden">+{model.size[q]}</span>}
        </div>
        <div class="wf-time">
          <div class={`wf-bar${err ? ' err' : ''}`} style={{ left: `${left}%`, width: `max(2px, ${width}%)`, background: err ? undefined : color }}>
            {crit && crit.map(([a, b], k) => (
              <span key={k} class="crit" style={{ left: `${((a - s.startUs) / Math.max(1, s.durationUs)) * 100}%`, width: `${((b - a) / Math.max(1, s.durationUs)) * 100}%` }} />
            ))}
          </div>
          {logs && logs.map((t, k) => <span key={k} class="wf-log" style={{ left: `${((t - model.startUs) / total) * 100}%` }} title="log record" />)}
          <span class="wf-dur" style={labelRight ? { left: `calc(${left + width}% + 6px)` } : { right: `calc(${100 - left}% + 6px)` }}>{fmtUs(s.durationUs)}</span>
        </div>
      </div>,
    );
  }

  return (
    <div class="waterfall" data-testid="waterfall" data-rows={rows.length} ref={box} style={nameW ? { '--name-w': `${nameW}px` } : undefined}>
      <div class="wf-head">
        <div class="wf-resize" onMouseDown={startResize} title="drag to resize the span names" />
        <div class="wf-name">span<span class="muted small count">({rows.length.toLocaleString('en-US')} shown of {model.spans.length.toLocaleString('en-US')})</span></div>
        <div class="wf-time">
          {tk.map((v) => <span key={v} class="wf-tick" style={{ left: `${(v / total) * 100}%` }}>{fmtUs(v)}</span>)}
        </div>
      </div>
      <div class="wf-scroll" style={{ height: `${Math.max(4, rows.length) * ROW_H + 2}px` }} ref={scroller} onScroll={onScroll} tabIndex={0} onKeyDown={onKey}>
        <div class="wf-content" style={{ height: `${rows.length * ROW_H}px` }}>
          <div class="wf-grid">{tk.map((v) => <span key={v} style={{ left: `${(v / total) * 100}%` }} />)}</div>
          {out}
        </div>
      </div>
    </div>
  );
}
