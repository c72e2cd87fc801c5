#!/usr/bin/env node
// The console with tokens (security.tokens) and its audit page, in Debian's chromium: starts a real
// `tome serve` with a viewer (read) and an ops (admin) token on a free loopback port and a fresh
// store, signs in through the console's dialog (a wrong token, then the viewer's), makes changes
// and two refused requests over the API, and reads them back on /audit (403 for the viewer, the
// table for ops: rows, detail, filter, trace links). Stops tome by pid and expects exit code 0.
//   node auth_audit.mjs <tome binary>
// Screenshots go to UI_ARTIFACTS (default tests/ui/artifacts); TOME_TEST_TIME_SCALE stretches the waits.
import { spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = path.dirname(fileURLToPath(import.meta.url));
const [tomeBinary] = process.argv.slice(2);
if (!tomeBinary) {
  console.error('usage: node auth_audit.mjs <tome binary>');
  process.exit(2);
}
const ARTIFACTS = path.resolve(process.env.UI_ARTIFACTS || path.join(here, 'artifacts'));
const SCALE = Math.max(1, Number(process.env.TOME_TEST_TIME_SCALE || 1));
const TIMEOUT = 15_000 * SCALE;
fs.mkdirSync(ARTIFACTS, { recursive: true });
const t0 = Date.now();
const log = (msg) => console.log(`${String(Date.now() - t0).padStart(6)} ms  ${msg}`);
// assert: the steps after it need it; check: a finding of its own, reported at the end (the test
// goes on, to report everything else too).
function assert(cond, msg) { if (!cond) throw new Error(msg); }
const failures = [];
function check(cond, msg) {
  if (!cond && !failures.includes(msg)) { failures.push(msg); log(`FAIL ${msg}`); }
  return cond;
}

// Tokens of this run only (random, so a leak is recognisable anywhere), and a wrong one.
const VIEWER = crypto.randomBytes(16).toString('hex');
const OPS = crypto.randomBytes(16).toString('hex');
const WRONG = crypto.randomBytes(16).toString('hex');
const TOKENS = { viewer: VIEWER, ops: OPS, wrong: WRONG };
/** `s` with the tokens replaced by their names, for this test's own output. */
const redact = (s) => Object.entries(TOKENS).reduce((acc, [name, t]) => acc.replaceAll(t, `<${name} token>`), String(s));

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'tome-ui-auth-'));
const dataDir = path.join(tmp, 'data');
fs.mkdirSync(dataDir);
const config = path.join(tmp, 'tome.yaml');
fs.writeFileSync(config, `development:
  server: {host: 127.0.0.1, port: 0}
  security:
    tokens:
      - {name: viewer, token: "${VIEWER}", scopes: [read]}
      - {name: ops, token: "${OPS}", scopes: [admin]}
`);

const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('TOME_')));
Object.assign(env, {
  TOME_ENV: 'development', TOME_CONSOLE_GRPC_PORT: '0', TOME_DATA_DIR: dataDir,
  OTEL_TRACES_EXPORTER: 'none', OTEL_METRICS_EXPORTER: 'none', OTEL_LOGS_EXPORTER: 'none',
});
// The binary may be being relinked: wait (bounded) until it is there and executable.
const executable = () => { try { fs.accessSync(tomeBinary, fs.constants.X_OK); return true; } catch { return false; } };
for (const deadline = Date.now() + 60_000 * SCALE; !executable();) {
  if (Date.now() > deadline) {
    console.error(`${tomeBinary} is not an executable file`);
    fs.rmSync(tmp, { recursive: true, force: true });
    process.exit(2);
  }
  await new Promise((r) => setTimeout(r, 500)); // polling the file system for the binary
}
const tome = spawn(tomeBinary, ['serve', '--port', '0', '--host', '127.0.0.1', '--config', config], { env, stdio: ['ignore', 'pipe', 'pipe'] });
let output = '';
const exited = new Promise((resolve) => {
  tome.once('exit', (code, signal) => resolve({ code, signal }));
  tome.once('error', (e) => resolve({ code: null, signal: null, error: e.message })); // could not start
});
tome.stdout.on('data', (d) => { output += d; });
tome.stderr.on('data', (d) => { output += d; });
let base;
try {
  base = await new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`tome serve did not start within ${30 * SCALE} s:\n${output}`)), 30_000 * SCALE);
    const onData = () => {
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output);
      if (m) { clearTimeout(timer); resolve(`http://127.0.0.1:${m[1]}`); }
    };
    tome.stdout.on('data', onData);
    tome.stderr.on('data', onData);
    exited.then(({ code, signal, error }) => { clearTimeout(timer); reject(new Error(`tome serve exited (${error ?? code ?? signal}) before serving:\n${output}`)); });
  });
} catch (e) {
  console.error(String(e.message || e));
  fs.rmSync(tmp, { recursive: true, force: true });
  process.exit(1);
}
log(`tome serve on ${base}, store in ${dataDir}`);

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

