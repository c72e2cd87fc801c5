'use strict';
// Interop (b): a trace started by the official OpenTelemetry JavaScript SDK continues through
// `tome serve`. The JS SDK starts a CLIENT span and injects traceparent/tracestate/baggage with
// its own W3C propagators; tome (configured only through the standard OTEL_* variables) must
// answer with the same trace id and export, over OTLP/HTTP protobuf to receiver.js, a SERVER
// span that is a child of the client span and keeps its tracestate.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator, W3CBaggagePropagator, CompositePropagator, TraceState } = require('@opentelemetry/core');
const {
  BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, SamplingDecision,
} = require('@opentelemetry/sdk-trace-base');

const {
  requireEnv, spawnAndWaitFor, stopProcess, startReceiverProcess, getReceived, pollUntil,
  flattenSpans, attributeMap,
  tempDataDir } = require('./helpers');

const SPAN_KIND_SERVER = 2;
const TRACESTATE = 'vendor=abc';
const BAGGAGE_KEY = 'business.customer_id';
const BAGGAGE_VALUE = 'c-42';

const tomeBinary = requireEnv('TOME_BINARY');
const tomeConfig = requireEnv('TOME_CONFIG');

let receiver;
let tome;
let tomeUrl;

// The official SDK: every span sampled and carrying our tracestate (a sampler may set the
// tracestate of the span it samples), spans kept in memory, W3C trace context + baggage.
const clientExporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({
  sampler: {
    shouldSample: () => ({
      decision: SamplingDecision.RECORD_AND_SAMPLED,
      traceState: new TraceState(TRACESTATE),
    }),
    toString: () => 'InteropTraceStateSampler',
  },
  spanProcessors: [new SimpleSpanProcessor(clientExporter)],
});
const tracer = provider.getTracer('tome-interop-client', '1.0.0');
const propagator = new CompositePropagator({
  propagators: [new W3CTraceContextPropagator(), new W3CBaggagePropagator()],
});

before(async () => {
  receiver = await startReceiverProcess();
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_')));
  Object.assign(env, {
    OTEL_EXPORTER_OTLP_ENDPOINT: receiver.url,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    OTEL_BSP_SCHEDULE_DELAY: '100',
    OTEL_SERVICE_NAME: 'tome-under-test',
    TOME_ENV: 'development', // the config block whose settings this test assumes
    TOME_DATA_DIR: tempDataDir(),
  });
  tome = await spawnAndWaitFor(
    tomeBinary, ['serve', '--port', '0', '--host', '127.0.0.1', '--config', tomeConfig],
    { env, pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/, name: 'tome serve', timeoutMs: 30000 },
  );
  tomeUrl = `http://127.0.0.1:${tome.match[1]}`;
});

after(async () => {
  // Normally already stopped by the last test; this covers failures before it.
  await stopProcess(tome);
  await stopProcess(receiver);
  await provider.shutdown();
});

/**
 * Calls tome inside a CLIENT span of the official SDK, propagating the span's context and
 * baggage with the official propagators. Returns what the client sent and what tome answered.
 */
