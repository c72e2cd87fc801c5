#!/usr/bin/env node
// CTest entry of the console's browser tests: starts a real `tome demo` on a free loopback port,
// waits until its console holds a few orders, runs run.mjs against it, and stops tome by pid.
//   node ctest_demo.mjs <tome binary> <config>
// Screenshots go to UI_ARTIFACTS (default tests/ui/artifacts).
import { spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const [tomeBinary, config] = process.argv.slice(2);
if (!tomeBinary || !config) {
  console.error('usage: node ctest_demo.mjs <tome binary> <config>');
  process.exit(2);
}

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOME_')));
// The sanitizer time scale is for the test's own bounds (run.mjs), not a setting of tome.
if (process.env.TOME_TEST_TIME_SCALE) env.TOME_TEST_TIME_SCALE = process.env.TOME_TEST_TIME_SCALE;
Object.assign(env, { TOME_ENV: 'development', TOME_CONSOLE_GRPC_PORT: '0', UI_ARTIFACTS: process.env.UI_ARTIFACTS || path.join(here, 'artifacts') });
const tome = spawn(tomeBinary, ['demo', '--port', '0', '--config', config, '--rate', '8', '--seed', '11', '--payment-failure-rate', '0.1'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const exited = new Promise((resolve) => tome.once('exit', (code, signal) => resolve({ code, signal })));
const base = await new Promise((resolve, reject) => {
  const timer = setTimeout(() => reject(new Error(`tome demo did not start within 60 s:\n${output}`)), 60_000);
  const onData = (chunk) => {
    output += chunk;
    const m = /demo on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
    if (m) {
      clearTimeout(timer);
      resolve(`http://127.0.0.1:${m[1]}`);
    }
  };
  tome.stdout.on('data', onData);
  tome.stderr.on('data', onData);
  exited.then(({ code }) => reject(new Error(`tome demo exited (${code}) before serving:\n${output}`)));
});

async function stop() {
  if (tome.exitCode === null && tome.signalCode === null) {
    process.kill(tome.pid, 'SIGTERM');
    const timer = setTimeout(() => { try { process.kill(tome.pid, 'SIGKILL'); } catch { /* gone */ } }, 15_000);
    const r = await exited;
    clearTimeout(timer);
    return r;
  }
  return exited;
}

let code = 1;
try {
  // Wait (bounded) until the console has completed orders of every kind the tests look for.
  const deadline = Date.now() + 60_000;
  for (;;) {
    const res = await fetch(`${base}/console/api/traces?service=tome&operation=order.workflow&limit=40`).catch(() => null);
    const traces = res && res.ok ? (await res.json()).data.traces : [];
    if (traces.length >= 25 && traces.some((t) => t.errorCount > 0)) break;
    if (Date.now() > deadline) throw new Error(`the demo's console holds ${traces.length} orders after 60 s`);
    await new Promise((r) => setTimeout(r, 500)); // polling the console's observable state
  }
  const run = spawn(process.execPath, [path.join(here, 'run.mjs'), base], { env, stdio: 'inherit' });
  code = await new Promise((resolve) => run.once('exit', (c) => resolve(c ?? 1)));
} catch (e) {
  console.error(String(e.stack || e));
} finally {
  const r = await stop();
  if (r.code !== 0) {
    console.error(`tome demo exited with ${JSON.stringify(r)}:\n${output.slice(-4000)}`);
    code = code || 1;
  }
}
process.exit(code);
