#!/usr/bin/env node
// A stand-in for the tome console's back end, for developing and testing the web UI before
// (and beside) the real one. It serves console/ui/dist/ with the SPA fallback and answers the
// API contract of console/README.md with generated data modelled on `tome demo`: one process
// `tome` with the tomes OrderService, PaymentService, InventoryService, NotificationService and
// AnalyticsService, a `js-peer` service calling it, a virtual `postgres` peer, order traces with
// declined payments, logs tied to spans, the seed's metrics and the SDK's own metrics.
// It also takes OTLP/HTTP JSON on POST /v1/traces, so tests can send their own traces.
//
// Usage: node mock-server.mjs [port]   (or PORT=...; default 3000). Loopback only.
// Env: UI_DIST (default ../../console/ui/dist), MOCK_SEED (default 1), MOCK_EMPTY=1 (no data).
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const PORT = Number(process.argv[2] || process.env.PORT || 3000);
const DIST = path.resolve(process.env.UI_DIST || path.join(here, '../../console/ui/dist'));
const EMPTY = process.env.MOCK_EMPTY === '1';

// ---------- deterministic randomness ----------
let seed = Number(process.env.MOCK_SEED || 1) >>> 0;
function rand() {
  seed = (seed + 0x6d2b79f5) >>> 0;
  let t = seed;
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
}
const randInt = (lo, hi) => lo + Math.floor(rand() * (hi - lo + 1));
const pick = (a) => a[Math.floor(rand() * a.length)];
const hex = (n) => { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(rand() * 16)]; return s; };

// ---------- the store ----------
const MAX_TRACES = 1200;
const SERVICE_RESOURCES = {
  tome: { 'service.name': 'tome', 'service.version': '0.9.0', 'service.instance.id': 'tome-7f3a', 'host.name': 'devbox', 'process.pid': 41822, 'telemetry.sdk.name': 'tome', 'telemetry.sdk.language': 'cpp', 'deployment.environment.name': 'demo' },
  'js-peer': { 'service.name': 'js-peer', 'service.version': '1.4.2', 'host.name': 'devbox', 'process.runtime.name': 'nodejs', 'process.runtime.version': '20.20.2', 'telemetry.sdk.name': 'opentelemetry', 'telemetry.sdk.language': 'nodejs', 'telemetry.sdk.version': '1.30.1' },
};
const RESOURCE_IDS = { tome: 'r-tome', 'js-peer': 'r-js-peer' };
const traces = []; // oldest first: {summary, spans, logs, resources}
const byId = new Map();
const startedUs = Date.now() * 1000 - 50 * 60e6;
const counters = { spansIngested: 0, logsIngested: 0, tracesEvicted: 0, spansEvicted: 0, logsEvicted: 0, evictedSinceUs: undefined };
const subscribers = new Set();

function summarize(t) {
  const services = new Map();
  let errorCount = 0, start = Infinity, end = -Infinity;
  for (const s of t.spans) {
    const e = services.get(s.service) || { name: s.service, spanCount: 0, errorCount: 0 };
    e.spanCount++;
    if (s.status.code === 'error') { e.errorCount++; errorCount++; }
    services.set(s.service, e);
    start = Math.min(start, s.startUs);
    end = Math.max(end, s.startUs + s.durationUs);
  }
  const ids = new Set(t.spans.map((s) => s.spanId));
  const root = t.spans.find((s) => !s.parentSpanId) || t.spans.find((s) => !ids.has(s.parentSpanId)) || t.spans[0];
  return {
    traceId: t.traceId, rootService: root.service, rootName: root.name, startUs: start, durationUs: end - start,
    spanCount: t.spans.length, errorCount, services: [...services.values()], incomplete: !t.spans.some((s) => !s.parentSpanId),
  };
}

function addTrace(t, { live = false } = {}) {
  t.summary = summarize(t);
  traces.push(t);
  traces.sort((a, b) => a.summary.startUs - b.summary.startUs);
  byId.set(t.traceId, t);
  counters.spansIngested += t.spans.length;
  counters.logsIngested += t.logs.length;
  // Evict the oldest traces, except the pinned ones (the big trace, traces sent by tests).
  while (traces.length > MAX_TRACES) {
    const i = traces.findIndex((x) => !x.pinned);
    if (i < 0) break;
    const [old] = traces.splice(i, 1);
    byId.delete(old.traceId);
    counters.tracesEvicted++;
    counters.spansEvicted += old.spans.length;
    counters.logsEvicted += old.logs.length;
    if (counters.evictedSinceUs === undefined) counters.evictedSinceUs = old.summary.startUs;
  }
  if (live) {
    emit('trace', t.summary);
    for (const l of t.logs) emit('log', l);
  }
}

// ---------- the demo workload ----------
const STEPS = [
  { span: 'order.place', tome: 'OrderService', event: 'ORDER_PLACED', msg: 'Order placed' },
  { span: 'payment.process', tome: 'PaymentService', event: 'PAYMENT_CONFIRMED', msg: 'Payment confirmed' },
  { span: 'inventory.reserve', tome: 'InventoryService', event: 'STOCK_RESERVED', msg: 'Stock reserved' },
  { span: 'notification.send', tome: 'NotificationService', event: 'CUSTOMER_NOTIFIED', msg: 'Customer notified' },
];
const FORWARDS = { OrderService: ['PaymentService', 'AnalyticsService'], PaymentService: ['InventoryService'], InventoryService: ['NotificationService'], NotificationService: [] };
const DECLINE = ['insufficient funds', 'card expired', 'fraud check failed', 'issuer unavailable'];
let orderIndex = 0;
let lastOrderTrace = null;

function span(t, o) {
  const s = {
    spanId: hex(16), parentSpanId: o.parent?.spanId, name: o.name, kind: o.kind || 'internal', service: o.service || 'tome',
    resource: RESOURCE_IDS[o.service || 'tome'], startUs: Math.round(o.startUs), durationUs: Math.max(1, Math.round(o.durationUs)),
    status: o.status || { code: 'unset' }, attributes: o.attributes || {}, events: o.events || [], links: o.links || [],
    scope: { name: o.scope || 'tome', version: '0.9.0' },
  };
  if (!s.parentSpanId) delete s.parentSpanId;
  t.spans.push(s);
  return s;
}
const SEV = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };
function log(t, s, level, body, attributes, dt = 0) {
  const timeUs = Math.round(s.startUs + Math.min(s.durationUs, dt));
  t.logs.push({ timeUs, observedTimeUs: timeUs + 150, severityNumber: SEV[level], severityText: level.toUpperCase(), body, attributes, traceId: t.traceId, spanId: s.spanId, service: s.service, scope: { name: s.scope.name } });
}

