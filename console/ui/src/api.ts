import { authHeaders, tokenRequired } from './auth';
// The console's JSON API (console/README.md): shapes and one fetch helper.
// Times in answers are unix microseconds (`...Us`); query times are unix milliseconds.

export interface Red { requests: number; errors: number; rate: number; errorRate: number; p50Ms: number; p95Ms: number; p99Ms: number }
export interface RedPoint extends Red { t: number }
export interface SignalStats { bytes: number; budgetBytes: number; items: number; ingested: number; evicted: Record<string, number>; dropped: Record<string, number>; oldestUs?: number }
export interface StoreStats {
  budgetBytes: number; usedBytes: number; startedUs: number;
  signals: Record<'spans' | 'logs' | 'metrics' | 'derived', SignalStats>;
  tracesEvicted: number; evictedSinceUs?: number; ingestQueue: { bytes: number; capacityBytes: number };
}
export interface ServiceCount { name: string; spanCount: number; errorCount: number }
export interface TraceSummary { traceId: string; rootService: string; rootName: string; startUs: number; durationUs: number; spanCount: number; errorCount: number; services: ServiceCount[]; incomplete: boolean }
export type Attrs = Record<string, unknown>;
export type SpanKind = 'internal' | 'server' | 'client' | 'producer' | 'consumer';
export interface Span {
  spanId: string; parentSpanId?: string; name: string; kind: SpanKind; service: string; resource: string;
  startUs: number; durationUs: number; status: { code: 'unset' | 'ok' | 'error'; message?: string };
  attributes: Attrs; events: { name: string; timeUs: number; attributes: Attrs }[];
  links: { traceId: string; spanId: string; attributes: Attrs }[]; scope: { name: string; version?: string }; traceState?: string;
}
export interface LogRecord { timeUs: number; observedTimeUs: number; severityNumber: number; severityText: string; body: string; attributes: Attrs; traceId?: string; spanId?: string; service: string; scope?: { name: string; version?: string }; eventName?: string }
export interface Trace { traceId: string; startUs: number; durationUs: number; spanCount: number; errorCount: number; incomplete: boolean; services: ServiceCount[]; resources: Record<string, Attrs>; spans: Span[]; logs: LogRecord[] }
export interface GraphNode extends Red { id: string; name: string; kind: 'service' | 'tome' | 'virtual' }
export interface GraphEdge extends Red { id: string; source: string; target: string; kind: 'rpc' | 'forward' | 'messaging' }
export interface Graph { windowMs: number; nodes: GraphNode[]; edges: GraphEdge[] }
export interface OperationRed extends Red { service: string; operation: string; spanKind: SpanKind }
export interface MetricInfo { name: string; description: string; unit: string; type: 'sum' | 'gauge' | 'histogram'; monotonic: boolean; services: string[]; series: unknown }
export interface Exemplar { t: number; value: number; traceId: string; spanId: string }
export interface MetricPoint { t: number; value?: number; rate?: number; count?: number; sum?: number; p50?: number; p95?: number; p99?: number; exemplars?: Exemplar[] }
export interface MetricSeries { name: string; description: string; unit: string; type: 'sum' | 'gauge' | 'histogram'; monotonic: boolean; series: { service: string; attributes: Attrs; points: MetricPoint[] }[] }
export interface RunningSpan { traceId: string; spanId: string; parentSpanId?: string; name: string; kind: SpanKind; service: string; startUs: number; elapsedUs: number }
export type Health = 'healthy' | 'degraded' | 'unhealthy' | string;
export interface NetworkTome { id: string; state?: string; eventsReceived?: number; remote: boolean; endpoint?: string; health: Health }
export interface NetworkConnection { id: string; source: string; target: string; bidirectional: boolean; health: Health; eventsForwarded: number; eventsDropped: number; lastActivityUs?: number }
export interface Network { tomes: NetworkTome[]; connections: NetworkConnection[] }

export class ApiError extends Error {
  constructor(message: string, readonly code: string, readonly status: number) { super(message); }
}

export type Params = Record<string, string | number | boolean | undefined | null | string[]>;

export function query(params: Params): string {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '' || v === false) continue;
    if (Array.isArray(v)) for (const x of v) { if (x !== '') q.append(k, x); }
    else q.set(k, String(v));
  }
  const s = q.toString();
  return s ? `?${s}` : '';
}

type Body<T> = { success?: boolean; data?: T; error?: { code?: string; message?: string } };
interface Prefetched { path: string; res: Promise<{ status: number; statusText: string; body?: unknown }> }

/** GET /console/api/<path>; resolves to `data`, rejects with the API's own error message. */
export function api<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return get<T>(`/console/api/${path}${query(params)}`, path, signal);
}

/** GET /api/<path> of tome's own HTTP API (the same envelope). */
export function proxyApi<T>(path: string, params: Params = {}, signal?: AbortSignal): Promise<T> {
  return get<T>(`/api/${path}${query(params)}`, undefined, signal);
}

async function get<T>(url: string, path: string | undefined, signal?: AbortSignal): Promise<T> {
  let status = 0, statusText = '';
  let body: Body<T> | undefined;
  try {
    // index.html may have fetched (and parsed) this one already, while the code was loading.
    const w = window as { __tomePrefetch?: Prefetched };
    const pre = w.__tomePrefetch;
    if (pre && path !== undefined && pre.path === path && url === `/console/api/${path}`) {
      delete w.__tomePrefetch;
      const r = await pre.res;
      ({ status, statusText } = r);
      body = r.body as Body<T> | undefined;
    } else {
      const res = await fetch(url, { signal, headers: authHeaders({ accept: 'application/json' }) });
      ({ status, statusText } = res);
      try { body = await res.json(); } catch { /* not JSON */ }
    }
  } catch (e) {
    if ((e as Error).name === 'AbortError') throw e;
    throw new ApiError(`cannot reach the tome server (${(e as Error).message})`, 'unreachable', 0);
  }
  if (signal?.aborted) throw new DOMException('aborted', 'AbortError');
  if (status === 401) tokenRequired();
  if (body && body.success === true) return body.data as T;
  const message = body?.error?.message || `${status} ${statusText || 'error'} from ${url}`;
  throw new ApiError(message, body?.error?.code || 'http_error', status);
}

/** One record of tome's audit trail (GET /api/audit). */
export interface AuditRecord {
  seq: number; time: string; timeUnixMs: number; who: string; method: string; route: string; target: string;
  before: unknown; after: unknown; status: number; result: string; message: string; traceId: string; spanId: string;
}
