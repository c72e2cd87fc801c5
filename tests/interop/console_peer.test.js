'use strict';
// The console's OTLP receiver with the official OpenTelemetry JavaScript SDK as the sender: its
// own OTLP exporters (protobuf and JSON over HTTP) post traces, metrics and logs to `tome serve`,
// and a trace the JS process starts continues into tome through traceparent. The console must
// store all of it, show that trace as one trace with both services, and draw the JS service ->
// tome edge from the spans alone.

const { test, before, after } = require('node:test');
const assert = require('node:assert/strict');

const api = require('@opentelemetry/api');
const { W3CTraceContextPropagator } = require('@opentelemetry/core');
const { resourceFromAttributes } = require('@opentelemetry/resources');
const { BasicTracerProvider, SimpleSpanProcessor } = require('@opentelemetry/sdk-trace-base');
const { OTLPTraceExporter: ProtoTraceExporter } = require('@opentelemetry/exporter-trace-otlp-proto');
const { OTLPTraceExporter: JsonTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http');
const { MeterProvider, PeriodicExportingMetricReader } = require('@opentelemetry/sdk-metrics');
const { OTLPMetricExporter: ProtoMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-proto');
const { OTLPMetricExporter: JsonMetricExporter } = require('@opentelemetry/exporter-metrics-otlp-http');
const { LoggerProvider, SimpleLogRecordProcessor } = require('@opentelemetry/sdk-logs');
const { OTLPLogExporter: ProtoLogExporter } = require('@opentelemetry/exporter-logs-otlp-proto');
const { OTLPLogExporter: JsonLogExporter } = require('@opentelemetry/exporter-logs-otlp-http');

const { requireEnv, spawnAndWaitFor, stopProcess, pollUntil, tempDataDir } = require('./helpers');

const tomeBinary = requireEnv('TOME_BINARY');
const tomeConfig = requireEnv('TOME_CONFIG');

let tome;
let tomeUrl;

before(async () => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOME_')));
  Object.assign(env, { OTEL_SERVICE_NAME: 'tome-under-test', TOME_ENV: 'development', TOME_CONSOLE_GRPC_PORT: '0', TOME_DATA_DIR: tempDataDir() });
  tome = await spawnAndWaitFor(
    tomeBinary, ['serve', '--port', '0', '--host', '127.0.0.1', '--config', tomeConfig],
    { env, pattern: /listening on http:\/\/127\.0\.0\.1:(\d+)/, name: 'tome serve', timeoutMs: 30000 },
  );
  tomeUrl = `http://127.0.0.1:${tome.match[1]}`;
});

after(async () => {
  await stopProcess(tome);
});

async function consoleGet(target, status = 200) {
  const res = await fetch(`${tomeUrl}${target}`);
  const body = await res.json();
  assert.equal(res.status, status, `${target}: ${JSON.stringify(body)}`);
  return body.data;
}

function tracerProvider(service, exporter) {
  return new BasicTracerProvider({
    resource: resourceFromAttributes({ 'service.name': service }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
}

for (const [encoding, Exporter, service] of [['protobuf', ProtoTraceExporter, 'js-shop'], ['json', JsonTraceExporter, 'js-json']]) {
  test(`a trace the JS SDK starts continues into tome and is one trace with both services (OTLP ${encoding})`, async () => {
    const provider = tracerProvider(service, new Exporter({ url: `${tomeUrl}/v1/traces` }));
    const tracer = provider.getTracer('console-peer', '1.0.0');
    const propagator = new W3CTraceContextPropagator();
    // Contexts passed explicitly: this test registers no context manager.
    const root = tracer.startSpan('GET /checkout', { kind: api.SpanKind.SERVER, attributes: { 'business.customer_tier': 'premium' } });
    const rootCtx = api.trace.setSpan(api.ROOT_CONTEXT, root);
    const client = tracer.startSpan('GET /api/health', { kind: api.SpanKind.CLIENT, attributes: { 'server.address': '127.0.0.1' } }, rootCtx);
    const traceId = root.spanContext().traceId;
    const clientSpanId = client.spanContext().spanId;
    const headers = {};
    propagator.inject(api.trace.setSpan(rootCtx, client), headers, api.defaultTextMapSetter);
    const res = await fetch(`${tomeUrl}/api/health`, { headers });
    assert.equal(res.status, 200);
    const envelope = await res.json();
    assert.equal(envelope.traceId, traceId, 'tome continued the JS trace');
    client.end();
    root.end();
    await provider.forceFlush();

    const trace = await pollUntil(async () => {
      const res = await fetch(`${tomeUrl}/console/api/traces/${traceId}`);
      if (res.status !== 200) return null;
      const data = (await res.json()).data;
      const names = new Set(data.services.map((s) => s.name));
      // Each JS span is its own POST (SimpleSpanProcessor, two requests in flight at once), and
      // each is stored in the console's next ingest round: wait for all three spans, not only for
      // both services (the root can land a round before the client span).
      const hasRoot = data.spans.some((s) => s.name === 'GET /checkout');
      const hasClient = data.spans.some((s) => s.spanId === clientSpanId);
      const hasServer = data.spans.some((s) => s.service === 'tome-under-test' && s.kind === 'server');
      return names.has(service) && hasRoot && hasClient && hasServer ? data : null;
    }, { what: `trace ${traceId} with the JS root, the JS client span and tome's span`, timeoutMs: 20000 });
    assert.equal(trace.rootService, service);
    assert.equal(trace.rootName, 'GET /checkout');
    assert.equal(trace.incomplete, false, 'every span has its parent in the store');
    const server = trace.spans.find((s) => s.service === 'tome-under-test' && s.kind === 'server');
    assert.ok(server, JSON.stringify(trace.spans));
    assert.equal(server.parentSpanId, clientSpanId, "tome's SERVER span is a child of the JS CLIENT span");
    const stored = trace.spans.find((s) => s.name === 'GET /checkout');
    assert.equal(stored.attributes['business.customer_tier'], 'premium');

    // The Jaeger view of the same trace.
    const jaeger = await (await fetch(`${tomeUrl}/jaeger/api/traces/${traceId}`)).json();
    const jaegerServices = new Set(Object.values(jaeger.data[0].processes).map((p) => p.serviceName));
    assert.deepEqual([...jaegerServices].sort(), [service, 'tome-under-test'].sort());

    // The graph: the JS service calls tome (CLIENT paired with tome's SERVER span).
    await pollUntil(async () => {
      const graph = await consoleGet('/console/api/graph?window=5m');
      return graph.edges.find((e) => e.id === `service:${service}->service:tome-under-test` && e.kind === 'rpc' && e.requests >= 1);
    }, { what: `edge ${service} -> tome-under-test`, timeoutMs: 20000 });
    await provider.shutdown();
  });
}

for (const [encoding, Exporter, service] of [['protobuf', ProtoMetricExporter, 'js-metrics-proto'], ['json', JsonMetricExporter, 'js-metrics-json']]) {
  test(`the JS SDK's metrics arrive over OTLP ${encoding}`, async () => {
    const provider = new MeterProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      readers: [new PeriodicExportingMetricReader({ exporter: new Exporter({ url: `${tomeUrl}/v1/metrics` }), exportIntervalMillis: 60000 })],
    });
    const meter = provider.getMeter('console-peer');
    meter.createCounter('js.orders', { unit: '{order}' }).add(5, { 'business.customer_tier': 'gold' });
    meter.createHistogram('js.checkout.duration', { unit: 'ms' }).record(42);
    await provider.forceFlush();
    const series = await pollUntil(async () => {
      const res = await fetch(`${tomeUrl}/console/api/metrics/js.orders?window=10m&service=${service}`);
      if (res.status !== 200) return null;
      const data = (await res.json()).data;
      return data.series.length > 0 ? data : null;
    }, { what: `js.orders of ${service}`, timeoutMs: 20000 });
    assert.equal(series.type, 'sum');
    assert.equal(series.unit, '{order}');
    assert.equal(series.series[0].attributes['business.customer_tier'], 'gold');
    assert.equal(series.series[0].points.at(-1).value, 5);
    const hist = await consoleGet(`/console/api/metrics/js.checkout.duration?window=10m&service=${service}`);
    assert.equal(hist.type, 'histogram');
    assert.equal(hist.series[0].points.at(-1).count, 1);
    await provider.shutdown();
  });
}

for (const [encoding, Exporter, service] of [['protobuf', ProtoLogExporter, 'js-logs-proto'], ['json', JsonLogExporter, 'js-logs-json']]) {
  test(`the JS SDK's log records arrive over OTLP ${encoding}, with their trace context`, async () => {
    const provider = new LoggerProvider({
      resource: resourceFromAttributes({ 'service.name': service }),
      processors: [new SimpleLogRecordProcessor(new Exporter({ url: `${tomeUrl}/v1/logs` }))],
    });
    const logger = provider.getLogger('console-peer');
    const traceId = '0af7651916cd43dd8448eb211c80319c';
    const spanId = 'b7ad6b7169203331';
    const ctx = api.trace.setSpanContext(api.context.active(), { traceId, spanId, traceFlags: 1 });
    logger.emit({
      context: ctx,
      severityNumber: 13,
      severityText: 'WARN',
      body: `Shipment delayed for order o-${encoding}`,
      attributes: { 'business.order_id': `o-${encoding}` },
    });
    await provider.forceFlush();
    const logs = await pollUntil(async () => {
      const data = await consoleGet(`/console/api/logs?q=shipment%20delayed&attr=business.order_id%3Do-${encoding}`);
      return data.logs.length > 0 ? data.logs : null;
    }, { what: `log of ${service}`, timeoutMs: 20000 });
    assert.equal(logs.length, 1);
    assert.equal(logs[0].service, service);
    assert.equal(logs[0].severityText, 'WARN');
    assert.equal(logs[0].traceId, traceId);
    assert.equal(logs[0].spanId, spanId);
    await provider.shutdown();
  });
}