/** One call of tome's API from Node; answers { status, body } (the envelope). */
async function call(method, p, { token, body } = {}) {
  const headers = { accept: 'application/json' };
  if (token) headers.authorization = `Bearer ${token}`;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${base}${p}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
  const text = await res.text();
  let json;
  try { json = JSON.parse(text); } catch { throw new Error(`${method} ${p}: ${res.status}, not JSON: ${text.slice(0, 200)}`); }
  return { status: res.status, body: json };
}
async function expectCall(status, method, p, opts) {
  const r = await call(method, p, opts);
  assert(r.status === status, `${method} ${p}: expected ${status}, got ${r.status} ${JSON.stringify(r.body.error || r.body).slice(0, 300)}`);
  assert(r.body.success === (status < 400), `${method} ${p}: envelope success=${r.body.success}`);
  assert(/^[0-9a-f]{32}$/.test(r.body.traceId || ''), `${method} ${p}: envelope has a trace id (${r.body.traceId})`);
  return r.body;
}

const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'tome-ui-chromium-'));
let context;
let page;
let step = 'start';
const consoleErrors = [];
let allowedErrors = 0;
// Expected here: the console's requests refused with 401 (no or a wrong token) and 403 (the
// viewer on /audit), which chromium reports as failed loads. Nothing else.
const expected = (msg) => /^Failed to load resource: the server responded with a status of 40[13] /.test(msg.text());
async function shot(name, fullPage = true) { await page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage }); }

/** The visible text and the HTML of the page hold no token (and no input shows one). */
async function noTokenShown(where) {
  const { text, html, inputs } = await page.evaluate(() => ({
    text: document.body.innerText,
    html: document.documentElement.outerHTML,
    inputs: [...document.querySelectorAll('input')].filter((i) => i.type !== 'password').map((i) => i.value),
  }));
  for (const [name, t] of Object.entries(TOKENS)) {
    assert(!text.includes(t) && !html.includes(t) && !inputs.some((v) => v.includes(t)), `${where}: the ${name} token is shown in the page`);
  }
}

/** The rows of the audit table, as text per column, with the trace link. */
const auditRows = () => page.$$eval('[data-testid=audit-records] tbody tr:not(.audit-detail)', (trs) => trs.map((tr, index) => {
  const td = [...tr.querySelectorAll(':scope > td')].map((c) => c.innerText.trim());
  return { index, time: td[0], who: td[1], change: td[2], target: td[3], result: td[4], values: td[5], trace: tr.querySelector('td:last-child a')?.getAttribute('href') || '', refused: tr.classList.contains('audit-refused') };
}));

/** Opens /audit by its URL (a load or reload); when the server does not serve the console there,
 *  that is a finding, and the page is reached through the nav link so that the rest still runs. */
