'use strict';
// Interop (d): `tome demo` end to end, with the official OpenTelemetry JavaScript decoder as the
// receiver. The real binary runs a fixed number of orders (each step an HTTP call to its own
// API) with OTLP export to receiver.js and exits by itself, flushing every signal. Then every
// order's trace must have exactly the expected tree, the seed's metric names must have arrived,
// and every log record that names a trace must name one of the exported traces.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const { startReceiver } = require('./receiver');
const { requireEnv, spawnAndWaitFor, stopProcess, flattenSpans, attributeMap } = require('./helpers');

const SPAN_KIND_SERVER = 2;
const SPAN_KIND_CLIENT = 3;
const STATUS_CODE_ERROR = 2;

const ORDERS = 40;
// With this seed and failure rate some payments are declined (asserted below).
const SEED = 7;
const PAYMENT_FAILURE_RATE = 0.25;
const DEMO_TIMEOUT_MS = 60000;

const STEPS = ['order.place', 'payment.process', 'inventory.reserve', 'notification.send'];
const BUSINESS_KEYS = [
  'business.order_id', 'business.customer_id', 'business.order_value',
  'business.customer_tier', 'business.payment_method', 'business.workflow_id',
];
// Each entry: the accepted OTLP names of one seed metric (the seed's own names, kept so the
// original system's dashboards work; proxy.responses.total is exposed to Prometheus as
// proxy_responses_total).
const METRIC_NAMES = [
  ['orders'], ['order.duration'], ['proxy.responses.total'],
  ['proxy.response_time_ms'], ['http.server.request.duration'], ['tome.connections.total'],
  ['tome.connections.active'], ['tome.events.forwarded'], ['tome.response_time_ms'],
];

const tomeBinary = requireEnv('TOME_BINARY');
const tomeConfig = requireEnv('TOME_CONFIG');

let receiver;
let demo;
let demoExit;
let done; // the numbers of the "demo done" line

before(async () => {
  receiver = await startReceiver();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  Object.assign(env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    TOME_ENV: 'development', // sampling rate 1.0: every trace is exported
  });
  const args = [
    'demo', '--config', tomeConfig, '--orders', String(ORDERS), '--rate', '0',
    '--step-ms', '1-3', '--payment-failure-rate', String(PAYMENT_FAILURE_RATE),
    '--seed', String(SEED), '--port', '0', '--host', '127.0.0.1',
  ];
  demo = await spawnAndWaitFor(tomeBinary, args, {
    env, pattern: /demo done: (\d+) orders .*?: (\d+) completed, (\d+) payment failed, (\d+) errors/,
    name: 'tome demo', timeoutMs: DEMO_TIMEOUT_MS,
  });
  done = {
    orders: Number(demo.match[1]),
    completed: Number(demo.match[2]),
    paymentFailed: Number(demo.match[3]),
    errors: Number(demo.match[4]),
  };
  // It stops by itself after the last order, flushing traces, metrics and logs on the way out.
  let timer;
  const deadline = new Promise((resolve) => { timer = setTimeout(() => resolve(null), DEMO_TIMEOUT_MS); });
  demoExit = await Promise.race([demo.exited, deadline]);
  clearTimeout(timer);
});

after(async () => {
  await stopProcess(demo); // only does something when the demo did not exit by itself
  if (receiver) await receiver.close();
});

function requestsOf(signal) {
  const records = receiver.received.filter((r) => r.signal === signal);
  const errors = records.filter((r) => r.error);
  assert.deepEqual(errors, [], `the receiver failed to decode a ${signal} request`);
  return records;
}

function stringAttr(span, key) {
  const v = attributeMap(span.attributes).get(key);
  return v ? String(v.value) : undefined;
}

test('tome demo exits by itself after the orders, cleanly', () => {
  assert.ok(demoExit, `tome demo did not exit within ${DEMO_TIMEOUT_MS} ms; output:\n${demo.output()}`);
  assert.equal(demoExit.code, 0, `tome demo exit ${JSON.stringify(demoExit)}; output:\n${demo.output()}`);
  assert.equal(done.orders, ORDERS);
  assert.equal(done.errors, 0, demo.output());
  assert.equal(done.completed + done.paymentFailed, ORDERS);
  assert.ok(done.paymentFailed > 0, `seed ${SEED} should decline at least one payment`);
});