// One delivery into the tome process over its HTTP API: CLIENT POST -> SERVER -> event.forward.
function delivery(t, parent, startUs, caller, tome, event, biz, hop) {
  const fwd = FORWARDS[tome] || [];
  const serverDur = 250 + fwd.length * 180 + rand() * 600;
  const clientDur = serverDur + 300 + rand() * 1500;
  const client = span(t, { parent, name: 'POST', kind: 'client', service: caller, startUs, durationUs: clientDur, scope: caller === 'tome' ? 'tome.http' : '@opentelemetry/instrumentation-http',
    attributes: { 'http.request.method': 'POST', 'url.full': `http://127.0.0.1:3000/api/tomes/${tome}/events`, 'server.address': '127.0.0.1', 'server.port': 3000, 'http.response.status_code': 202 } });
  const server = span(t, { parent: client, name: 'POST /api/tomes/{id}/events', kind: 'server', service: 'tome', startUs: startUs + (clientDur - serverDur) / 2, durationUs: serverDur, scope: 'tome.http',
    attributes: { 'http.request.method': 'POST', 'http.route': '/api/tomes/{id}/events', 'url.path': `/api/tomes/${tome}/events`, 'http.response.status_code': 202, 'tome.id': tome, 'tome.event.type': event, ...biz } });
  log(t, server, 'debug', `Event ${event} accepted by ${tome}`, { 'tome.id': tome, 'tome.event.type': event, 'business.order_id': biz['business.order_id'] }, 40);
  let cur = server.startUs + 60;
  for (const target of fwd) {
    const d = 60 + rand() * 140;
    span(t, { parent: server, name: 'event.forward', startUs: cur, durationUs: d,
      attributes: { 'tome.source': tome, 'tome.target': target, 'tome.hop': hop, 'tome.event.type': event, 'tome.direction': 'forward', 'tome.connection_type': 'one-way', 'tome.connection_id': `conn-${tome.slice(0, 3).toLowerCase()}-${target.slice(0, 3).toLowerCase()}`, 'tome.event.id': hex(12), ...biz } });
    cur += d + 10;
  }
  return client;
}

function makeOrder(endMs, { viaJs = false } = {}) {
  orderIndex++;
  const t = { traceId: hex(32), spans: [], logs: [] };
  const tierDraw = rand();
  const tier = tierDraw < 0.7 ? 'standard' : tierDraw < 0.9 ? 'gold' : 'premium';
  const mult = tier === 'premium' ? 3 : tier === 'gold' ? 1.8 : 1;
  const value = Math.round(5 * Math.exp(rand() * Math.log(160)) * mult * 100) / 100;
  const orderId = `ORD-${String(orderIndex).padStart(8, '0')}`;
  const biz = { 'business.order_id': orderId, 'business.customer_id': `CUST-${String(randInt(1, 5000)).padStart(5, '0')}`, 'business.customer_tier': tier, 'business.order_value': value, 'business.payment_method': pick(['card', 'paypal', 'bank_transfer', 'apple_pay']), 'business.workflow_id': `wf-${hex(16)}` };
  const declined = rand() < 0.1;
  const reason = pick(DECLINE);
  const stepTimes = STEPS.map(() => 5000 + rand() * 45000);
  const nSteps = declined ? 2 : 4;
  let total = 200;
  for (let i = 0; i < nSteps; i++) total += stepTimes[i] + 3000 + (i === 2 ? 4000 : 0);
  const startUs = endMs * 1000 - total - (viaJs ? 4000 : 0);
  let root, parent;
  if (viaJs) {
    root = span(t, { name: 'POST /checkout', kind: 'server', service: 'js-peer', startUs, durationUs: total + 4000, scope: '@opentelemetry/instrumentation-http',
      attributes: { 'http.request.method': 'POST', 'http.route': '/checkout', 'http.response.status_code': declined ? 402 : 200, 'business.order_id': orderId, 'business.customer_tier': tier } });
    parent = delivery(t, root, startUs + 500, 'js-peer', 'OrderService', 'ORDER_RECEIVED', biz, 1);
    parent = span(t, { parent: root, name: 'order.workflow', service: 'tome', startUs: startUs + 3000, durationUs: total, attributes: { ...biz } });
  } else {
    root = parent = span(t, { name: 'order.workflow', service: 'tome', startUs, durationUs: total, attributes: { ...biz } });
  }
  const wf = parent;
  let cur = wf.startUs + 100;
  for (let i = 0; i < nSteps; i++) {
    const st = STEPS[i];
    const isDecl = declined && i === 1;
    const event = isDecl ? 'PAYMENT_FAILED' : st.event;
    const dbTime = i === 2 ? 1500 + rand() * 2500 : 0;
    const dur = stepTimes[i] + 2800 + dbTime;
    const events = [];
    if (i === 0) events.push({ name: 'feature_flag.evaluation', timeUs: Math.round(cur + 300), attributes: { 'feature_flag.key': 'new-checkout-flow', 'feature_flag.result.variant': tier === 'standard' ? 'off' : 'on', 'feature_flag.provider.name': 'tome-flags', 'feature_flag.context.id': biz['business.customer_id'] } });
    if (i === 1) events.push({ name: 'feature_flag.evaluation', timeUs: Math.round(cur + 200), attributes: { 'feature_flag.key': 'payment-retry', 'feature_flag.result.variant': 'disabled', 'feature_flag.provider.name': 'tome-flags' } });
    const links = i === 3 && lastOrderTrace ? [{ traceId: lastOrderTrace.traceId, spanId: lastOrderTrace.spans[0].spanId, attributes: { 'link.reason': 'previous order in batch' } }] : [];
    const s = span(t, { parent: wf, name: st.span, kind: 'client', startUs: cur, durationUs: dur, events, links,
      attributes: { 'tome.id': st.tome, 'tome.event': event, 'business.order_id': orderId } });
    log(t, s, 'info', isDecl ? 'Payment attempted' : st.msg, { 'business.order_id': orderId, 'tome.id': st.tome, 'tome.event': event }, 100);
    if (i === 2) {
      span(t, { parent: s, name: 'SELECT inventory', kind: 'client', startUs: cur + 400, durationUs: dbTime, scope: 'tome.db',
        attributes: { 'db.system': 'postgresql', 'db.namespace': 'inventory', 'db.query.text': 'SELECT qty FROM stock WHERE sku = $1 FOR UPDATE', 'server.address': 'postgres', 'server.port': 5432, 'peer.service': 'postgres' } });
    }
    delivery(t, s, cur + stepTimes[i] + dbTime + 500, 'tome', st.tome, event, biz, 1);
    if (isDecl) {
      const why = `payment declined: ${reason}`;
      s.attributes['payment.decline_reason'] = reason;
      s.status = { code: 'error', message: why };
      wf.status = { code: 'error', message: why };
      if (root !== wf) root.status = { code: 'error', message: 'order failed: 402 Payment Required' };
      s.events.push({ name: 'exception', timeUs: Math.round(cur + dur - 200), attributes: { 'exception.type': 'PaymentDeclined', 'exception.message': why } });
      log(t, s, 'warn', 'Payment declined', { ...biz, 'tome.id': st.tome, 'tome.event': event, 'error.message': why }, dur - 150);
    }
    cur += dur + 60;
  }
  wf.attributes['business.outcome'] = declined ? 'payment_failed' : 'completed';
  if (!declined) wf.status = { code: 'ok' };
  log(t, wf, declined ? 'error' : 'info', declined ? `Order ${orderId} failed: payment declined (${reason})` : `Order ${orderId} completed`, { ...biz, 'business.outcome': wf.attributes['business.outcome'] }, wf.durationUs);
  lastOrderTrace = t;
  return t;
}

