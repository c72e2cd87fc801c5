// `/` — the network: the service map of tomes, services and virtual peers, with RED on every
// edge; selecting a node or an edge shows its numbers, its dependencies and links onwards.
import { useMemo } from 'preact/hooks';
import { Graph as DGraph, layout } from '@dagrejs/dagre';
import { api, type Graph, type GraphEdge, type GraphNode, type Network, type NetworkConnection, type NetworkTome, type Red } from '../api';
import { fmtAgo, fmtCount, fmtMs, fmtPct, fmtRate } from '../format';
import { useLoad, useWidth } from '../hooks';
import { setQuery, useLocation } from '../router';
import { Empty, ErrorBox, Loading, Stat, WindowSelect } from '../components/ui';
import { RedCharts } from '../components/RedCharts';

type MapNode = GraphNode & { tome?: NetworkTome };
type MapEdge = GraphEdge & { conn?: NetworkConnection };
const NODE_W = 200, NODE_H = 62, LABEL_W = 116, LABEL_H = 32;
const ZERO: Red = { requests: 0, errors: 0, rate: 0, errorRate: 0, p50Ms: 0, p95Ms: 0, p99Ms: 0 };

function healthTone(red: Red, health?: string): 'bad' | 'warn' | 'good' | 'idle' {
  if (health === 'unhealthy' || (red.requests > 0 && red.errorRate >= 0.05)) return 'bad';
  if (health === 'degraded' || (red.requests > 0 && red.errorRate >= 0.01)) return 'warn';
  if (!red.requests && !health) return 'idle';
  return red.requests ? 'good' : health === 'healthy' ? 'good' : 'idle';
}
const TONE_COLOR = { bad: '#d64545', warn: '#d9822b', good: '#2e9d5b', idle: '#9aa3ae' };

function merge(graph: Graph, net?: Network): { nodes: MapNode[]; edges: MapEdge[] } {
  const nodes = new Map<string, MapNode>(graph.nodes.map((n) => [n.id, { ...n }]));
  for (const t of net?.tomes || []) {
    const id = `tome:${t.id}`;
    const n = nodes.get(id);
    if (n) n.tome = t; else nodes.set(id, { id, name: t.id, kind: 'tome', ...ZERO, tome: t });
  }
  const edges = new Map<string, MapEdge>(graph.edges.map((e) => [e.id, { ...e }]));
  for (const c of net?.connections || []) {
    const s = `tome:${c.source}`, t = `tome:${c.target}`;
    const e = [...edges.values()].find((x) => x.source === s && x.target === t) || (c.bidirectional ? [...edges.values()].find((x) => x.source === t && x.target === s) : undefined);
    if (e) e.conn = c;
    else {
      for (const id of [s, t]) if (!nodes.has(id)) nodes.set(id, { id, name: id.slice(5), kind: 'tome', ...ZERO });
      edges.set(`${s}->${t}`, { id: `${s}->${t}`, source: s, target: t, kind: 'forward', ...ZERO, conn: c });
    }
  }
  for (const e of edges.values()) for (const id of [e.source, e.target]) if (!nodes.has(id)) nodes.set(id, { id, name: id.replace(/^[a-z]+:/, ''), kind: 'virtual', ...ZERO });
  return { nodes: [...nodes.values()], edges: [...edges.values()] };
}