test('every order is one trace with exactly the expected tree', () => {
  const spans = flattenSpans(requestsOf('traces'));
  const byTrace = new Map();
  for (const s of spans) {
    if (!byTrace.has(s.traceId)) byTrace.set(s.traceId, []);
    byTrace.get(s.traceId).push(s);
  }
  const orderTraces = [...byTrace.values()].filter((t) => t.some((s) => s.name === 'order.workflow'));
  assert.equal(orderTraces.length, ORDERS, 'traces with an order.workflow span');

  let declined = 0;
  const orderIds = new Set();
  for (const trace of orderTraces) {
    const traceId = trace[0].traceId;
    const roots = trace.filter((s) => s.parentSpanId === '');
    assert.equal(roots.length, 1, `trace ${traceId}: one root, got ${roots.map((s) => s.name)}`);
    const [root] = roots;
    assert.equal(root.name, 'order.workflow', `trace ${traceId}: root name`);
    assert.equal(new Set(trace.map((s) => s.spanId)).size, trace.length, `trace ${traceId}: span ids distinct`);
    const byId = new Map(trace.map((s) => [s.spanId, s]));
    for (const s of trace) {
      assert.equal(s.traceId, traceId);
      if (s !== root) assert.ok(byId.has(s.parentSpanId), `trace ${traceId}: ${s.name}'s parent is missing`);
    }

    const rootAttrs = attributeMap(root.attributes);
    for (const key of BUSINESS_KEYS) assert.ok(rootAttrs.has(key), `trace ${traceId}: root lacks ${key}`);
    const orderId = stringAttr(root, 'business.order_id');
    orderIds.add(orderId);

    const steps = trace
      .filter((s) => s.parentSpanId === root.spanId && STEPS.includes(s.name))
      .sort((a, b) => (BigInt(a.startTimeUnixNano) < BigInt(b.startTimeUnixNano) ? -1 : 1));
    const names = steps.map((s) => s.name);
    const isDeclined = root.status.code === STATUS_CODE_ERROR;
    if (isDeclined) {
      declined += 1;
      assert.deepEqual(names, STEPS.slice(0, 2), `declined order ${orderId}: steps`);
      assert.equal(steps[1].status.code, STATUS_CODE_ERROR, `declined order ${orderId}: payment.process status`);
      assert.match(steps[1].status.message, /^payment declined: /);
    } else {
      assert.deepEqual(names, STEPS, `order ${orderId}: steps`);
      for (const s of steps) assert.notEqual(s.status.code, STATUS_CODE_ERROR, `order ${orderId}: ${s.name}`);
    }

    for (const step of steps) {
      const where = `order ${orderId}, ${step.name}`;
      assert.equal(step.kind, SPAN_KIND_CLIENT, `${where}: kind`);
      const attrs = attributeMap(step.attributes);
      assert.equal(attrs.get('http.request.method')?.value, 'POST', `${where}: http.request.method`);
      assert.match(String(attrs.get('url.full')?.value), /^http:\/\/127\.0\.0\.1:\d+\/api\/tomes\/\w+\/events$/);
      assert.equal(attrs.get('http.response.status_code')?.value, 200n, `${where}: status code`);
      const servers = trace.filter((s) => s.parentSpanId === step.spanId && s.kind === SPAN_KIND_SERVER);
      assert.equal(servers.length, 1, `${where}: one SERVER child, got ${servers.map((s) => s.name)}`);
      assert.equal(servers[0].name, 'POST /api/tomes/{id}/events', `${where}: SERVER span name`);
      assert.equal(stringAttr(servers[0], 'business.order_id'), orderId, `${where}: SERVER business.order_id`);
      // Under the SERVER span: the connector's delivery spans, which carry the business
      // context of the event that caused them.
      const below = [];
      const queue = [servers[0].spanId];
      while (queue.length > 0) {
        const id = queue.shift();
        for (const child of trace.filter((s) => s.parentSpanId === id)) {
          below.push(child);
          queue.push(child.spanId);
        }
      }
      assert.ok(below.some((s) => s.name === 'event.forward'), `${where}: no event.forward under the SERVER span`);
      for (const s of below) {
        assert.equal(stringAttr(s, 'business.order_id'), orderId, `${where}: ${s.name} business.order_id`);
      }
    }
  }
  assert.equal(orderIds.size, ORDERS, 'distinct order ids');
  assert.ok(declined > 0, 'at least one declined order');
  assert.equal(declined, done.paymentFailed, 'declined traces = "payment failed" in the demo done line');
});

test('every span carries robotcopy.service and robotcopy.environment', () => {
  const spans = flattenSpans(requestsOf('traces'));
  assert.ok(spans.length > 0);
  const lacking = spans
    .filter((s) => stringAttr(s, 'robotcopy.service') !== 'tome' ||
                   stringAttr(s, 'robotcopy.environment') !== 'development')
    .map((s) => s.name);
  assert.deepEqual([...new Set(lacking)], [], 'spans without robotcopy.service=tome, robotcopy.environment=development');
});

test('the seed metric names arrive', () => {
  const names = new Set();
  for (const rec of requestsOf('metrics')) {
    for (const rm of rec.request.resourceMetrics) {
      for (const sm of rm.scopeMetrics) for (const m of sm.metrics) names.add(m.name);
    }
  }
  const missing = METRIC_NAMES.filter((alts) => !alts.some((n) => names.has(n))).map((alts) => alts[0]);
  assert.deepEqual(missing, [], `missing metrics; received: ${[...names].sort().join(', ')}`);
});

test("every log record's trace id is one of the exported traces", () => {
  const traceIds = new Set(flattenSpans(requestsOf('traces')).map((s) => s.traceId));
  const records = [];
  for (const rec of requestsOf('logs')) {
    for (const rl of rec.request.resourceLogs) {
      for (const sl of rl.scopeLogs) records.push(...sl.logRecords);
    }
  }
  const withTrace = records.filter((r) => r.traceId !== '');
  const strays = withTrace.filter((r) => !traceIds.has(r.traceId));
  assert.deepEqual(strays.map((r) => ({ traceId: r.traceId, body: r.body })), [],
    'log records whose trace was not exported');
  assert.ok(withTrace.length > 0, `no log record carries a trace id (of ${records.length})`);
  const declines = withTrace.filter((r) => r.body && r.body.stringValue === 'Payment declined');
  assert.equal(declines.length, done.paymentFailed, 'one "Payment declined" WARN record per declined order');
});