// A trace of exactly `n` spans (a bulk import), for the performance work.
function makeBig(n, endMs) {
  const t = { traceId: 'b16b16b16b16b16b16b16b16b16b16b1', spans: [], logs: [], pinned: true };
  const dur = 9_800_000;
  const startUs = endMs * 1000 - dur;
  const root = span(t, { name: 'bulk.import', startUs, durationUs: dur, attributes: { 'import.records': n - 101, 'import.source': 's3://orders/2024-06.jsonl' } });
  const batches = 100;
  const per = Math.floor((n - 1 - batches) / batches);
  let left = n - 1 - batches;
  for (let b = 0; b < batches; b++) {
    const bs = startUs + 20_000 + b * 97_000;
    const batch = span(t, { parent: root, name: 'import.batch', startUs: bs, durationUs: 95_000, attributes: { 'import.batch': b } });
    const k = b === batches - 1 ? left : per;
    left -= k;
    for (let i = 0; i < k; i++) {
      const bad = (b * 31 + i) % 997 === 5;
      span(t, { parent: batch, name: i % 3 === 0 ? 'record.validate' : i % 3 === 1 ? 'record.write' : 'event.forward', startUs: bs + 200 + i * 900, durationUs: 300 + ((i * 7919) % 600),
        status: bad ? { code: 'error', message: 'constraint violation: duplicate order id' } : { code: 'unset' },
        attributes: { 'import.batch': b, 'import.record': b * per + i, 'business.order_id': `ORD-B${String(b * per + i).padStart(6, '0')}` } });
    }
    if (b % 10 === 0) log(t, batch, 'info', `Batch ${b} imported`, { 'import.batch': b }, 90_000);
  }
  return t;
}

// ---------- initial history, and the live feed ----------
if (!EMPTY) {
  const now = Date.now();
  for (let ms = now - 45 * 60_000; ms < now; ms += 2000 + rand() * 400) {
    addTrace(makeOrder(ms, { viaJs: orderIndex % 9 === 4 }));
  }
  addTrace(makeBig(10_000, now - 60_000));
  setInterval(() => addTrace(makeOrder(Date.now(), { viaJs: orderIndex % 9 === 4 }), { live: true }), 1500).unref();
}

// ---------- aggregation ----------
function quantile(sorted, q) {
  if (!sorted.length) return 0;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i];
}
function red(samples, windowMs) {
  const d = samples.map((s) => s.durationUs).sort((a, b) => a - b);
  const errors = samples.filter((s) => s.error).length;
  return { requests: samples.length, errors, rate: samples.length / (windowMs / 1000), errorRate: samples.length ? errors / samples.length : 0,
    p50Ms: quantile(d, 0.5) / 1000, p95Ms: quantile(d, 0.95) / 1000, p99Ms: quantile(d, 0.99) / 1000 };
}
function* spansIn(startUs, endUs) {
  for (const t of traces) {
    if (t.pinned) continue;
    if (t.summary.startUs + t.summary.durationUs < startUs || t.summary.startUs > endUs) continue;
    for (const s of t.spans) if (s.startUs >= startUs && s.startUs < endUs) yield [t, s];
  }
}
// Each sample: {key (node or edge id), durationUs, error, startUs, service, operation}
function samples(startUs, endUs) {
  const out = [];
  for (const [t, s] of spansIn(startUs, endUs)) {
    const error = s.status.code === 'error';
    const base = { durationUs: s.durationUs, error, startUs: s.startUs, traceId: t.traceId, spanId: s.spanId };
    const parent = s.parentSpanId && t.spans.find((p) => p.spanId === s.parentSpanId);
    if (s.name === 'event.forward') {
      out.push({ ...base, key: `tome:${s.attributes['tome.source']}->tome:${s.attributes['tome.target']}` });
      out.push({ ...base, key: `tome:${s.attributes['tome.target']}` });
    }
    if (s.kind === 'server' || !s.parentSpanId) {
      out.push({ ...base, key: `service:${s.service}`, service: s.service, operation: s.name, spanKind: s.kind });
      if (s.kind === 'server' && parent && parent.service !== s.service) out.push({ ...base, key: `service:${parent.service}->service:${s.service}` });
    }
    if (s.attributes['db.system'] === 'postgresql') out.push({ ...base, key: 'service:tome->virtual:db:postgres' }, { ...base, key: 'virtual:db:postgres' });
    if (s.attributes['tome.id'] && s.kind === 'server') out.push({ ...base, key: `tome:${s.attributes['tome.id']}` });
  }
  return out;
}
function groupBy(list, f) { const m = new Map(); for (const x of list) { const k = f(x); if (k === undefined) continue; (m.get(k) || m.set(k, []).get(k)).push(x); } return m; }

