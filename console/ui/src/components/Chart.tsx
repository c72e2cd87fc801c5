// A time-series chart on uPlot: aligned series over unix-ms timestamps, optional exemplar
// points that open their trace on click.
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import type { Exemplar } from '../api';
import { navigate } from '../router';

export interface ChartSeries { label: string; color: string; values: (number | null)[]; dash?: boolean; fill?: boolean }
export interface ChartProps {
  title?: string;
  times: number[]; // unix ms
  series: ChartSeries[];
  exemplars?: Exemplar[];
  format: (v: number) => string;
  axisFormat?: (v: number) => string;
  height?: number;
  min?: number;
  testId?: string;
}

export const COLORS = ['#2f6fde', '#d9822b', '#c2417a', '#0f9d8a', '#8a4fd8', '#3f8f2f', '#5b6b7f'];

export function Chart({ title, times, series, exemplars = [], format, axisFormat, height = 180, min, testId }: ChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const points = series.reduce((n, s) => n + s.values.filter((v) => v !== null && v !== undefined).length, 0);

  useEffect(() => {
    const el = box.current;
    if (!el || !times.length) return;
    // Exemplars get their own x positions: merge them into the time axis.
    const ex = exemplars.filter((e) => e.t >= times[0] - 60_000 && e.t <= times[times.length - 1] + 60_000);
    let xs = times;
    let ys = series.map((s) => s.values);
    let exY: (number | null)[] = [];
    if (ex.length) {
      const all = [...times.map((t, i) => ({ t, i, e: -1 })), ...ex.map((e, j) => ({ t: e.t, i: -1, e: j }))].sort((a, b) => a.t - b.t);
      xs = all.map((p) => p.t);
      ys = series.map((s) => all.map((p) => (p.i >= 0 ? s.values[p.i] : null)));
      exY = all.map((p) => (p.e >= 0 ? ex[p.e].value : null));
    }
    const exAt = new Map<number, Exemplar>();
    if (ex.length) xs.forEach((t, k) => { if (exY[k] !== null) exAt.set(k, ex.find((e) => e.t === t && e.value === exY[k])!); });
    const data: uPlot.AlignedData = [xs.map((t) => t / 1000), ...ys, ...(ex.length ? [exY] : [])] as uPlot.AlignedData;
    const opts: uPlot.Options = {
      width: Math.max(200, el.clientWidth),
      height,
      legend: { show: true, live: true },
      cursor: { points: { size: 6 }, drag: { x: false, y: false } },
      scales: { x: { time: true }, y: { range: (_u, lo, hi) => [min ?? Math.min(0, lo ?? 0), hi && hi > 0 ? hi * 1.1 : 1] } },
      axes: [
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#dde1e6' }, font: '11px system-ui, sans-serif', space: 70 },
        { stroke: '#5b6472', grid: { stroke: '#eef0f3' }, ticks: { stroke: '#dde1e6' }, font: '11px system-ui, sans-serif', size: 64, values: (_u, vals) => vals.map((v) => (axisFormat || format)(v)) },
      ],
      series: [
        { value: (_u, v) => (v === null ? '–' : new Date(v * 1000).toLocaleTimeString()) },
        ...series.map((s) => ({ label: s.label, stroke: s.color, width: 1.5, spanGaps: true, dash: s.dash ? [4, 3] : undefined, fill: s.fill ? s.color + '22' : undefined, points: { show: false }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)) })),
        ...(ex.length ? [{ label: 'exemplars (click: trace)', stroke: '#111827', fill: '#fff', width: 0, paths: () => null, points: { show: true, size: 7, width: 1.5, stroke: '#111827', fill: '#ffd24d' }, value: (_u: uPlot, v: number | null) => (v === null ? '–' : format(v)) }] : []),
      ] as uPlot.Series[],
    };
    plot.current?.destroy();
    const cleanups: (() => void)[] = [];
    const u = new uPlot(opts, data, el);
    plot.current = u;
    // For tests and debugging: the exemplars' positions in CSS pixels relative to the plot area.
    (el as HTMLDivElement & { exemplarPoints?: () => { x: number; y: number; traceId: string; spanId: string }[] }).exemplarPoints = () => {
      const o = u.over.getBoundingClientRect(), r = el.getBoundingClientRect();
      return [...exAt.entries()].map(([k, e]) => ({ x: o.left - r.left + u.valToPos(xs[k] / 1000, 'x'), y: o.top - r.top + u.valToPos(exY[k]!, 'y'), traceId: e.traceId, spanId: e.spanId }));
    };
    if (ex.length) {
      u.over.style.cursor = 'default';
      const nearest = (ev: MouseEvent): Exemplar | undefined => {
        const r = u.over.getBoundingClientRect();
        const x = ev.clientX - r.left, y = ev.clientY - r.top;
        let best: Exemplar | undefined, bd = 100;
        exAt.forEach((e, k) => {
          const px = u.valToPos(xs[k] / 1000, 'x'), py = u.valToPos(exY[k]!, 'y');
          const d = (px - x) ** 2 + (py - y) ** 2;
          if (d < bd) { bd = d; best = e; }
        });
        return best;
      };
      u.over.addEventListener('mousemove', (ev) => { const e = nearest(ev); u.over.style.cursor = e ? 'pointer' : 'default'; u.over.title = e ? `exemplar ${format(e.value)} — open trace ${e.traceId.slice(0, 8)}` : ''; });
      // Captured on the way down, before uPlot's own handlers on its overlay (which can stop a
      // click from reaching a listener on the overlay itself).
      const onClick = (ev: MouseEvent) => {
        if (!u.over.contains(ev.target as Node)) return;
        const e = nearest(ev);
        if (e) navigate(`/traces/${e.traceId}?span=${e.spanId}`);
      };
      el.addEventListener('click', onClick, true);
      cleanups.push(() => el.removeEventListener('click', onClick, true));
    }
    const ro = new ResizeObserver(() => { if (el.clientWidth > 0 && Math.abs(el.clientWidth - u.width) > 2) u.setSize({ width: el.clientWidth, height }); });
    ro.observe(el);
    return () => { ro.disconnect(); cleanups.forEach((c) => c()); u.destroy(); plot.current = null; };
  }, [times, series, exemplars, height]);

  return (
    <div class="chart" data-testid={testId} data-points={points} data-exemplars={exemplars.length}>
      {title && <div class="chart-title">{title}</div>}
      {times.length && points ? <div ref={box} class="chart-canvas" /> : <div class="chart-empty" style={{ height: `${Math.min(height, 120)}px` }}>no data in this window</div>}
    </div>
  );
}