interface Layout { width: number; height: number; nodes: Map<string, { x: number; y: number }>; edges: Map<string, { points: { x: number; y: number }[]; x: number; y: number }> }
function computeLayout(nodes: MapNode[], edges: MapEdge[], rankdir: 'LR' | 'TB'): Layout {
  const g = new DGraph({ multigraph: true });
  // Room on the left for the loop and label of a service that calls itself.
  const loops = edges.some((e) => e.source === e.target);
  g.setGraph({ rankdir, nodesep: rankdir === 'LR' ? 28 : 40, ranksep: rankdir === 'LR' ? 36 : 34, edgesep: 20, marginx: loops ? LABEL_W + 56 : 12, marginy: 12 });
  g.setDefaultEdgeLabel(() => ({}));
  const order = [...nodes].sort((a, b) => (a.kind === b.kind ? a.id.localeCompare(b.id) : a.kind === 'service' ? -1 : b.kind === 'service' ? 1 : a.kind === 'tome' ? -1 : 1));
  for (const n of order) g.setNode(n.id, { width: NODE_W, height: NODE_H });
  // A service calling itself (a self-loop) is drawn as a loop beside its node, not laid out.
  for (const e of edges) if (e.source !== e.target) g.setEdge(e.source, e.target, { width: LABEL_W, height: LABEL_H, labelpos: 'c' }, e.id);
  layout(g);
  const out: Layout = { width: (g.graph().width as number) || 0, height: (g.graph().height as number) || 0, nodes: new Map(), edges: new Map() };
  for (const n of nodes) { const v = g.node(n.id); out.nodes.set(n.id, { x: v.x, y: v.y }); }
  for (const e of edges) {
    if (e.source === e.target) {
      // A loop out of the node's left side and back, its label beside it.
      const c = out.nodes.get(e.source)!;
      const x0 = c.x - NODE_W / 2, y0 = c.y - NODE_H / 4, y1 = c.y + NODE_H / 4;
      out.edges.set(e.id, { points: [{ x: x0, y: y0 }, { x: x0 - 30, y: y0 - 6 }, { x: x0 - 30, y: y1 + 6 }, { x: x0, y: y1 }], x: x0 - 36 - LABEL_W / 2, y: c.y });
      continue;
    }
    const v = g.edge(e.source, e.target, e.id) as { points: { x: number; y: number }[]; x: number; y: number };
    out.edges.set(e.id, v);
  }
  return out;
}

function pathOf(pts: { x: number; y: number }[]): string {
  if (pts.length < 3) return `M${pts.map((p) => `${p.x},${p.y}`).join('L')}`;
  let d = `M${pts[0].x},${pts[0].y}`;
  for (let i = 1; i < pts.length - 1; i++) {
    const mx = (pts[i].x + pts[i + 1].x) / 2, my = (pts[i].y + pts[i + 1].y) / 2;
    d += ` Q${pts[i].x},${pts[i].y} ${i === pts.length - 2 ? `${pts[i + 1].x},${pts[i + 1].y}` : `${mx},${my}`}`;
  }
  return d;
}

function reach(start: string, edges: MapEdge[], dir: 'up' | 'down'): Set<string> {
  const seen = new Set<string>();
  const stack = [start];
  while (stack.length) {
    const id = stack.pop()!;
    for (const e of edges) {
      const [from, to] = dir === 'down' ? [e.source, e.target] : [e.target, e.source];
      if (from === id && !seen.has(to) && to !== start) { seen.add(to); stack.push(to); }
    }
  }
  return seen;
}

const kindLabel = (n: MapNode) => (n.kind === 'tome' ? 'tome' : n.kind === 'virtual' ? 'uninstrumented peer' : 'service');

function nodeLinks(n: MapNode) {
  if (n.kind === 'tome') return { traces: `/traces?attr=${encodeURIComponent(`tome.id=${n.name}`)}`, logs: `/logs?attr=${encodeURIComponent(`tome.id=${n.name}`)}` };
  if (n.kind === 'service') return { traces: `/traces?service=${encodeURIComponent(n.name)}`, logs: `/logs?service=${encodeURIComponent(n.name)}` };
  return { traces: `/traces?attr=${encodeURIComponent(`peer.service=${n.name}`)}`, logs: undefined };
}
function edgeLinks(e: MapEdge, nodes: Map<string, MapNode>) {
  const s = nodes.get(e.source), t = nodes.get(e.target);
  if (e.kind === 'forward' && s && t) {
    const q = `attr=${encodeURIComponent(`tome.source=${s.name}`)}&attr=${encodeURIComponent(`tome.target=${t.name}`)}`;
    return { traces: `/traces?${q}`, logs: `/logs?attr=${encodeURIComponent(`tome.id=${t.name}`)}` };
  }
  if (s?.kind === 'service') return { traces: `/traces?service=${encodeURIComponent(s.name)}`, logs: `/logs?service=${encodeURIComponent(s.name)}` };
  return { traces: '/traces', logs: undefined };
}

function RedGrid({ red }: { red: Red }) {
  return (
    <div class="stat-grid">
      <Stat label="requests/s" value={fmtRate(red.rate, '/s')} />
      <Stat label="errors" value={fmtPct(red.errorRate)} tone={red.errorRate >= 0.05 ? 'bad' : red.errorRate >= 0.01 ? 'warn' : undefined} />
      <Stat label="requests" value={fmtCount(red.requests)} />
      <Stat label="p50" value={fmtMs(red.requests ? red.p50Ms : undefined)} />
      <Stat label="p95" value={fmtMs(red.requests ? red.p95Ms : undefined)} />
      <Stat label="p99" value={fmtMs(red.requests ? red.p99Ms : undefined)} />
    </div>
  );
}