const NODES = [
  { id: 'service:js-peer', name: 'js-peer', kind: 'service' },
  { id: 'service:tome', name: 'tome', kind: 'service' },
  ...['OrderService', 'PaymentService', 'InventoryService', 'NotificationService', 'AnalyticsService'].map((n) => ({ id: `tome:${n}`, name: n, kind: 'tome' })),
  { id: 'virtual:db:postgres', name: 'postgres', kind: 'virtual' },
];
const EDGES = [
  ['service:js-peer', 'service:tome', 'rpc'],
  ['service:tome', 'virtual:db:postgres', 'rpc'],
  ['tome:OrderService', 'tome:PaymentService', 'forward'],
  ['tome:PaymentService', 'tome:InventoryService', 'forward'],
  ['tome:InventoryService', 'tome:NotificationService', 'forward'],
  ['tome:OrderService', 'tome:AnalyticsService', 'forward'],
];

// ---------- metrics ----------
const wave = (t, period, phase = 0) => Math.sin((t / period) * 2 * Math.PI + phase);
const noise = (t, k) => { const x = Math.sin(t * 12.9898 + k * 78.233) * 43758.5453; return x - Math.floor(x); };
function histPoint(t, base, exemplars) {
  const count = Math.round(40 + 15 * wave(t, 600000) + 10 * noise(t, 1));
  const p50 = base * (1 + 0.15 * wave(t, 900000) + 0.1 * noise(t, 2));
  return { t, count, sum: count * p50 * 1.1, rate: count / 10, p50, p95: p50 * (2.1 + 0.4 * noise(t, 3)), p99: p50 * (3.2 + noise(t, 4)), exemplars };
}
const METRICS = [
  { name: 'tome.connections.total', description: 'Connections created, by tome.connection_type', unit: '{connection}', type: 'sum', monotonic: true, services: ['tome'],
    series: [{ 'tome.connection_type': 'one-way' }, { 'tome.connection_type': 'two-way' }],
    point: (t, a, i) => { const created = Math.floor((t - (Date.now() - 3600000)) / 10000 / (i ? 37 : 11)); const value = 4 + created; const rate = noise(t, 9 + i) < (i ? 0.1 : 0.25) ? 0.1 * (1 + Math.round(noise(t, 3 + i) * 2)) : 0; return { t, value, rate }; } },
  { name: 'tome.response_time_ms', description: 'Time taken by tome operations', unit: 'ms', type: 'histogram', monotonic: false, services: ['tome'],
    series: [{ 'tome.operation': 'event.send' }, { 'tome.operation': 'event.continue' }],
    point: (t, a, i, ex) => histPoint(t, i ? 0.12 : 0.35, ex) },
  { name: 'tome.connections.active', description: 'Connections by health', unit: '{connection}', type: 'gauge', monotonic: false, services: ['tome'],
    series: [{ 'tome.health': 'healthy' }, { 'tome.health': 'degraded' }, { 'tome.health': 'unhealthy' }],
    point: (t, a, i) => ({ t, value: i === 0 ? (noise(t, 5) < 0.05 ? 3 : 4) : i === 1 ? (noise(t, 5) < 0.05 ? 1 : 0) : 0 }) },
  { name: 'proxy.responses.total', description: 'Responses of the tome HTTP API, by status', unit: '{response}', type: 'sum', monotonic: true, services: ['tome'],
    series: [{ 'http.response.status_code': '202', 'tome.operation': 'event.send' }, { 'http.response.status_code': '200', 'tome.operation': 'tome.get' }, { 'http.response.status_code': '404', 'tome.operation': 'tome.get' }],
    point: (t, a, i) => { const rate = [2.6, 0.8, 0.05][i] * (1 + 0.2 * wave(t, 700000, i) + 0.1 * noise(t, 6 + i)); return { t, value: Math.round((t / 1000) % 100000 * [2.6, 0.8, 0.05][i]), rate }; } },
  { name: 'proxy.response_time_ms', description: 'Time to answer a request to the tome HTTP API', unit: 'ms', type: 'histogram', monotonic: false, services: ['tome'],
    series: [{ 'tome.operation': 'event.send' }],
    point: (t, a, i, ex) => histPoint(t, 1.4, ex) },
  { name: 'tome.events.forwarded', description: 'Events delivered over a connection, by direction', unit: '{event}', type: 'sum', monotonic: true, services: ['tome'],
    series: [{ 'tome.direction': 'forward' }], point: (t) => ({ t, value: Math.round(t / 1000 % 100000 * 2.7), rate: 2.7 * (1 + 0.1 * noise(t, 7)) }) },
  { name: 'orders', description: 'Orders finished, by outcome and customer tier', unit: '{order}', type: 'sum', monotonic: true, services: ['tome'],
    series: [{ outcome: 'completed' }, { outcome: 'payment_failed' }], point: (t, a, i) => ({ t, value: Math.round(t / 1000 % 100000 * (i ? 0.05 : 0.45)), rate: (i ? 0.05 : 0.45) * (1 + 0.3 * noise(t, 8 + i)) }) },
  { name: 'otel.sdk.span.started', description: 'Spans started', unit: '{span}', type: 'sum', monotonic: true, services: ['tome'], series: [{}], point: (t) => ({ t, value: Math.round(t / 100 % 1e7), rate: 14 + 2 * noise(t, 10) }) },
  { name: 'otel.sdk.exporter.span.exported', description: 'Spans exported', unit: '{span}', type: 'sum', monotonic: true, services: ['tome'], series: [{}], point: (t) => ({ t, value: Math.round(t / 100 % 1e7), rate: 14 + 2 * noise(t, 10) - (noise(t, 11) < 0.03 ? 3 : 0) }) },
  { name: 'otel.sdk.span.dropped', description: 'Spans dropped, by reason', unit: '{span}', type: 'sum', monotonic: true, services: ['tome'], series: [{ reason: 'queue_full' }, { reason: 'sampled_out' }],
    point: (t, a, i) => ({ t, value: 0, rate: i ? 1.5 + noise(t, 12) : (noise(t, 11) < 0.03 ? 0.3 : 0) }) },
  { name: 'otel.sdk.exporter.log.exported', description: 'Log records exported', unit: '{log_record}', type: 'sum', monotonic: true, services: ['tome'], series: [{}], point: (t) => ({ t, value: 0, rate: 4 + noise(t, 13) }) },
  { name: 'otel.sdk.log.dropped', description: 'Log records dropped, by reason', unit: '{log_record}', type: 'sum', monotonic: true, services: ['tome'], series: [{ reason: 'queue_full' }], point: (t) => ({ t, value: 0, rate: 0 }) },
  { name: 'otel.sdk.exporter.failures', description: 'Failed export attempts', unit: '{failure}', type: 'sum', monotonic: true, services: ['tome'], series: [{}], point: (t) => ({ t, value: 2, rate: noise(t, 14) < 0.02 ? 0.1 : 0 }) },
];
function metricSeries(m, startMs, endMs, attrFilter, service) {
  const stepMs = 10_000;
  const first = Math.ceil(startMs / stepMs) * stepMs;
  const order = m.type === 'histogram' ? exemplarSource(startMs, endMs, stepMs) : null;
  const series = [];
  m.series.forEach((attributes, i) => {
    if (service && !m.services.includes(service)) return;
    if (attrFilter.some(([k, v]) => String(attributes[k]) !== v)) return;
    const points = [];
    for (let t = first; t <= endMs; t += stepMs) {
      let ex = [];
      const cand = order?.get(t);
      if (cand && i === 0 && (t / stepMs) % 3 === 0) ex = cand.slice(0, 1).map((s) => ({ t: Math.round(s.startUs / 1000), value: s.durationUs / 1000, traceId: s.traceId, spanId: s.spanId }));
      points.push(m.point(t, attributes, i, ex));
    }
    series.push({ service: 'tome', attributes, points });
  });
  return { name: m.name, description: m.description, unit: m.unit, type: m.type, monotonic: m.monotonic, series };
}
function exemplarSource(startMs, endMs, stepMs) {
  const m = new Map();
  for (const [t, s] of spansIn(startMs * 1000, endMs * 1000)) {
    if (s.kind !== 'server' || s.service !== 'tome') continue;
    const b = Math.floor(s.startUs / 1000 / stepMs) * stepMs;
    (m.get(b) || m.set(b, []).get(b)).push({ ...s, traceId: t.traceId });
  }
  for (const list of m.values()) list.sort((a, b) => b.durationUs - a.durationUs);
  return m;
}

