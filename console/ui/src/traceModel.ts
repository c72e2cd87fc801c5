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
  critFrom: Int32Array;   // critical path: segments of span q are crit[critFrom[q] .. +critCount[q]) as (start, end) µs pairs
  critCount: Int32Array;
  crit: Float64Array;
  index: { get(spanId: string): number | undefined }; // spanId -> pre-order index
  startUs: number;
  endUs: number;
  orphans: number;        // spans whose parent is not in the trace (shown as roots)
  services: string[];
}

/** The critical-path segments of span q, as [start, end] µs pairs (empty when off the path). */
export function critSegments(m: TraceModel, q: number): [number, number][] {
  const out: [number, number][] = [];
  for (let k = m.critFrom[q], e = k + m.critCount[q]; k < e; k++) out.push([m.crit[2 * k], m.crit[2 * k + 1]]);
  return out;
}

// Built with typed arrays and no per-span allocation: a 10,000-span trace takes a few ms.
export function buildModel(trace: Trace): TraceModel {
  const src = trace.spans;
  const n = src.length;
  const byId = new Map<string, number>();
  for (let i = 0; i < n; i++) byId.set(src[i].spanId, i);
  // Source indices by start time, so children lists come out sorted when appended in order.
  const byStart = new Int32Array(n);
  const st = new Float64Array(n), du = new Float64Array(n);
  for (let i = 0; i < n; i++) { byStart[i] = i; st[i] = src[i].startUs; du[i] = src[i].durationUs; }
  byStart.sort((a, b) => st[a] - st[b] || du[b] - du[a] || a - b);
  // Children as linked lists over source indices; n stands for a virtual root over the roots.
  const first = new Int32Array(n + 1).fill(-1), last = new Int32Array(n + 1).fill(-1), next = new Int32Array(n).fill(-1);
  const up = new Int32Array(n);
  let orphans = 0;
  for (let k = 0; k < n; k++) {
    const i = byStart[k];
    const p = src[i].parentSpanId;
    let pi = p !== undefined ? byId.get(p) : undefined;
    if (pi === undefined || pi === i) { if (p) orphans++; pi = n; }
    up[i] = pi;
    if (last[pi] < 0) first[pi] = i; else next[last[pi]] = i;
    last[pi] = i;
  }
  const spans: Span[] = [];
  const depth = new Int32Array(n), parent = new Int32Array(n), size = new Int32Array(n), childCount = new Int32Array(n);
  const posOf = new Int32Array(n + 1).fill(-1);
  const errorBelow = new Uint8Array(n);
  // Pre-order walk without a stack: down to the first child, else on to the next sibling up the tree.
  let pos = 0;
  let i = first[n];
  while (i >= 0) {
    const pp = up[i] === n ? -1 : posOf[up[i]];
    posOf[i] = pos;
    spans.push(src[i]);
    parent[pos] = pp;
    depth[pos] = pp < 0 ? 0 : depth[pp] + 1;
    if (pp >= 0) childCount[pp]++;
    pos++;
    if (first[i] >= 0) { i = first[i]; continue; }
    while (i >= 0 && i !== n && next[i] < 0) i = up[i];
    i = i >= 0 && i !== n ? next[i] : -1;
  }
  // Spans in parent cycles (broken data) are never reached from a root: show them as roots.
  if (pos < n) {
    for (let j = 0; j < n; j++) {
      if (posOf[j] >= 0) continue;
      posOf[j] = pos; spans.push(src[j]); parent[pos] = -1; depth[pos] = 0; pos++; orphans++;
    }
  }
  // Sizes and errors below, in reverse pre-order (children before parents).
  for (let q = n - 1; q >= 0; q--) {
    const p = parent[q];
    if (p >= 0) {
      size[p] += size[q] + 1;
      if (errorBelow[q] || spans[q].status.code === 'error') errorBelow[p] = 1;
    }
  }
  let startUs = Infinity, endUs = -Infinity;
  const services = new Set<string>();
  for (let q = 0; q < n; q++) {
    const s = spans[q];
    if (s.startUs < startUs) startUs = s.startUs;
    if (s.startUs + s.durationUs > endUs) endUs = s.startUs + s.durationUs;
    services.add(s.service);
  }
  if (!n) { startUs = trace.startUs; endUs = trace.startUs + trace.durationUs; }

  // The critical path: from the root that ends last, walk back from its end, each time into the
  // child that finished last before the cursor (Jaeger's definition). Children of q in pre-order
  // are q+1, then each next one past the previous one's subtree.
  const critFrom = new Int32Array(n), critCount = new Int32Array(n);
  let crit = new Float64Array(4 * n + 8);
  let segs = 0;
  const endOf = (q: number) => spans[q].startUs + spans[q].durationUs;
  const addSeg = (q: number, a: number, b: number) => {
    if (b <= a) return;
    if (2 * segs + 2 > crit.length) { const c = new Float64Array(crit.length * 2); c.set(crit); crit = c; }
    if (critCount[q] === 0) critFrom[q] = segs;
    crit[2 * segs] = a; crit[2 * segs + 1] = b; segs++; critCount[q]++;
  };
  let top = -1;
  for (let q = 0; q < n; q = q + size[q] + 1) if (top < 0 || endOf(q) > endOf(top)) top = q;
  if (top >= 0) {
    const workQ = new Int32Array(n), workB = new Float64Array(n);
    let w = 0;
    workQ[w] = top; workB[w] = Infinity; w++;
    const kids: number[] = [];
    while (w > 0) {
      w--;
      const q = workQ[w], bound = workB[w];
      const s = spans[q];
      let cursor = Math.min(endOf(q), bound);
      kids.length = 0;
      for (let c = q + 1, e = q + size[q]; c <= e; c += size[c] + 1) kids.push(c);
      if (kids.length > 1) kids.sort((a, b) => endOf(b) - endOf(a));
      for (const c of kids) {
        const cs = spans[c];
        const cEnd = Math.min(endOf(c), cursor);
        if (cs.startUs >= cursor || cEnd <= s.startUs) continue;
        addSeg(q, cEnd, cursor);
        workQ[w] = c; workB[w] = cEnd; w++;
        cursor = Math.max(cs.startUs, s.startUs);
      }
      addSeg(q, s.startUs, cursor);
    }
  }
  const index = { get: (id: string) => { const k = byId.get(id); return k === undefined ? undefined : posOf[k]; } };
  return { spans, depth, parent, size, childCount, errorBelow, critFrom, critCount, crit, index, startUs, endUs, orphans, services: [...services] };
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
