// Rate, errors and latency percentiles over time from /console/api/red.
import { useMemo } from 'preact/hooks';
import { api, type RedPoint, type Red, type Params } from '../api';
import { fmtMs, fmtPct, fmtRate } from '../format';
import { useLoad } from '../hooks';
import { Chart } from './Chart';
import { ErrorBox } from './ui';

export function RedCharts({ params, window, compact = false, testId }: { params: Params; window: string; compact?: boolean; testId?: string }) {
  const key = JSON.stringify([params, window]);
  const r = useLoad((s) => api<{ stepMs: number; points: RedPoint[]; total: Red }>('red', { ...params, window }, s), key, 10_000);
  const charts = useMemo(() => {
    // The bucket still filling would read as a drop: leave it out.
    const step = r.data?.stepMs || 0;
    const pts = (r.data?.points || []).filter((p) => p.t + step <= Date.now() + 1000);
    const times = pts.map((p) => p.t);
    return {
      times,
      rate: [{ label: 'rate', color: '#2f6fde', values: pts.map((p) => p.rate), fill: true }],
      errors: [{ label: 'error rate', color: '#d64545', values: pts.map((p) => p.errorRate * 100) }],
      latency: [
        { label: 'p50', color: '#0f9d8a', values: pts.map((p) => (p.requests ? p.p50Ms : null)) },
        { label: 'p95', color: '#d9822b', values: pts.map((p) => (p.requests ? p.p95Ms : null)) },
        { label: 'p99', color: '#c2417a', values: pts.map((p) => (p.requests ? p.p99Ms : null)), dash: true },
      ],
    };
  }, [r.data]);
  const h = compact ? 120 : 170;
  return (
    <div class={`red-charts ${compact ? 'compact' : ''}`} data-testid={testId}>
      <ErrorBox error={r.error} what="RED" />
      <Chart title="Request rate" times={charts.times} series={charts.rate} format={(v) => fmtRate(v)} height={h} />
      <Chart title="Error rate" times={charts.times} series={charts.errors} format={(v) => fmtPct(v / 100)} height={h} />
      <Chart title="Latency" times={charts.times} series={charts.latency} format={(v) => fmtMs(v)} height={h} />
    </div>
  );
}