async function callTome(method, path, body) {
  const span = tracer.startSpan(`${method} ${path}`, { kind: api.SpanKind.CLIENT }, api.ROOT_CONTEXT);
  try {
    let ctx = api.trace.setSpan(api.ROOT_CONTEXT, span);
    ctx = api.propagation.setBaggage(ctx, api.propagation.createBaggage({ [BAGGAGE_KEY]: { value: BAGGAGE_VALUE } }));
    const headers = {};
    propagator.inject(ctx, headers, api.defaultTextMapSetter);

    const client = span.spanContext();
    assert.equal(headers.traceparent, `00-${client.traceId}-${client.spanId}-01`, 'injected traceparent');
    assert.equal(headers.tracestate, TRACESTATE, 'injected tracestate');
    assert.equal(headers.baggage, `${BAGGAGE_KEY}=${BAGGAGE_VALUE}`, 'injected baggage');

    const init = { method, headers: { ...headers, accept: 'application/json' } };
    if (body !== undefined) {
      init.headers['content-type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const res = await fetch(`${tomeUrl}${path}`, init);
    const text = await res.text();
    span.setAttribute('http.response.status_code', res.status);
    let envelope;
    try {
      envelope = JSON.parse(text);
    } catch {
      assert.fail(`${method} ${path}: the body is not JSON (status ${res.status}): ${text}`);
    }
    return { client, sent: headers, status: res.status, headers: res.headers, envelope, text };
  } finally {
    span.end();
  }
}

/** Waits until tome's SERVER span that is the child of `client` has been exported. */
async function exportedServerSpan(client) {
  const find = async () => {
    const spans = flattenSpans(await getReceived(receiver.url, 'traces'));
    return spans.find((s) => s.traceId === client.traceId && s.parentSpanId === client.spanId && s.kind === SPAN_KIND_SERVER);
  };
  return pollUntil(find, {
    timeoutMs: 15000,
    what: `tome's SERVER span with parent ${client.spanId} in trace ${client.traceId}`,
    describe: async () => {
      const records = await getReceived(receiver.url, 'traces');
      const spans = flattenSpans(records).map((s) => `${s.name} trace=${s.traceId} parent=${s.parentSpanId} kind=${s.kind}`);
      const errors = records.filter((r) => r.error).map((r) => r.error);
      return `${records.length} request(s); spans: ${JSON.stringify(spans)}; decode errors: ${JSON.stringify(errors)}`;
    },
  });
}

function checkContinuation(call, server, expectedName) {
  const { client, envelope } = call;
  // The answer continues the client's trace.
  assert.equal(envelope.traceId, client.traceId, 'envelope traceId is the client trace id');
  const traceparent = call.headers.get('traceparent');
  assert.match(traceparent ?? '', new RegExp(`^00-${client.traceId}-[0-9a-f]{16}-0[01]$`), 'response traceparent');

  // tome's exported SERVER span: child of the client span, same trace, tracestate kept.
  assert.equal(server.name, expectedName);
  assert.equal(server.traceId, client.traceId);
  assert.equal(server.parentSpanId, client.spanId);
  assert.equal(server.kind, SPAN_KIND_SERVER);
  assert.equal(server.traceState, TRACESTATE, 'the server span keeps the incoming tracestate');
  assert.equal(envelope.spanId, server.spanId, 'envelope spanId is the exported server span id');
  assert.equal(traceparent.split('-')[2], server.spanId, 'response traceparent names the server span');
  assert.equal(server.flags, 0x01 | 0x100 | 0x200, 'span flags: sampled, parent is remote');
  const attrs = attributeMap(server.attributes);
  const [method, route] = expectedName.split(' ');
  assert.deepEqual(attrs.get('http.request.method'), { type: 'string', value: method });
  assert.deepEqual(attrs.get('http.route'), { type: 'string', value: route });
  assert.equal(server.format, 'protobuf', 'exported with OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf');
  const resource = attributeMap(server.resource.attributes);
  assert.deepEqual(resource.get('service.name'), { type: 'string', value: 'tome-under-test' });
  assert.deepEqual(resource.get('telemetry.sdk.name'), { type: 'string', value: 'tome' });
  assert.deepEqual(resource.get('telemetry.sdk.language'), { type: 'string', value: 'cpp' });
}

test('GET /api/topology continues the JS client trace', { timeout: 30000 }, async () => {
  const call = await callTome('GET', '/api/topology');
  assert.equal(call.status, 200, call.text);
  assert.equal(call.envelope.success, true, call.text);
  const server = await exportedServerSpan(call.client);
  checkContinuation(call, server, 'GET /api/topology');
});

test('POST /api/tomes/{id}/events continues the JS client trace', { timeout: 30000 }, async () => {
  const call = await callTome('POST', '/api/tomes/OrderService/events', {
    type: 'ORDER_PLACED',
    payload: { orderId: 'o-1', total: 10 },
  });
  assert.ok(call.status >= 200 && call.status < 300, `status ${call.status}: ${call.text}`);
  assert.equal(call.envelope.success, true, call.text);
  const server = await exportedServerSpan(call.client);
  checkContinuation(call, server, 'POST /api/tomes/{id}/events');
});

test('the official SDK recorded both CLIENT spans it propagated', () => {
  const spans = clientExporter.getFinishedSpans();
  assert.equal(spans.length, 2);
  for (const s of spans) {
    assert.equal(s.kind, api.SpanKind.CLIENT);
    assert.equal(s.spanContext().traceState?.serialize(), TRACESTATE);
  }
});

test('every request tome exported was decodable by the official decoder', async () => {
  const records = await getReceived(receiver.url);
  assert.ok(records.length > 0);
  assert.deepEqual(records.filter((r) => r.error).map((r) => r.error), []);
});

test('tome exits 0 on SIGTERM', { timeout: 30000 }, async () => {
  const result = await stopProcess(tome);
  assert.deepEqual(result, { code: 0, signal: null }, `tome output:\n${tome.output()}`);
});