async function openAudit(how) {
  const res = how === 'reload' ? await page.reload() : await page.goto(`${base}/audit`);
  const ok = res?.status() === 200 && /text\/html/.test(res.headers()['content-type'] || '');
  if (!check(ok, `${how === 'reload' ? 'a reload of' : 'loading'} ${base}/audit answers ${res?.status()} ${res?.headers()['content-type']} ${ok ? '' : (await res?.text())?.slice(0, 200)} (expected the console's page)`)) {
    await page.goto(`${base}/`);
    await page.click('nav.nav a[href="/audit"]');
    await page.waitForFunction(() => location.pathname === '/audit');
  }
}

let code = 1;
try {
  context = await chromium.launchPersistentContext(profile, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 900 },
  });
  page = context.pages()[0] || (await context.newPage());
  page.setDefaultTimeout(TIMEOUT);
  page.on('console', (msg) => {
    if (msg.type() !== 'error') return;
    if (expected(msg)) allowedErrors++;
    else consoleErrors.push(redact(`${new URL(page.url()).pathname}: ${msg.text()} ${msg.location()?.url || ''}`));
  });
  page.on('pageerror', (err) => consoleErrors.push(redact(`${page.url()}: uncaught ${err.message}`)));

  // 1. No token: the console's data answers 401 and the sign-in dialog shows.
  step = 'signin';
  await page.goto(`${base}/`);
  await page.waitForSelector('[data-testid=signin]');
  const dialog = await page.textContent('[data-testid=signin]');
  assert(/only answers requests that carry one of its tokens/.test(dialog), `the dialog says why it is there: ${dialog}`);
  assert((await page.getAttribute('[data-testid=signin] input[aria-label=Token]', 'type')) === 'password', 'the token input is a password field');
  assert(await page.isDisabled('[data-testid=signin] button[type=submit]'), 'Sign in is disabled while the input is empty');
  assert(!(await page.$('[data-testid=store-status]')), 'no store status without a token');
  // The dialog sits in the middle of the viewport.
  const box = await page.locator('[data-testid=signin] form.signin').boundingBox();
  assert(box && Math.abs(box.x + box.width / 2 - 720) < 4 && Math.abs(box.y + box.height / 2 - 450) < 4, `the dialog is centred (${JSON.stringify(box)})`);
  await noTokenShown('sign-in');
  await shot('signin', false);
  log('no token: the sign-in dialog shows');

  // 2. A wrong token: after the reload the dialog says the server refused it; then the viewer's.
  step = 'wrong-token';
  await page.fill('[data-testid=signin] input[aria-label=Token]', WRONG);
  await Promise.all([page.waitForEvent('load'), page.click('[data-testid=signin] button:has-text("Sign in")')]);
  await page.waitForSelector('[data-testid=signin]');
  await page.waitForFunction(() => /refused this tab's token/.test(document.querySelector('[data-testid=signin]')?.textContent || ''));
  assert((await page.inputValue('[data-testid=signin] input[aria-label=Token]')) === '', 'the refused token is not put back into the input');
  await noTokenShown('wrong token');
  await shot('signin-refused', false);
  log('a wrong token: the dialog shows again, saying the server refused it');

  step = 'viewer-token';
  await page.fill('[data-testid=signin] input[aria-label=Token]', VIEWER);
  await Promise.all([page.waitForEvent('load'), page.press('[data-testid=signin] input[aria-label=Token]', 'Enter')]);
  await page.waitForSelector('[data-testid=store-status]');
  await page.waitForSelector('.page-network');
  assert(!(await page.$('[data-testid=signin]')), 'the dialog is gone with the viewer token');
  assert((await page.evaluate(() => sessionStorage.getItem('tome.token'))) === VIEWER, 'the token is kept in sessionStorage tome.token');
  await page.waitForFunction(() => !document.querySelector('.loading'));
  await noTokenShown('network');
  await shot('network-with-token');
  log('the viewer token: the dialog is gone, the store status and the network show');

  // 3. Changes over the API with the ops token, and two refused requests.
  step = 'changes';
  const created = await expectCall(201, 'POST', '/api/tomes', { token: OPS, body: { id: 'OrderDesk', initial: 'idle', states: { idle: { on: { GO: 'busy' } }, busy: {} } } });
  await expectCall(201, 'POST', '/api/tomes', { token: OPS, body: { id: 'Billing', initial: 'open', states: { open: { on: { CLOSE: 'closed' } }, closed: {} } } });
  const conn = await expectCall(201, 'POST', '/api/connections', { token: OPS, body: { sourceTome: 'OrderDesk', targetTome: 'Billing' } });
  const toggled = await expectCall(200, 'PUT', '/api/toggles/enable-kotlin-backend', { token: OPS, body: { enabled: true } });
  await expectCall(200, 'DELETE', '/api/tomes/Billing', { token: OPS });
  const unauth = await expectCall(401, 'PUT', '/api/toggles/enable-state-sync', { body: { enabled: true } });
  assert(unauth.error?.code === 'unauthenticated', `401 has code unauthenticated: ${JSON.stringify(unauth.error)}`);
  const denied = await expectCall(403, 'PUT', '/api/toggles/enable-state-sync', { token: VIEWER, body: { enabled: true } });
  assert(denied.error?.code === 'permission_denied', `403 has code permission_denied: ${JSON.stringify(denied.error)}`);
  log(`changes made (connection ${conn.data.id}), one 401 and one 403`);

  // The console's EventSource carries its token as ?access_token= (it cannot send headers).
  step = 'stream';
  const stream = async (token) => {
    const ctl = new AbortController();
    const res = await fetch(`${base}/console/api/stream?access_token=${token}`, { signal: ctl.signal });
    const r = { status: res.status, type: res.headers.get('content-type') || '', body: res.status === 200 ? '' : (await res.text()).slice(0, 300) };
    ctl.abort();
    return r;
  };
  const sv = await stream(VIEWER);
  check(sv.status === 200 && sv.type.startsWith('text/event-stream'), `GET /console/api/stream?access_token=<viewer token> answers ${sv.status} ${sv.type} ${sv.body} (expected 200 text/event-stream)`);
  const sw = await stream(WRONG);
  check(sw.status === 401, `GET /console/api/stream?access_token=<wrong token> answers ${sw.status} (expected 401)`);

  // 4. The viewer on /audit: 403, shown as the server's message, not a crash nor the dialog.
  step = 'audit-viewer';
  await openAudit('load');
  await page.waitForSelector('.error-box[role=alert]');
  const err = await page.textContent('.error-box[role=alert]');
  assert(/does not have the 'admin' scope/.test(err), `the error box has the server's message: ${err}`);
  assert(!(await page.$('[data-testid=signin]')), 'a 403 does not ask for another token');
  assert(!(await page.$('[data-testid=audit-records]')), 'no audit table for the viewer');
  assert(await page.$('[data-testid=audit-search]'), 'the page itself renders');
  await noTokenShown('audit as viewer');
  await shot('audit-viewer');
  log('the viewer on /audit: the admin-scope error');

  // 5. The ops token: the table, newest first.
  step = 'audit-ops';
  await page.evaluate((t) => sessionStorage.setItem('tome.token', t), OPS);
  await openAudit('reload');
  await page.waitForSelector('[data-testid=audit-records] tbody tr');
  assert(!(await page.$('.error-box[role=alert]')), 'no error for ops');
  const rows = await auditRows();
  const find = (what, pred) => { const r = rows.find(pred); assert(r, `a row for ${what}; rows:\n${rows.map((x) => `${x.who} | ${x.change} | ${x.target} | ${x.result}`).join('\n')}`); return r; };
  const rCreate = find('POST /api/tomes OrderDesk by ops', (r) => r.change === 'POST /api/tomes' && r.target === 'OrderDesk' && r.who === 'ops' && /^201\b/.test(r.result));
  const rToggle = find('the toggle change', (r) => r.change === 'PUT /api/toggles/{name}' && r.target === 'enable-kotlin-backend' && r.who === 'ops' && /^200\b/.test(r.result));
  assert(/^\{"enabled":false\}\s*→\s*\{.*"enabled":true/.test(rToggle.values), `the toggle row shows before {"enabled":false} → after with "enabled":true: ${rToggle.values}`);
  const rDelete = find('DELETE of Billing', (r) => r.change === 'DELETE /api/tomes/{id}' && r.target === 'Billing' && r.who === 'ops' && /^200\b/.test(r.result));
  const r401 = find('the 401', (r) => r.change === 'PUT /api/toggles/{name}' && r.who === '127.0.0.1' && /^401\s+unauthenticated$/.test(r.result) && r.target.includes('enable-state-sync'));
  const r403 = find('the 403', (r) => r.change === 'PUT /api/toggles/{name}' && r.who === 'viewer' && /^403\s+permission_denied$/.test(r.result) && r.target.includes('enable-state-sync'));
  assert(r401.refused && r403.refused && !rCreate.refused, 'refused rows are marked');
  assert(r403.index < r401.index && r401.index < rDelete.index && rDelete.index < rToggle.index && rToggle.index < rCreate.index,
    `newest first: 403 ${r403.index} < 401 ${r401.index} < DELETE ${rDelete.index} < toggle ${rToggle.index} < create ${rCreate.index}`);
  // The viewer's own GET /api/audit (step 4) came after all of them.
  const rViewerAudit = find("the viewer's GET /api/audit", (r) => r.change === 'GET /api/audit' && r.who === 'viewer' && /^403\b/.test(r.result));
  assert(rViewerAudit.index < r403.index, 'the 403 of the audit page is newer than the API calls');

  // 6. The trace links: /traces/<32 hex>?span=<16 hex>, the request's own trace and span.
  for (const r of rows) assert(/^\/traces\/[0-9a-f]{32}\?span=[0-9a-f]{16}$/.test(r.trace), `trace link of ${r.change} ${r.target}: ${r.trace}`);
  assert(rToggle.trace === `/traces/${toggled.traceId}?span=${toggled.spanId}`, `the toggle row links the PUT's trace ${toggled.traceId}: ${rToggle.trace}`);
  assert(rCreate.trace === `/traces/${created.traceId}?span=${created.spanId}`, `the create row links the POST's trace ${created.traceId}: ${rCreate.trace}`);
  assert(r401.trace.startsWith(`/traces/${unauth.traceId}?`) && r403.trace.startsWith(`/traces/${denied.traceId}?`), 'the refused rows link their requests\' traces');

  // A click on a row opens its before/after.
  step = 'audit-detail';
  const rowSel = '[data-testid=audit-records] tbody tr:not(.audit-detail)';
  await page.locator(rowSel).nth(rToggle.index).locator('td').nth(2).click();
  await page.waitForSelector('tr.audit-detail .audit-json pre');
  const pre = await page.$$eval('tr.audit-detail .audit-json pre', (ps) => ps.map((p) => p.textContent));
  assert(pre.length === 2, `the detail shows before and after (${pre.length})`);
  const [before, after] = pre.map((t) => JSON.parse(t));
  assert(JSON.stringify(before) === '{"enabled":false}' && after.enabled === true, `the detail's JSON: ${pre.join(' → ')}`);
  assert(await page.evaluate((i) => document.querySelectorAll('[data-testid=audit-records] tbody tr')[i + 1]?.classList.contains('audit-detail'), rToggle.index), 'the detail row follows the clicked row');
  await noTokenShown('audit as ops');
  await shot('audit');
  log(`ops on /audit: ${rows.length} records, newest first, the detail of the toggle change`);

  // The filter form: target=OrderDesk leaves OrderDesk's rows only.
  step = 'audit-filter';
  await page.fill('[data-testid=audit-search] input[name=target]', 'OrderDesk');
  await page.click('[data-testid=audit-search] button[type=submit]');
  await page.waitForFunction(() => new URLSearchParams(location.search).get('target') === 'OrderDesk');
  await page.waitForFunction(() => {
    const trs = [...document.querySelectorAll('[data-testid=audit-records] tbody tr:not(.audit-detail)')];
    return trs.length > 0 && trs.every((tr) => tr.children[3]?.textContent.trim() === 'OrderDesk');
  });
  const filtered = await auditRows();
  assert(filtered.some((r) => r.change === 'POST /api/tomes' && r.who === 'ops'), 'the creation of OrderDesk is in the filtered rows');
  assert((await page.inputValue('[data-testid=audit-search] input[name=target]')) === 'OrderDesk', 'the form keeps the filter');
  assert(await page.$('[data-testid=audit-search] a.button[href="/audit"]'), 'a Clear link while filtered');
  await shot('audit-filtered');
  log(`filtered by target=OrderDesk: ${filtered.length} row(s)`);

  // The toggle change's trace link opens the request's span (tome keeps its own spans).
  step = 'trace-link';
  await page.click('[data-testid=audit-search] a.button[href="/audit"]'); // Clear: in the app, no reload
  await page.waitForFunction(() => location.pathname === '/audit' && location.search === '');
  await page.waitForSelector(`[data-testid=audit-records] a[href="${rToggle.trace}"]`);
  await page.click(`[data-testid=audit-records] a[href="${rToggle.trace}"]`);
  await page.waitForFunction((p) => location.pathname + location.search === p, rToggle.trace);
  await page.waitForSelector(`[data-testid=span-details][data-span-id="${toggled.spanId}"]`);
  const span = await page.textContent('[data-testid=span-details]');
  check(span.includes('/api/toggles/enable-kotlin-backend'), `the trace page shows the PUT's span (url.path): ${span.slice(0, 200)}`);
  await noTokenShown('trace page');
  log('the trace link opens the request\'s span');

  // 7. Console errors: only the 401/403 failed loads.
  step = 'console-errors';
  check(allowedErrors > 0, 'the refused loads were seen (401/403)');
  const counted = [...new Set(consoleErrors)].map((e) => { const n = consoleErrors.filter((x) => x === e).length; return n > 1 ? `${e} (${n}×)` : e; });
  check(consoleErrors.length === 0, `console errors other than the 401/403 failed loads:\n  ${counted.join('\n  ')}`);
  code = failures.length ? 1 : 0;
} catch (e) {
  console.error(`FAIL ${step}: ${redact(e.stack || e)}`);
  if (consoleErrors.length) console.error(`console errors:\n${consoleErrors.join('\n')}`);
  if (page) await shot(`FAILED-auth_audit-${step}`).catch(() => {});
} finally {
  if (context) await context.close().catch(() => {});
  fs.rmSync(profile, { recursive: true, force: true });
  // 8. SIGTERM: a clean stop, exit code 0; tome's output holds no token.
  const r = await stop();
  if (r.code !== 0) {
    console.error(`tome serve exited with ${JSON.stringify(r)}:\n${output.slice(-4000)}`);
    code = 1;
  }
  // No token in tome's output nor in its store (the audit records name tokens, never hold them).
  const stored = fs.readdirSync(dataDir).map((f) => fs.readFileSync(path.join(dataDir, f)));
  for (const [name, t] of Object.entries(TOKENS)) {
    if (output.includes(t)) { console.error(`tome's output holds the ${name} token`); code = 1; }
    if (stored.some((b) => b.includes(t))) { console.error(`tome's store (${dataDir}) holds the ${name} token`); code = 1; }
  }
  fs.rmSync(tmp, { recursive: true, force: true });
}
if (failures.length) console.error(`${failures.length} finding(s):\n- ${failures.join('\n- ')}`);
log(`${allowedErrors} expected 401/403 failed loads in the console; screenshots in ${ARTIFACTS}`);
console.log(code === 0 ? `ok   ui.auth_audit (${Date.now() - t0} ms)` : `FAIL ui.auth_audit (${Date.now() - t0} ms)`);
process.exit(code);