// ---------- request handling ----------
class BadRequest extends Error { constructor(msg, code = 'invalid_argument', status = 400) { super(msg); this.code = code; this.status = status; } }
function parseDuration(v, name) {
  const m = /^(\d+(?:\.\d+)?)(us|ms|s|m|h)?$/.exec(v.trim());
  if (!m) throw new BadRequest(`${name}: "${v}" is not a duration (a number with a unit us, ms, s, m or h)`);
  return Number(m[1]) * { us: 0.001, ms: 1, s: 1000, m: 60000, h: 3600000 }[m[2] || 'ms'];
}
function timeRange(q, defWindow = '15m') {
  const num = (k) => { const v = q.get(k); if (v === null || v === '') return undefined; const n = Number(v); if (!Number.isFinite(n)) throw new BadRequest(`${k}: "${v}" is not unix milliseconds`); return n; };
  const end = num('end') ?? Date.now();
  const windowMs = parseDuration(q.get('window') || defWindow, 'window');
  const start = num('start') ?? end - windowMs;
  if (start > end) throw new BadRequest('start: after end');
  return { startMs: start, endMs: end, windowMs: end - start };
}
function limitOf(q, def, max) {
  const v = q.get('limit');
  if (v === null || v === '') return def;
  const n = Number(v);
  if (!Number.isInteger(n) || n < 1 || n > max) throw new BadRequest(`limit: must be an integer from 1 to ${max}, got "${v}"`);
  return n;
}
function attrsOf(q) {
  return q.getAll('attr').filter((a) => a !== '').map((a) => {
    const i = a.indexOf('=');
    if (i <= 0) throw new BadRequest(`attr: "${a}" is not key=value`);
    return [a.slice(0, i), a.slice(i + 1)];
  });
}
const SEVERITIES = { trace: 1, debug: 5, info: 9, warn: 13, error: 17, fatal: 21 };