export function NetworkPage() {
  const { query } = useLocation();
  const window = query.get('window') || '5m';
  const sel = query.get('node') || '';
  const selEdge = query.get('edge') || '';
  const dep = query.get('deps') || 'both';
  const graph = useLoad((s) => api<Graph>('graph', { window }, s), window, 5000);
  const net = useLoad((s) => api<Network>('network', {}, s), 'network', 5000);

  const merged = useMemo(() => (graph.data ? merge(graph.data, net.data) : undefined), [graph.data, net.data]);
  const shapeKey = merged ? merged.nodes.map((n) => n.id).sort().join() + '|' + merged.edges.map((e) => e.id).sort().join() : '';
  const [wrapRef, wrapW] = useWidth<HTMLDivElement>();
  // Left to right reads best; top to bottom when that is what fits the screen at full size.
  const lay = useMemo(() => {
    if (!merged) return undefined;
    const lr = computeLayout(merged.nodes, merged.edges, 'LR');
    const avail = (wrapW || 1000) - 24, availH = Math.max(420, globalThis.innerHeight - 180);
    if (lr.width <= avail) return lr;
    const tb = computeLayout(merged.nodes, merged.edges, 'TB');
    const scale = (l: Layout) => Math.min(1, avail / l.width, availH / l.height);
    return scale(tb) > scale(lr) ? tb : lr;
  }, [shapeKey, wrapW > 0 ? Math.round(wrapW / 50) : 0]);

  const set = (k: string, v: string | undefined) => {
    const q = new URLSearchParams(location.search);
    if (k === 'node' || k === 'edge') { q.delete('node'); q.delete('edge'); }
    if (v) q.set(k, v); else q.delete(k);
    setQuery(q);
  };

  if (graph.error && !merged) return <div class="page"><h1>Network</h1><ErrorBox error={graph.error} what="the service graph" /></div>;
  if (!merged || !lay) return <div class="page"><h1>Network</h1><Loading what="the network" /><div ref={wrapRef} /></div>;

  const nodes = new Map(merged.nodes.map((n) => [n.id, n]));
  const up = sel && dep !== 'off' && dep !== 'down' ? reach(sel, merged.edges, 'up') : new Set<string>();
  const down = sel && dep !== 'off' && dep !== 'up' ? reach(sel, merged.edges, 'down') : new Set<string>();
  const focus = sel && dep !== 'off';
  const inFocus = (id: string) => !focus || id === sel || up.has(id) || down.has(id);
  const edgeInFocus = (e: MapEdge) => !focus || (up.has(e.source) && (e.target === sel || up.has(e.target))) || ((e.source === sel || down.has(e.source)) && down.has(e.target));
  const maxRate = Math.max(0.001, ...merged.edges.map((e) => e.rate));
  const selNode = nodes.get(sel);
  const edge = merged.edges.find((e) => e.id === selEdge);

  return (
    <div class="page page-network">
      <div class="page-head">
        <h1>Network</h1>
        <div class="toolbar">
          <WindowSelect value={window} onChange={(v) => set('window', v === '5m' ? undefined : v)} />
          <label class="field inline">
            <span>Dependencies</span>
            <select value={dep} onChange={(e) => set('deps', (e.target as HTMLSelectElement).value === 'both' ? undefined : (e.target as HTMLSelectElement).value)}>
              <option value="both">upstream + downstream</option>
              <option value="up">upstream only</option>
              <option value="down">downstream only</option>
              <option value="off">no highlight</option>
            </select>
          </label>
          <span class="legend">
            <span><i style={{ background: TONE_COLOR.good }} />healthy</span>
            <span><i style={{ background: TONE_COLOR.warn }} />≥1 % errors / degraded</span>
            <span><i style={{ background: TONE_COLOR.bad }} />≥5 % errors / unhealthy</span>
            <span><i style={{ background: TONE_COLOR.idle }} />no traffic</span>
            {sel && dep !== 'off' && <><span><i class="ring up" />upstream</span><span><i class="ring down" />downstream</span></>}
          </span>
        </div>
      </div>
      <ErrorBox error={graph.error} what="the latest graph (showing the previous one)" />
      <ErrorBox error={net.error} what="the tome network" />
      {merged.nodes.length === 0 ? (
        <Empty title="No services or tomes yet">Run <code>tome demo</code>, or send OTLP to <code>{location.origin}/v1/traces</code>; the map fills in as spans arrive.</Empty>
      ) : (
        <div class="network-layout">
          <div class="map-wrap" ref={wrapRef} onClick={(e) => { if ((e.target as Element).closest('.node, .edge') === null) set('node', undefined); }}>
            <svg class="map" data-testid="service-map" viewBox={`0 0 ${lay.width} ${lay.height}`} width={lay.width} height={lay.height} role="img" aria-label="service map">
              <defs>
                {Object.entries(TONE_COLOR).map(([k, c]) => (
                  <marker key={k} id={`arrow-${k}`} viewBox="0 0 10 10" refX="9" refY="5" markerUnits="userSpaceOnUse" markerWidth="9" markerHeight="9" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill={c} /></marker>
                ))}
              </defs>
              {merged.edges.map((e) => {
                const l = lay.edges.get(e.id);
                if (!l) return null;
                const tone = healthTone(e, e.conn?.health);
                const w = e.rate > 0 ? 1.5 + 3.5 * Math.sqrt(e.rate / maxRate) : 1.25;
                const dim = !edgeInFocus(e);
                const label1 = e.requests ? `${fmtRate(e.rate)} · ${fmtPct(e.errorRate)}` : 'no traffic';
                const label2 = e.requests ? `p95 ${fmtMs(e.p95Ms)}` : 'in window';
                return (
                  <g key={e.id} class={`edge ${dim ? 'dim' : ''} ${selEdge === e.id ? 'selected' : ''}`} data-edge-id={e.id} data-source={e.source} data-target={e.target} data-rate={e.rate} data-kind={e.kind}
                    onClick={(ev) => { ev.stopPropagation(); set('edge', e.id); }}>
                    <path d={pathOf(l.points)} class="edge-hit" />
                    <path d={pathOf(l.points)} stroke={TONE_COLOR[tone]} stroke-width={w} fill="none" stroke-dasharray={e.conn && e.conn.health !== 'healthy' ? '6 4' : e.kind === 'forward' ? undefined : undefined} marker-end={`url(#arrow-${tone})`} />
                    <g transform={`translate(${l.x - LABEL_W / 2},${l.y - LABEL_H / 2})`} class="edge-label">
                      <rect width={LABEL_W} height={LABEL_H} rx="10" />
                      <text x={LABEL_W / 2} y={13} text-anchor="middle">{label1}</text>
                      <text x={LABEL_W / 2} y={26} text-anchor="middle" class="edge-label-2">{label2}</text>
                    </g>
                  </g>
                );
              })}
              {merged.nodes.map((n) => {
                const p = lay.nodes.get(n.id)!;
                const tone = healthTone(n, n.tome?.health);
                const role = n.id === sel ? 'selected' : up.has(n.id) ? 'upstream' : down.has(n.id) ? 'downstream' : '';
                const sub = n.kind === 'tome' ? `tome · ${n.tome?.state ? `state ${n.tome.state}` : 'state unknown'}` : kindLabel(n);
                const line3 = n.kind === 'tome' && n.tome?.eventsReceived !== undefined
                  ? `${fmtCount(n.tome.eventsReceived)} events · ${fmtRate(n.rate)}`
                  : n.requests ? `${fmtRate(n.rate)} · ${fmtPct(n.errorRate)} · p95 ${fmtMs(n.p95Ms)}` : 'no requests in window';
                return (
                  <g key={n.id} class={`node kind-${n.kind} ${inFocus(n.id) ? '' : 'dim'} ${role}`} data-node-id={n.id} data-health={n.tome?.health || tone}
                    transform={`translate(${p.x - NODE_W / 2},${p.y - NODE_H / 2})`} onClick={(ev) => { ev.stopPropagation(); set('node', n.id === sel ? undefined : n.id); }}>
                    <title>{`${n.name} (${kindLabel(n)})`}</title>
                    <rect class="node-box" width={NODE_W} height={NODE_H} rx="8" />
                    <rect class="node-stripe" width="5" height={NODE_H} rx="2" />
                    <circle cx={NODE_W - 14} cy={14} r="5" fill={TONE_COLOR[tone]} />
                    <text x="14" y="20" class="node-name">{n.name.length > 21 ? n.name.slice(0, 20) + '…' : n.name}</text>
                    <text x="14" y="36" class="node-sub">{sub.length > 28 ? sub.slice(0, 27) + '…' : sub}</text>
                    <text x="14" y="52" class="node-red">{line3}</text>
                  </g>
                );
              })}
            </svg>
          </div>
          <aside class="side">
            {selNode ? <NodeDetail n={selNode} window={window} up={up} down={down} nodes={nodes} /> : edge ? <EdgeDetail e={edge} window={window} nodes={nodes} /> : <Overview nodes={merged.nodes} window={window} />}
          </aside>
        </div>
      )}
    </div>
  );
}

