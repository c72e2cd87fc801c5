// The span tree of one trace, flattened in pre-order, with what the waterfall needs computed
// once: depth, subtree sizes, errors below, and the critical path.
import type { Span, Trace } from './api';

export interface TraceModel {
  spans: Span[];          // in pre-order (children by start time)
  depth: Int32Array;
  parent: Int32Array;     // pre-order index of the parent, -1 for roots
  size: Int32Array;       // number of descendants
  childCount: Int32Array;
  errorBelow: Uint8Array; // 1 when a descendant has status error
  critical: Map<number, [number, number][]>; // pre-order index -> on-path segments (µs, absolute)
  index: Map<string, number>; // spanId -> pre-order index
  startUs: number;
  endUs: number;
  orphans: number;        // spans whose parent is not in the trace (shown as roots)
  services: string[];
}

export function buildModel(trace: Trace): TraceModel {
  const src = trace.spans;
  const n = src.length;
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) byId.set(src[i].spanId, i);
  const kids: number[][] = new Array(n);
  const roots: number[] = [];
  let orphans = 0;
  for (let i = 0; i < n; i++) {
    const p = src[i].parentSpanId;
    const pi = p !== undefined ? byId.get(p) : undefined;
    if (pi === undefined || pi === i) { roots.push(i); if (p) orphans++; }
    else (kids[pi] ||= []).push(i);
  }
  const byStart = (a: number, b: number) => src[a].startUs - src[b].startUs || (src[b].durationUs - src[a].durationUs);
  roots.sort(byStart);
  for (const k of kids) if (k && k.length > 1) k.sort(byStart);

  const spans: Span[] = new Array(n);
  const depth = new Int32Array(n), parent = new Int32Array(n), size = new Int32Array(n), childCount = new Int32Array(n);
  const errorBelow = new Uint8Array(n);
  const order = new Int32Array(n); // pre-order position -> source index
  const index = new Map<string, number>();
  // Iterative pre-order walk.
  const stack: [number, number, number][] = []; // [source index, depth, parent position]
  for (let r = roots.length - 1; r >= 0; r--) stack.push([roots[r], 0, -1]);
  let pos = 0;
  const seen = new Uint8Array(n);
  while (stack.length) {
    const [i, d, p] = stack.pop()!;
    if (seen[i]) continue; // cycles in broken data
    seen[i] = 1;
    order[pos] = i;
    spans[pos] = src[i];
    depth[pos] = d;
    parent[pos] = p;
    index.set(src[i].spanId, pos);
    const k = kids[i];
    if (k) { childCount[pos] = k.length; for (let j = k.length - 1; j >= 0; j--) stack.push([k[j], d + 1, pos]); }
    pos++;
  }
  const count = pos;
  // Sizes and errors below, in reverse pre-order (children before parents).
  for (let q = count - 1; q >= 0; q--) {
    const p = parent[q];
    if (p >= 0) {
      size[p] += size[q] + 1;
      if (errorBelow[q] || spans[q].status.code === 'error') errorBelow[p] = 1;
    }
  }
  let startUs = Infinity, endUs = -Infinity;
  const services = new Set<string>();
  for (let q = 0; q < count; q++) {
    const s = spans[q];
    if (s.startUs < startUs) startUs = s.startUs;
    if (s.startUs + s.durationUs > endUs) endUs = s.startUs + s.durationUs;
    services.add(s.service);
  }
  if (!count) { startUs = trace.startUs; endUs = trace.startUs + trace.durationUs; }

  // Children lists by pre-order position, for the critical path.
  const childPos: number[][] = new Array(count);
  for (let q = 1; q < count; q++) { const p = parent[q]; if (p >= 0) (childPos[p] ||= []).push(q); }
  const critical = new Map<number, [number, number][]>();
  const addSeg = (q: number, a: number, b: number) => { if (b > a) (critical.get(q) || critical.set(q, []).get(q)!).push([a, b]); };
  // The path that bounds the end of the trace: from the root that ends last, walk back from its
  // end, each time into the child that finished last before the cursor (Jaeger's definition).
  const walk = (q0: number, bound0: number) => {
    const work: [number, number][] = [[q0, bound0]];
    while (work.length) {
      const [q, bound] = work.pop()!;
      const s = spans[q];
      let cursor = Math.min(s.startUs + s.durationUs, bound);
      const ch = (childPos[q] || []).slice().sort((a, b) => spans[b].startUs + spans[b].durationUs - (spans[a].startUs + spans[a].durationUs));
      for (const c of ch) {
        const cs = spans[c];
        const cEnd = Math.min(cs.startUs + cs.durationUs, cursor);
        if (cs.startUs >= cursor || cEnd <= s.startUs) continue;
        addSeg(q, cEnd, cursor);
        work.push([c, cEnd]);
        cursor = Math.max(cs.startUs, s.startUs);
      }
      addSeg(q, s.startUs, cursor);
    }
  };
  let top = -1;
  for (let q = 0; q < count; q++) if (parent[q] < 0 && (top < 0 || spans[q].startUs + spans[q].durationUs > spans[top].startUs + spans[top].durationUs)) top = q;
  if (top >= 0) walk(top, Infinity);

  return { spans: spans.slice(0, count), depth, parent, size, childCount, errorBelow, critical, index, startUs, endUs, orphans, services: [...services] };
}

/** The pre-order positions shown when the spans in `collapsed` hide their subtrees. */
export function visibleRows(m: TraceModel, collapsed: Set<number>): Int32Array {
  const out = new Int32Array(m.spans.length);
  let k = 0;
  for (let q = 0; q < m.spans.length; ) {
    out[k++] = q;
    q = collapsed.has(q) ? q + m.size[q] + 1 : q + 1;
  }
  return out.subarray(0, k);
}

/**
 * A filter inside the trace: words match the name or service (substring, any case);
 * `key=value` an attribute (value substring); `status=error` or `error`; `>50ms`, `<2ms`
 * a duration; all terms must hold.
 */
export function spanFilter(text: string): ((s: Span) => boolean) | null {
  const terms = text.trim().split(/\s+/).filter(Boolean);
  if (!terms.length) return null;
  const tests = terms.map((t): ((s: Span) => boolean) => {
    const dur = /^([<>])=?(\d+(?:\.\d+)?)(us|µs|ms|s)?$/.exec(t);
    if (dur) {
      const us = Number(dur[2]) * ({ us: 1, µs: 1, ms: 1000, s: 1e6 } as Record<string, number>)[dur[3] || 'ms'];
      return dur[1] === '>' ? (s) => s.durationUs >= us : (s) => s.durationUs <= us;
    }
    const low = t.toLowerCase();
    if (low === 'error' || low === 'status=error' || low === 'status:error') return (s) => s.status.code === 'error';
    if (low === 'status=ok' || low === 'status:ok') return (s) => s.status.code === 'ok';
    const eq = t.indexOf('=');
    if (eq > 0) {
      const k = t.slice(0, eq), v = t.slice(eq + 1).toLowerCase();
      return (s) => {
        const x = s.attributes[k];
        if (x !== undefined) return String(x).toLowerCase().includes(v);
        if (k === 'name') return s.name.toLowerCase().includes(v);
        if (k === 'service') return s.service.toLowerCase().includes(v);
        if (k === 'kind') return s.kind === v;
        return false;
      };
    }
    return (s) => s.name.toLowerCase().includes(low) || s.service.toLowerCase().includes(low) || s.spanId === low;
  });
  return (s) => tests.every((f) => f(s));
}