function route(method, url) {
  const p = url.pathname;
  const q = url.searchParams;
  let m;
  if (p === '/console/api/stats') return stats();
  if (p === '/console/api/services') {
    const svc = new Map();
    for (const t of traces) for (const s of t.spans) {
      const e = svc.get(s.service) || svc.set(s.service, { name: s.service, operations: new Set(), lastSeenUs: 0 }).get(s.service);
      e.operations.add(s.name); e.lastSeenUs = Math.max(e.lastSeenUs, s.startUs + s.durationUs);
    }
    return [...svc.values()].map((e) => ({ name: e.name, operations: e.operations.size, lastSeenUs: e.lastSeenUs })).sort((a, b) => a.name.localeCompare(b.name));
  }
  if ((m = /^\/console\/api\/services\/([^/]+)\/operations$/.exec(p))) {
    const service = decodeURIComponent(m[1]);
    const ops = new Map();
    for (const t of traces) for (const s of t.spans) if (s.service === service) ops.set(`${s.name}\u0000${s.kind}`, { name: s.name, spanKind: s.kind });
    if (!ops.size) throw new BadRequest(`service: "${service}" not seen`, 'not_found', 404);
    return [...ops.values()].sort((a, b) => a.name.localeCompare(b.name));
  }
  if (p === '/console/api/traces') {
    const { startMs, endMs } = timeRange(q);
    const limit = limitOf(q, 20, 1000);
    const service = q.get('service') || '', operation = q.get('operation') || '';
    const attrs = attrsOf(q);
    const minD = q.get('minDuration') ? parseDuration(q.get('minDuration'), 'minDuration') * 1000 : 0;
    const maxD = q.get('maxDuration') ? parseDuration(q.get('maxDuration'), 'maxDuration') * 1000 : Infinity;
    const errors = ['true', '1'].includes(q.get('errors') || '');
    const out = [];
    let more = false;
    for (let i = traces.length - 1; i >= 0; i--) {
      const t = traces[i], s = t.summary;
      if (s.startUs < startMs * 1000 || s.startUs > endMs * 1000) continue;
      if (s.durationUs < minD || s.durationUs > maxD) continue;
      if (errors && !s.errorCount) continue;
      if (service && !s.services.some((x) => x.name === service)) continue;
      if (operation && !t.spans.some((x) => x.name === operation && (!service || x.service === service))) continue;
      if (attrs.length && !attrs.every(([k, v]) => t.spans.some((x) => String(x.attributes[k]) === v || String(SERVICE_RESOURCES[x.service]?.[k]) === v))) continue;
      if (out.length === limit) { more = true; break; }
      out.push(s);
    }
    return { traces: out, limit, more };
  }
  if ((m = /^\/console\/api\/traces\/([^/]+)$/.exec(p))) {
    const t = byId.get(m[1].toLowerCase());
    if (!t) throw new BadRequest(`traceId: no trace ${m[1]} in the store (never received, or evicted)`, 'not_found', 404);
    const resources = {};
    for (const s of t.spans) resources[s.resource] = SERVICE_RESOURCES[s.service];
    const { traceId, startUs, durationUs, spanCount, errorCount, incomplete, services } = t.summary;
    return { traceId, startUs, durationUs, spanCount, errorCount, incomplete, services, resources, spans: t.spans, logs: [...t.logs].sort((a, b) => a.timeUs - b.timeUs) };
  }
  if (p === '/console/api/graph') {
    const { startMs, endMs, windowMs } = timeRange(q);
    const g = groupBy(samples(startMs * 1000, endMs * 1000), (s) => s.key);
    const nodes = NODES.map((n) => ({ ...n, ...red(g.get(n.id) || [], windowMs) }));
    const edges = EDGES.map(([source, target, kind]) => ({ id: `${source}->${target}`, source, target, kind, ...red(g.get(`${source}->${target}`) || [], windowMs) }));
    return { windowMs, nodes, edges };
  }
  if (p === '/console/api/red') {
    const { startMs, endMs, windowMs } = timeRange(q);
    const stepMs = q.get('step') ? parseDuration(q.get('step'), 'step') : Math.max(10_000, Math.ceil(windowMs / 60 / 10_000) * 10_000);
    if (stepMs < 10_000) throw new BadRequest('step: at least 10s (the resolution of the RED buckets)');
    const service = q.get('service'), operation = q.get('operation'), edge = q.get('edge');
    if (!service && !edge) throw new BadRequest('service: give service (and optionally operation) or edge');
    const all = samples(startMs * 1000, endMs * 1000).filter((s) => edge ? s.key === edge : s.key === `service:${service}` && (!operation || s.operation === operation));
    const buckets = groupBy(all, (s) => Math.floor(s.startUs / 1000 / stepMs) * stepMs);
    const points = [];
    for (let t = Math.floor(startMs / stepMs) * stepMs; t < endMs; t += stepMs) points.push({ t, ...red(buckets.get(t) || [], stepMs) });
    return { stepMs, points, total: red(all, windowMs) };
  }
  if (p === '/console/api/operations') {
    const { startMs, endMs, windowMs } = timeRange(q);
    const service = q.get('service');
    const all = samples(startMs * 1000, endMs * 1000).filter((s) => s.operation && (!service || s.service === service));
    return [...groupBy(all, (s) => `${s.service}\u0000${s.operation}\u0000${s.spanKind}`).values()].map((l) => ({ service: l[0].service, operation: l[0].operation, spanKind: l[0].spanKind, ...red(l, windowMs) }))
      .sort((a, b) => b.requests - a.requests);
  }
  if (p === '/console/api/metrics') {
    return METRICS.map((m) => ({ name: m.name, description: m.description, unit: m.unit, type: m.type, monotonic: m.monotonic, services: m.services, series: m.series.length }));
  }
  if ((m = /^\/console\/api\/metrics\/([^/]+)$/.exec(p))) {
    const name = decodeURIComponent(m[1]);
    const metric = METRICS.find((x) => x.name === name);
    if (!metric) throw new BadRequest(`name: no metric "${name}"`, 'not_found', 404);
    const { startMs, endMs } = timeRange(q);
    return metricSeries(metric, startMs, endMs, attrsOf(q), q.get('service'));
  }
  if (p === '/console/api/logs') {
    const { startMs, endMs } = timeRange(q);
    const limit = limitOf(q, 100, 5000);
    const match = logMatcher(q);
    const all = [];
    for (let i = traces.length - 1; i >= 0; i--) {
      const t = traces[i];
      if (t.summary.startUs + t.summary.durationUs < startMs * 1000 || t.summary.startUs > endMs * 1000) continue;
      for (const l of t.logs) if (l.timeUs >= startMs * 1000 && l.timeUs <= endMs * 1000 && match(l)) all.push(l);
      if (all.length > limit + 50) break;
    }
    all.sort((a, b) => b.timeUs - a.timeUs);
    return { logs: all.slice(0, limit), limit, more: all.length > limit };
  }
  if (p === '/console/api/running') {
    const limit = limitOf(q, 100, 1000);
    const nowUs = Date.now() * 1000;
    const spans = [];
    const base = Math.floor(nowUs / 5e6) * 5e6;
    spans.push({ traceId: 'a'.repeat(8) + hex(24), spanId: hex(16), name: 'tome.serve', kind: 'internal', service: 'tome', startUs: startedUs, elapsedUs: nowUs - startedUs, attributes: { 'server.port': 3000 } });
    spans.push({ traceId: hex(32), spanId: hex(16), name: 'otlp.export', kind: 'client', service: 'tome', startUs: base, elapsedUs: nowUs - base, attributes: { 'server.address': '127.0.0.1', 'server.port': 4318 } });
    const wfStart = nowUs - 18_000 - (nowUs % 30_000);
    const tid = hex(32), root = hex(16);
    spans.push({ traceId: tid, spanId: root, name: 'order.workflow', kind: 'internal', service: 'tome', startUs: wfStart, elapsedUs: nowUs - wfStart, attributes: { 'business.order_id': `ORD-${String(orderIndex + 1).padStart(8, '0')}`, 'business.customer_tier': 'gold' } });
    spans.push({ traceId: tid, spanId: hex(16), parentSpanId: root, name: 'payment.process', kind: 'client', service: 'tome', startUs: wfStart + 9000, elapsedUs: nowUs - wfStart - 9000, attributes: { 'tome.id': 'PaymentService' } });
    return { spans: spans.slice(0, limit) };
  }
  if (p === '/console/api/network') return network();
  throw new BadRequest(`no route ${p}`, 'not_found', 404);
}

