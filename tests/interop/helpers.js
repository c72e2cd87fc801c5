'use strict';
// Shared helpers of the interop tests: child processes that announce their port on stdout,
// stopping them by pid, polling an observable condition with a deadline, and reading the OTLP
// receiver (receiver.js).

const { spawn } = require('node:child_process');
const path = require('node:path');

/** The value of a required environment variable (set by CTest, see CMakeLists.txt). */
function requireEnv(name) {
  const v = process.env[name];
  if (!v) throw new Error(`${name} is not set; run this test through ctest (see tests/interop/CMakeLists.txt)`);
  return v;
}

/**
 * Spawns `command args` and waits (up to timeoutMs) for a stdout/stderr line matching `pattern`.
 * Resolves { child, match, output(), exited } where `exited` resolves to { code, signal }.
 */
function spawnAndWaitFor(command, args, { env, pattern, timeoutMs = 15000, name = command } = {}) {
  const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  const exited = new Promise((resolve) => {
    child.once('exit', (code, signal) => resolve({ code, signal }));
  });
  const ready = new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      reject(new Error(`${name} did not print ${pattern} within ${timeoutMs} ms; output:\n${out}`));
    }, timeoutMs);
    const onData = (chunk) => {
      out += chunk.toString('utf8');
      const m = out.match(pattern);
      if (m) {
        clearTimeout(timer);
        resolve(m);
      }
    };
    child.stdout.on('data', onData);
    child.stderr.on('data', onData);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`${name} exited (code ${code}, signal ${signal}) before printing ${pattern}; output:\n${out}`));
    });
  });
  const handle = { child, exited, output: () => out };
  return ready.then(
    (match) => Object.assign(handle, { match }),
    (err) => {
      stopProcess(handle);
      throw err;
    },
  );
}

/**
 * Sends SIGTERM to the child by pid (SIGKILL after graceMs) and resolves its { code, signal }.
 * Safe to call on a child that already exited, or with null.
 */
async function stopProcess(handle, graceMs = 10000) {
  if (!handle || !handle.child) return null;
  const { child, exited } = handle;
  if (child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(child.pid, 'SIGTERM');
    } catch {
      // already gone
    }
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }, graceMs);
    const result = await exited;
    clearTimeout(timer);
    return result;
  }
  return exited;
}

/** Runs a program to completion; resolves { code, signal, stdout, stderr }. */
function run(command, args, { env, timeoutMs = 30000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => { stdout += c; });
    child.stderr.on('data', (c) => { stderr += c; });
    const timer = setTimeout(() => {
      try {
        process.kill(child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
      reject(new Error(`${command} ${args.join(' ')} timed out after ${timeoutMs} ms; stderr:\n${stderr}`));
    }, timeoutMs);
    child.once('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

/** Starts receiver.js as a child process; resolves { ...handle, port, url }. */
async function startReceiverProcess() {
  const handle = await spawnAndWaitFor(process.execPath, [path.join(__dirname, 'receiver.js')], {
    pattern: /listening (\d+)/,
    name: 'receiver.js',
  });
  const port = Number(handle.match[1]);
  return Object.assign(handle, { port, url: `http://127.0.0.1:${port}` });
}

/** Everything the receiver recorded (optionally for one signal). */
async function getReceived(receiverUrl, signal) {
  const q = signal ? `?signal=${encodeURIComponent(signal)}` : '';
  const res = await fetch(`${receiverUrl}/received${q}`);
  if (res.status !== 200) throw new Error(`GET /received answered ${res.status}`);
  return res.json();
}

/**
 * Calls `probe` until it returns a truthy value or the deadline passes; returns that value.
 * On timeout throws with `describe()` (the last observed state) in the message.
 */
async function pollUntil(probe, { timeoutMs = 15000, intervalMs = 50, what = 'condition', describe } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() >= deadline) {
      const state = describe ? `\nlast state: ${await describe()}` : '';
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${state}`);
    }
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

/**
 * Flattens normalised ExportTraceServiceRequests into spans, each with its `resource`,
 * `scope` and the recorded request's `format`/`gzip`.
 */
function flattenSpans(records) {
  const spans = [];
  for (const rec of records) {
    if (!rec.request) continue;
    for (const rs of rec.request.resourceSpans) {
      for (const ss of rs.scopeSpans) {
        for (const span of ss.spans) {
          spans.push({ ...span, resource: rs.resource, scope: ss.scope, format: rec.format, gzip: rec.gzip });
        }
      }
    }
  }
  return spans;
}

/** An OTLP AnyValue as { type, value } with JS values (int64 kept as BigInt). */
function anyValue(v) {
  if (v === undefined || v === null) return { type: 'empty', value: undefined };
  if ('stringValue' in v) return { type: 'string', value: v.stringValue };
  if ('boolValue' in v) return { type: 'bool', value: v.boolValue };
  if ('intValue' in v) return { type: 'int', value: BigInt(v.intValue) };
  if ('doubleValue' in v) return { type: 'double', value: v.doubleValue };
  if ('bytesValue' in v) return { type: 'bytes', value: v.bytesValue };
  if ('arrayValue' in v) {
    const items = (v.arrayValue.values || []).map(anyValue);
    return { type: 'array', value: items };
  }
  if ('kvlistValue' in v) return { type: 'kvlist', value: attributeMap(v.kvlistValue.values || []) };
  return { type: 'empty', value: undefined };
}

/** OTLP attributes (KeyValue list) as a Map key -> { type, value }. */
function attributeMap(attributes) {
  const m = new Map();
  for (const kv of attributes || []) m.set(kv.key, anyValue(kv.value));
  return m;
}

// A fresh directory for a `tome serve`'s store (TOME_DATA_DIR), removed when the test process
// exits: each run starts from the config's network, and parallel tests never share a store.
function tempDataDir() {
  const fs = require('node:fs');
  const os = require('node:os');
  const path = require('node:path');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tome-interop-data-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  return dir;
}

module.exports = {
  requireEnv,
  tempDataDir,
  spawnAndWaitFor,
  stopProcess,
  run,
  startReceiverProcess,
  getReceived,
  pollUntil,
  flattenSpans,
  anyValue,
  attributeMap,
};