function Overview({ nodes, window }: { nodes: MapNode[]; window: string }) {
  const sorted = [...nodes].sort((a, b) => b.rate - a.rate);
  return (
    <div class="detail" data-testid="network-overview">
      <h2>Services and tomes</h2>
      <p class="muted small">Last {window}. Select a node or an edge for its numbers and dependencies.</p>
      <table class="grid compact">
        <thead><tr><th>name</th><th class="num">req/s</th><th class="num">err</th><th class="num">p95</th></tr></thead>
        <tbody>
          {sorted.map((n) => (
            <tr key={n.id}>
              <td><a href={`/?node=${encodeURIComponent(n.id)}${window !== '5m' ? `&window=${window}` : ''}`}>{n.name}</a> <span class="muted small">{n.kind}</span></td>
              <td class="num">{n.requests ? fmtRate(n.rate, '') : '–'}</td>
              <td class="num">{n.requests ? fmtPct(n.errorRate) : '–'}</td>
              <td class="num">{n.requests ? fmtMs(n.p95Ms) : '–'}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function NodeDetail({ n, window, up, down, nodes }: { n: MapNode; window: string; up: Set<string>; down: Set<string>; nodes: Map<string, MapNode> }) {
  const links = nodeLinks(n);
  const names = (s: Set<string>) => [...s].map((id) => nodes.get(id)?.name || id);
  return (
    <div class="detail" data-testid="node-detail">
      <div class="detail-kicker">{kindLabel(n)}</div>
      <h2>{n.name}</h2>
      {n.tome && (
        <div class="kv">
          <span>state</span><b>{n.tome.state || '–'}</b>
          <span>health</span><b class={`health-${n.tome.health}`}>{n.tome.health}</b>
          <span>events received</span><b>{fmtCount(n.tome.eventsReceived)}</b>
          {n.tome.remote && <><span>remote</span><b>{n.tome.endpoint || 'yes'}</b></>}
        </div>
      )}
      <h3>RED, last {window}</h3>
      <RedGrid red={n} />
      <div class="links">
        <a class="button" href={links.traces}>Traces →</a>
        {links.logs && <a class="button" href={links.logs}>Logs →</a>}
        {n.kind === 'service' && <a class="button" href={`/dashboards?service=${encodeURIComponent(n.name)}`}>Dashboard →</a>}
      </div>
      <h3>Dependencies</h3>
      <div class="kv deps">
        <span>upstream</span><b>{names(up).join(', ') || 'none'}</b>
        <span>downstream</span><b>{names(down).join(', ') || 'none'}</b>
      </div>
      {n.kind === 'service' && <RedCharts params={{ service: n.name }} window={window} compact />}
    </div>
  );
}

function EdgeDetail({ e, window, nodes }: { e: MapEdge; window: string; nodes: Map<string, MapNode> }) {
  const links = edgeLinks(e, nodes);
  const s = nodes.get(e.source), t = nodes.get(e.target);
  return (
    <div class="detail" data-testid="edge-detail">
      <div class="detail-kicker">{e.kind === 'forward' ? 'forwarding connection' : e.kind === 'messaging' ? 'messaging' : 'calls'}</div>
      <h2>{s?.name || e.source} → {t?.name || e.target}</h2>
      {e.conn && (
        <div class="kv">
          <span>connection</span><b class="mono">{e.conn.id}</b>
          <span>health</span><b class={`health-${e.conn.health}`}>{e.conn.health}</b>
          <span>direction</span><b>{e.conn.bidirectional ? 'two-way' : 'one-way'}</b>
          <span>forwarded</span><b>{fmtCount(e.conn.eventsForwarded)} events</b>
          <span>dropped</span><b class={e.conn.eventsDropped ? 'health-degraded' : ''}>{fmtCount(e.conn.eventsDropped)} events</b>
          <span>last activity</span><b>{fmtAgo(e.conn.lastActivityUs)}</b>
        </div>
      )}
      <h3>RED, last {window}</h3>
      <RedGrid red={e} />
      <div class="links">
        <a class="button" href={links.traces}>Traces →</a>
        {links.logs && <a class="button" href={links.logs}>Logs →</a>}
      </div>
      <RedCharts params={{ edge: e.id }} window={window} compact />
    </div>
  );
}