function logMatcher(q) {
  const text = (q.get('q') || '').trim();
  const phrases = [];
  const words = [];
  text.replace(/"([^"]*)"|(\S+)/g, (_, ph, w) => { if (ph !== undefined) phrases.push(ph.toLowerCase().split(/\W+/).filter(Boolean)); else words.push(...w.toLowerCase().split(/\W+/).filter(Boolean)); return ''; });
  const sevName = (q.get('severity') || '').toLowerCase();
  if (sevName && !(sevName in SEVERITIES)) throw new BadRequest(`severity: "${sevName}" is not one of trace, debug, info, warn, error, fatal`);
  const minSev = SEVERITIES[sevName] || 0;
  const traceId = (q.get('traceId') || '').toLowerCase(), spanId = (q.get('spanId') || '').toLowerCase();
  const service = q.get('service') || '';
  const attrs = attrsOf(q);
  return (l) => {
    if (l.severityNumber < minSev) return false;
    if (traceId && l.traceId !== traceId) return false;
    if (spanId && l.spanId !== spanId) return false;
    if (service && l.service !== service) return false;
    if (attrs.some(([k, v]) => String(l.attributes[k]) !== v)) return false;
    if (words.length || phrases.length) {
      const toks = l.body.toLowerCase().split(/\W+/).filter(Boolean);
      if (!words.every((w) => toks.includes(w))) return false;
      if (!phrases.every((ph) => toks.some((_, i) => ph.every((w, j) => toks[i + j] === w)))) return false;
    }
    return true;
  };
}

function network() {
  const nowUs = Date.now() * 1000;
  const stateOf = (name) => ({ OrderService: 'accepting', PaymentService: 'authorizing', InventoryService: 'ready', NotificationService: 'idle', AnalyticsService: 'collecting' }[name]);
  const recv = { OrderService: 0, PaymentService: 0, InventoryService: 0, NotificationService: 0, AnalyticsService: 0 };
  const fwd = {};
  for (const t of traces) for (const s of t.spans) {
    if (s.kind === 'server' && s.attributes['tome.id']) recv[s.attributes['tome.id']]++;
    if (s.name === 'event.forward' && !t.pinned) { const k = `${s.attributes['tome.source']}->${s.attributes['tome.target']}`; recv[s.attributes['tome.target']]++; fwd[k] = (fwd[k] || 0) + 1; }
  }
  const offset = counters.tracesEvicted * 3;
  return {
    tomes: Object.keys(recv).map((id) => ({ id, state: stateOf(id), eventsReceived: recv[id] + offset, remote: false, health: id === 'AnalyticsService' ? 'degraded' : 'healthy' })),
    connections: [['OrderService', 'PaymentService'], ['PaymentService', 'InventoryService'], ['InventoryService', 'NotificationService'], ['OrderService', 'AnalyticsService']].map(([a, b]) => ({
      id: `conn-${a.slice(0, 3).toLowerCase()}-${b.slice(0, 3).toLowerCase()}`, source: a, target: b, bidirectional: false,
      health: b === 'AnalyticsService' ? 'degraded' : 'healthy', eventsForwarded: (fwd[`${a}->${b}`] || 0) + offset, eventsDropped: b === 'AnalyticsService' ? 17 : 0, lastActivityUs: nowUs - 800_000,
    })),
  };
}

function stats() {
  const MiB = 1024 * 1024;
  const budget = 256 * MiB;
  const spanBytes = traces.reduce((a, t) => a + t.spans.length, 0) * 520;
  const logBytes = traces.reduce((a, t) => a + t.logs.length, 0) * 380;
  const oldest = traces[0]?.summary.startUs;
  const sig = (bytes, share, items, ingested, evicted, dropped) => ({ bytes, budgetBytes: Math.round(budget * share), items, ingested, evicted, dropped, ...(oldest ? { oldestUs: oldest } : {}) });
  const spansBytes = spanBytes + 120 * MiB; // as if the store had also kept older traces' segments
  const s = {
    budgetBytes: budget, usedBytes: 0, startedUs,
    signals: {
      spans: sig(spansBytes, 0.55, traces.reduce((a, t) => a + t.spans.length, 0), counters.spansIngested, counters.spansEvicted ? { budget: counters.spansEvicted } : {}, {}),
      logs: sig(logBytes + 30 * MiB, 0.30, traces.reduce((a, t) => a + t.logs.length, 0), counters.logsIngested, counters.logsEvicted ? { budget: counters.logsEvicted } : {}, {}),
      metrics: sig(3.2 * MiB, 0.10, 1456, 98211, {}, {}),
      derived: sig(1.1 * MiB, 0.05, 312, 312, {}, {}),
    },
    tracesEvicted: counters.tracesEvicted,
    ingestQueue: { bytes: 12_288, capacityBytes: 32 * MiB },
  };
  s.usedBytes = Math.round(Object.values(s.signals).reduce((a, x) => a + x.bytes, 0));
  if (counters.evictedSinceUs !== undefined) s.evictedSinceUs = counters.evictedSinceUs;
  return s;
}

