#!/usr/bin/env node
// End to end: every shipped alert fires under its fault and resolves when it is cleared, from a
// real `tome demo` (the console's evaluator, its webhook and Alertmanager notifications) and from
// a real Prometheus scraping that demo with the exported rules, through a real Alertmanager to
// this test's webhook. Debian's prometheus and prometheus-alertmanager, started on loopback and
// stopped by pid.
//   node alerts_e2e.mjs <tome binary> <config/tome.yaml>
// The shipped rules run with test intervals (an environment override, as users override them):
// evaluation every 1 s, windows of seconds instead of minutes. Prints, for each rule, the time
// from the fault to firing and from clearing it to resolved.
import { spawn, execFileSync } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';

const [tomeBinary, shippedConfig] = process.argv.slice(2);
if (!tomeBinary || !shippedConfig) {
  console.error('usage: node alerts_e2e.mjs <tome binary> <config>');
  process.exit(2);
}
const PROMETHEUS = '/usr/bin/prometheus';
const ALERTMANAGER = '/usr/bin/prometheus-alertmanager';
for (const bin of [PROMETHEUS, ALERTMANAGER]) {
  if (!fs.existsSync(bin)) {
    console.error(`alerts_e2e: ${bin} is missing: scripts/install-deps.sh installs prometheus and prometheus-alertmanager`);
    process.exit(1);
  }
}

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'tome-alerts-'));
const children = [];
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const log = (...a) => console.log('#', ...a);

// --- the test's own receivers ------------------------------------------------------------------
// Webhook deliveries: /tome from tome's console, /am from Alertmanager.
const deliveries = [];
// An OTLP endpoint for the demo's exporter that accepts, or refuses with 400 (TelemetryDropping).
let otlpRefuses = false;
function listen(handler) {
  const server = http.createServer(handler);
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}
const hooks = await listen((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    try {
      deliveries.push({ path: req.url, at: Date.now(), body: JSON.parse(body) });
    } catch (e) {
      deliveries.push({ path: req.url, at: Date.now(), error: String(e), raw: body });
    }
    res.writeHead(200).end();
  });
});
const otlp = await listen((req, res) => {
  req.resume();
  req.on('end', () => {
    if (otlpRefuses) res.writeHead(400, { 'content-type': 'text/plain' }).end('refused by the test');
    else res.writeHead(200, { 'content-type': 'application/x-protobuf' }).end();
  });
});
const hookUrl = `http://127.0.0.1:${hooks.address().port}`;