// ---------- OTLP/HTTP JSON ingest (POST /v1/traces) ----------
const KINDS = ['internal', 'internal', 'server', 'client', 'producer', 'consumer'];
function anyValue(v) {
  if (!v) return null;
  if ('stringValue' in v) return v.stringValue;
  if ('intValue' in v) return Number(v.intValue);
  if ('doubleValue' in v) return Number(v.doubleValue);
  if ('boolValue' in v) return v.boolValue;
  if ('arrayValue' in v) return (v.arrayValue.values || []).map(anyValue);
  return JSON.stringify(v);
}
const attrMap = (list) => Object.fromEntries((list || []).map((a) => [a.key, anyValue(a.value)]));
function ingestOtlp(body) {
  const got = new Map();
  for (const rs of body.resourceSpans || []) {
    const res = attrMap(rs.resource?.attributes);
    const service = String(res['service.name'] || 'unknown_service');
    if (!SERVICE_RESOURCES[service]) { SERVICE_RESOURCES[service] = res; RESOURCE_IDS[service] = `r-${service}`; }
    for (const ss of rs.scopeSpans || []) for (const sp of ss.spans || []) {
      const traceId = sp.traceId.toLowerCase();
      const t = got.get(traceId) || got.set(traceId, { traceId, spans: [], logs: [], pinned: true }).get(traceId);
      const startUs = Math.round(Number(BigInt(sp.startTimeUnixNano) / 1000n));
      const endUs = Math.round(Number(BigInt(sp.endTimeUnixNano) / 1000n));
      const s = { spanId: sp.spanId.toLowerCase(), parentSpanId: sp.parentSpanId ? sp.parentSpanId.toLowerCase() : undefined, name: sp.name, kind: KINDS[sp.kind || 0] || 'internal', service, resource: RESOURCE_IDS[service],
        startUs, durationUs: endUs - startUs, status: { code: ['unset', 'ok', 'error'][sp.status?.code || 0], ...(sp.status?.message ? { message: sp.status.message } : {}) },
        attributes: attrMap(sp.attributes), events: (sp.events || []).map((e) => ({ name: e.name, timeUs: Math.round(Number(BigInt(e.timeUnixNano) / 1000n)), attributes: attrMap(e.attributes) })),
        links: (sp.links || []).map((l) => ({ traceId: l.traceId, spanId: l.spanId, attributes: attrMap(l.attributes) })), scope: { name: ss.scope?.name || '', ...(ss.scope?.version ? { version: ss.scope.version } : {}) } };
      if (!s.parentSpanId) delete s.parentSpanId;
      t.spans.push(s);
    }
  }
  for (const t of got.values()) {
    const old = byId.get(t.traceId);
    if (old) { old.spans.push(...t.spans); old.summary = summarize(old); counters.spansIngested += t.spans.length; }
    else addTrace(t, { live: true });
  }
}

// ---------- SSE ----------
function emit(event, data) {
  const msg = `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
  for (const res of subscribers) res.write(msg);
}
setInterval(() => { if (subscribers.size) emit('stats', stats()); }, 5000).unref();
setInterval(() => { for (const res of subscribers) res.write(': keepalive\n\n'); }, 15000).unref();

// ---------- static files ----------
const gzCache = new Map(); // file -> [mtimeMs, gzip bytes]
const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.css': 'text/css; charset=utf-8', '.svg': 'image/svg+xml', '.png': 'image/png', '.ico': 'image/x-icon', '.json': 'application/json', '.map': 'application/json' };
function serveFile(req, res, file, cache) {
  fs.readFile(file, (err, data) => {
    if (err) {
      if (file.endsWith('index.html')) {
        res.writeHead(503, { 'content-type': 'text/html; charset=utf-8' });
        return res.end('<!doctype html><title>tome console</title><p>The console UI was not built: run <code>npm ci &amp;&amp; npm run build</code> in console/ui.</p>');
      }
      res.writeHead(404, { 'content-type': 'text/plain' });
      return res.end('not found');
    }
    const headers = { 'content-type': TYPES[path.extname(file)] || 'application/octet-stream', 'cache-control': cache ? 'public, max-age=31536000, immutable' : 'no-cache' };
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '') && data.length > 1024) {
      headers['content-encoding'] = 'gzip';
      const mtime = fs.statSync(file).mtimeMs;
      const hit = gzCache.get(file);
      if (hit && hit[0] === mtime) data = hit[1];
      else { data = zlib.gzipSync(data); gzCache.set(file, [mtime, data]); }
    }
    res.writeHead(200, headers);
    res.end(data);
  });
}

function send(res, status, body, t0) {
  const data = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'cache-control': 'no-store' });
  res.end(data);
}

const server = http.createServer((req, res) => {
  const t0 = performance.now();
  const url = new URL(req.url, 'http://localhost');
  const p = url.pathname;
  if (p === '/v1/traces' && req.method === 'POST') {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      try {
        if (!/json/.test(req.headers['content-type'] || '')) { res.writeHead(415); return res.end('only application/json in the mock'); }
        ingestOtlp(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end('{}');
      } catch (e) { res.writeHead(400, { 'content-type': 'text/plain' }); res.end(String(e.message)); }
    });
    return;
  }
  if (p === '/console/api/stream') {
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write(': connected\n\n');
    res.write(`event: stats\ndata: ${JSON.stringify(stats())}\n\n`);
    subscribers.add(res);
    req.on('close', () => subscribers.delete(res));
    return;
  }
  if (p.startsWith('/console/api/')) {
    if (req.method !== 'GET') return send(res, 405, { success: false, error: { code: 'method_not_allowed', message: `${req.method} not allowed` } });
    try {
      const data = route(req.method, url);
      return send(res, 200, { success: true, data, duration: Math.round((performance.now() - t0) * 1000) / 1000 });
    } catch (e) {
      if (!(e instanceof BadRequest)) { console.error(e); return send(res, 500, { success: false, error: { code: 'internal', message: String(e.message) } }); }
      return send(res, e.status, { success: false, error: { code: e.code, message: e.message } });
    }
  }
  if (p.startsWith('/api/')) return send(res, 404, { success: false, error: { code: 'not_found', message: `no route ${p}` } });
  if (p.startsWith('/assets/')) {
    const file = path.join(DIST, path.normalize(p).replace(/^(\.\.[/\\])+/, ''));
    if (!file.startsWith(DIST)) { res.writeHead(403); return res.end(); }
    return serveFile(req, res, file, true);
  }
  if (p === '/favicon.ico') { res.writeHead(204); return res.end(); }
  return serveFile(req, res, path.join(DIST, 'index.html'), false);
});
server.keepAliveTimeout = 65_000; // longer than clients keep idle sockets: no reset on reuse
server.listen(PORT, '127.0.0.1', () => console.log(`mock tome console on http://127.0.0.1:${server.address().port}/ (dist: ${DIST})`));
for (const sig of ['SIGINT', 'SIGTERM']) process.on(sig, () => { for (const r of subscribers) r.end(); server.close(); process.exit(0); });