function freePort() {
  return new Promise((resolve) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

function start(name, bin, args, env = process.env) {
  const child = spawn(bin, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const entry = { name, child, exited, output: () => output };
  children.push(entry);
  return entry;
}

async function stopAll() {
  for (const { child, exited } of children.reverse()) {
    if (child.exitCode !== null || child.signalCode !== null) continue;
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => { try { process.kill(child.pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
    await exited;
    clearTimeout(timer);
  }
  hooks.close();
  otlp.close();
}

// Under a sanitizer (scripts/sanitize.sh sets TOME_TEST_TIME_SCALE) tome runs several times slower:
// every wait is multiplied by it (1 otherwise).
const TIME_SCALE = Math.max(1, Number(process.env.TOME_TEST_TIME_SCALE || 1));

async function waitFor(what, timeoutMs, probe) {
  timeoutMs *= TIME_SCALE;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe().catch(() => undefined);
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs / 1000} s`);
    await sleep(250); // polling observable state (an HTTP API), not standing in for a signal
  }
}

// --- configuration -----------------------------------------------------------------------------
// The shipped rules with test intervals, as a development override in a copy of the config.
const overlay = `  alerts:
    evaluationIntervalMs: 1000
    resendIntervalMs: 5000
    rules:
      - {name: OrderProcessingSlow, window: 5s, for: 2s}
      - {name: PaymentFailureRateHigh, window: 30s, for: 2s}
      - {name: InventoryResponseDegraded, window: 4s, for: 2s, baseline: {span: 40s, minSlices: 5}}
      - {name: TelemetryDropping, window: 5s}
      - {name: ConnectionUnhealthy, window: 5s, for: 2s}
`;
let text = fs.readFileSync(shippedConfig, 'utf8');
if (!/^development:\n/m.test(text)) throw new Error('the config has no development block');
text = text.replace(/^development:\n/m, `development:\n${overlay}`);
text = text.replace(/(development:[\s\S]*?console: \{enabled: true, maxBytes: \d+, metricIntervalMs: )\d+/, '$11000');
const config = path.join(work, 'tome.yaml');
fs.writeFileSync(config, text);

const amPort = await freePort();
const promPort = await freePort();
fs.writeFileSync(path.join(work, 'alertmanager.yml'), `route:
  receiver: test
  group_by: [alertname]
  group_wait: 1s
  group_interval: 1s
  repeat_interval: 1h
receivers:
  - name: test
    webhook_configs:
      - url: ${hookUrl}/am
        send_resolved: true
`);
execFileSync('/usr/bin/amtool', ['check-config', path.join(work, 'alertmanager.yml')], { stdio: 'pipe' });

let failed = 0;
const timings = [];
try {
  const am = start('alertmanager', ALERTMANAGER, [
    `--config.file=${path.join(work, 'alertmanager.yml')}`, `--storage.path=${path.join(work, 'am')}`,
    `--web.listen-address=127.0.0.1:${amPort}`, '--cluster.listen-address=',
  ]);
  const amUrl = `http://127.0.0.1:${amPort}`;
  await waitFor(`alertmanager ready\n${am.output()}`, 30_000, async () => (await fetch(`${amUrl}/-/ready`)).ok);

  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOME_')));
  Object.assign(env, {
    TOME_ENV: 'development', TOME_CONSOLE_GRPC_PORT: '0',
    TOME_ALERTMANAGER_URL: amUrl, TOME_ALERT_WEBHOOKS: `${hookUrl}/tome`,
    OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${otlp.address().port}`,
    OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf',
    // A refused batch is dropped at once (no retry after a 400): the drop shows within a second.
    OTEL_BSP_SCHEDULE_DELAY: '200', OTEL_BLRP_SCHEDULE_DELAY: '200',
  });
  // Payment failures off by default here: with windows of seconds a few random declines would
  // be a real 1 % (the shipped 5-minute window at 0.2 % holds ~6 of 3000 orders, far below 30).
  const tome = start('tome', tomeBinary, ['demo', '--port', '0', '--config', config, '--rate', '20',
    '--payment-failure-rate', '0', '--step-ms', '5-30'], env);
  const base = await waitFor(`tome demo serving\n${tome.output()}`, 60_000,
    async () => /demo on http:\/\/127\.0\.0\.1:(\d+)/.exec(tome.output()) && `http://127.0.0.1:${/demo on http:\/\/127\.0\.0\.1:(\d+)/.exec(tome.output())[1]}`);

  // Prometheus scrapes the demo every second and evaluates the same rules, exported from the
  // same (overridden) config.
  const rules = path.join(work, 'rules.yml');
  execFileSync(tomeBinary, ['alerts', 'export', '--format', 'prometheus', '--config', config, '-o', rules], { env });
  execFileSync('/usr/bin/promtool', ['check', 'rules', rules], { stdio: 'pipe' });
  // The external label keeps Prometheus's alerts apart from tome's in Alertmanager (with the
  // same labels, Alertmanager would merge them into one alert: what a deployment wants, not
  // what this test can tell apart).
  fs.writeFileSync(path.join(work, 'prometheus.yml'), `global:
  scrape_interval: 1s
  evaluation_interval: 1s
  external_labels: {evaluator: prometheus}
rule_files: [${rules}]
alerting:
  alertmanagers:
    - static_configs: [{targets: ['127.0.0.1:${amPort}']}]
scrape_configs:
  - job_name: tome
    static_configs: [{targets: ['${new URL(base).host}']}]
`);
  const prom = start('prometheus', PROMETHEUS, [
    `--config.file=${path.join(work, 'prometheus.yml')}`, `--storage.tsdb.path=${path.join(work, 'prom')}`,
    `--web.listen-address=127.0.0.1:${promPort}`,
  ]);
  const promUrl = `http://127.0.0.1:${promPort}`;
  await waitFor(`prometheus ready\n${prom.output()}`, 30_000, async () => (await fetch(`${promUrl}/-/ready`)).ok);

  const alerts = async () => (await (await fetch(`${base}/api/alerts`)).json()).data;
  const rule = async (name) => (await alerts()).rules.find((r) => r.name === name);
  const setFaults = async (faults) => {
    const res = await fetch(`${base}/api/demo/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: JSON.stringify(faults) });
    const body = await res.json();
    if (!res.ok) throw new Error(`PUT /api/demo/faults ${JSON.stringify(faults)}: ${res.status} ${JSON.stringify(body)}`);
    return body.data;
  };
  const check = (ok, what) => {
    if (!ok) throw new Error(what);
  };
  async function test(name, fn) {
    try {
      await fn();
      console.log(`ok   ${name}`);
    } catch (e) {
      failed++;
      console.log(`FAIL ${name}: ${e.message}`);
      const n = await alerts().then((a) => a.notifications).catch((x) => String(x));
      console.log(`#   tome's notifications: ${JSON.stringify(n)}`);
      console.log(`#   Alertmanager deliveries: ${JSON.stringify(deliveries.filter((d) => d.path === '/am').map((d) => [d.body?.status, (d.body?.alerts || []).map((a) => [a.labels.alertname, a.status, a.generatorURL])]))}`);
      const held = await fetch(`http://127.0.0.1:${amPort}/api/v2/alerts`).then((r) => r.json()).catch((x) => String(x));
      console.log(`#   Alertmanager holds: ${JSON.stringify(held).slice(0, 1500)}`);
      await setFaults({}).catch(() => {});
      otlpRefuses = false;
    }
  }
  // When each of `names` first showed `state` in /api/alerts (ms), all within `withinMs`.
  async function reached(names, state, withinMs) {
    const at = {};
    await waitFor(`${names.join(', ')} ${state}`, withinMs, async () => {
      const rules = (await alerts()).rules;
      for (const n of names) {
        if (!at[n] && rules.find((x) => x.name === n).state === state) at[n] = Date.now();
      }
      return names.every((n) => at[n]);
    });
    return at;
  }
  // Fires `names` under `fault` (a function that injects it), then resolves them when `clear`
  // runs; checks tome's webhook got the firing and resolved payloads, Alertmanager delivered them.
  async function fireAndResolve(names, inject, clear, { fireWithinMs = 30_000, resolveWithinMs = 45_000, after } = {}) {
    const t0 = Date.now();
    await inject();
    const firedAt = await reached(names, 'firing', fireWithinMs);
    if (after) await after();
    const t1 = Date.now();
    await clear();
    const resolvedAt = await reached(names, 'inactive', resolveWithinMs);
    for (const n of names) {
      timings.push(`${n}: fired ${((firedAt[n] - t0) / 1000).toFixed(1)} s after the fault, resolved ${((resolvedAt[n] - t1) / 1000).toFixed(1)} s after clearing it`);
      // tome's own webhook: Alertmanager's payload, version 4, firing then resolved.
      await waitFor(`${n}: tome's webhook got firing and resolved`, 10_000, async () => {
        const mine = deliveries.filter((d) => d.path === '/tome' && d.body?.groupLabels?.alertname === n);
        return mine.some((d) => d.body.status === 'firing' && d.at >= t0) && mine.some((d) => d.body.status === 'resolved' && d.at >= t1);
      });
      const payload = deliveries.find((d) => d.path === '/tome' && d.body?.groupLabels?.alertname === n && d.body.status === 'firing').body;
      check(payload.version === '4' && payload.alerts.length === 1 && payload.alerts[0].labels.alertname === n,
        `${n}: webhook payload ${JSON.stringify(payload)}`);
      check(payload.alerts[0].generatorURL.startsWith(`${base.replace('127.0.0.1', 'localhost')}/alerts?alert=${n}`),
        `${n}: generatorURL links to the console: ${payload.alerts[0].generatorURL}`);
      // Alertmanager got tome's alert and delivered it (and its resolution) to its webhook.
      await waitFor(`${n}: Alertmanager delivered tome's alert`, 15_000, async () =>
        deliveries.some((d) => d.path === '/am' && d.body?.alerts?.some((a) => a.labels.alertname === n && !a.labels.evaluator && a.generatorURL.includes('/alerts?alert='))));
    }
  }

  await test('the demo keeps every shipped rule quiet', async () => {
    // 30 s: enough for the baseline rule to get its verdict (5 windows of 4 s of history).
    const end = Date.now() + 30_000;
    while (Date.now() < end) {
      const state = await alerts();
      // Quiet = nothing fires (a rule may blip to pending on a loaded machine; `for:` is there
      // for exactly that).
      const loud = state.rules.filter((r) => r.state === 'firing');
      check(loud.length === 0, `rules firing without a fault: ${JSON.stringify(loud.map((r) => [r.name, r.state, r.value, r.baseline]))}`);
      await sleep(1000);
    }
    const degraded = await rule('InventoryResponseDegraded');
    check(degraded.baseline?.median > 0, `the baseline rule has a baseline: ${JSON.stringify(degraded)}`);
    check(!deliveries.some((d) => d.path === '/tome'), 'no notification while quiet');
  });

  await test('inventory.latency=600ms fires OrderProcessingSlow and InventoryResponseDegraded, hint names InventoryService', async () => {
    let hint;
    await fireAndResolve(['OrderProcessingSlow', 'InventoryResponseDegraded'],
      () => setFaults({ 'inventory.latency': '600ms' }), () => setFaults({}), {
        after: async () => {
          const r = await waitFor('a root-cause hint', 10_000, async () => (await rule('InventoryResponseDegraded')).rootCause);
          hint = r;
          check(r.operation === 'inventory.reserve' && r.tome === 'InventoryService', `hint: ${JSON.stringify(r)}`);
          // The affected traces are those since the condition began to hold: they carry the
          // injected 600 ms (the margin allows a few from the moment the fault went in).
          check(r.after > r.before + 300, `self time grew by the injected 600 ms: ${JSON.stringify(r)}`);
          const slow = await rule('OrderProcessingSlow');
          check(slow.rootCause?.operation === 'inventory.reserve', `OrderProcessingSlow hint: ${JSON.stringify(slow.rootCause)}`);
          check(/Order processing time exceeded 500ms threshold/.test(slow.annotations.summary), 'summary');
        },
      });
    log(`hint: ${hint.text}`);
  });

  await test('payment.failure_rate=0.2 fires PaymentFailureRateHigh, hint names payment.process', async () => {
    await fireAndResolve(['PaymentFailureRateHigh'], () => setFaults({ 'payment.failure_rate': 0.2 }), () => setFaults({}), {
      resolveWithinMs: 60_000,
      after: async () => {
        const r = await waitFor('a root-cause hint', 10_000, async () => (await rule('PaymentFailureRateHigh')).rootCause);
        check(r.operation === 'payment.process' && r.errors === true, `hint: ${JSON.stringify(r)}`);
      },
    });
  });

  await test('analytics.down=true fires ConnectionUnhealthy in tome and in Prometheus, through Alertmanager', async () => {
    let held;
    await fireAndResolve(['ConnectionUnhealthy'], async () => {
      await setFaults({ 'analytics.down': true });
      held = Date.now();
    }, () => setFaults({}), {
      after: async () => {
        // Prometheus, scraping /metrics with the exported rule, fires the same alert through
        // Alertmanager to the webhook within 15 s of the condition holding.
        const d = await waitFor('Prometheus\'s ConnectionUnhealthy delivered by Alertmanager', 15_000, async () =>
          deliveries.find((x) => x.path === '/am' && x.at >= held && x.body?.alerts?.some((a) => a.labels.alertname === 'ConnectionUnhealthy' && a.labels.evaluator === 'prometheus')));
        timings.push(`ConnectionUnhealthy via Prometheus and Alertmanager: delivered ${((d.at - held) / 1000).toFixed(1)} s after the tome went down`);
      },
    });
  });

  await test('an OTLP endpoint that refuses fires TelemetryDropping', async () => {
    await fireAndResolve(['TelemetryDropping'], async () => { otlpRefuses = true; }, async () => { otlpRefuses = false; });
  });

  await test('GET /api/demo/faults shows the faults; bad ones get a 400 naming the pair', async () => {
    await setFaults({ 'inventory.latency': '250ms' });
    const shown = (await (await fetch(`${base}/api/demo/faults`)).json()).data;
    check(shown['inventory.latency'] === '250ms', `shown: ${JSON.stringify(shown)}`);
    const bad = await fetch(`${base}/api/demo/faults`, { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"warehouse.latency":"1s"}' });
    const body = await bad.json();
    check(bad.status === 400 && /warehouse/.test(body.error.message), `bad fault: ${bad.status} ${JSON.stringify(body)}`);
    const still = (await (await fetch(`${base}/api/demo/faults`)).json()).data;
    check(still['inventory.latency'] === '250ms', 'a refused PUT changes nothing');
    await setFaults({});
  });

  const state = await alerts();
  check(state.notifications.failed === 0, `notification failures: ${JSON.stringify(state.notifications)}`);
} catch (e) {
  failed++;
  console.log(`FAIL ${e.stack || e.message}`);
  for (const c of children) console.log(`--- ${c.name} output (tail):\n${c.output().slice(-3000)}`);
} finally {
  await stopAll();
  fs.rmSync(work, { recursive: true, force: true });
}
for (const t of timings) log(t);
console.log(failed ? `${failed} failed` : 'all passed');
process.exit(failed ? 1 : 0);
