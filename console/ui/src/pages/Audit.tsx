// `/audit` — tome's audit trail (GET /api/audit): every change through the API and every refused
// request, newest first, with who, what, before -> after, the result and a link to the request's
// trace. Filters: who, target, time range.
import { useState } from 'preact/hooks';
import { proxyApi, type AuditRecord } from '../api';
import { fmtCount, fmtTime, shortId } from '../format';
import { useLoad } from '../hooks';
import { setQuery, useLocation } from '../router';
import { Empty, ErrorBox, Loading, Panel } from '../components/ui';
import { requestToken } from '../auth';

const RANGES: [string, number][] = [['1h', 3600e3], ['24h', 86400e3], ['7d', 7 * 86400e3], ['all', 0]];

function Value({ v }: { v: unknown }) {
  if (v === null || v === undefined) return <span class="muted">—</span>;
  const text = JSON.stringify(v);
  return <code class="audit-value" title={JSON.stringify(v, null, 2)}>{text.length > 120 ? text.slice(0, 117) + '…' : text}</code>;
}

export function AuditPage() {
  const { query } = useLocation();
  const qs = query.toString();
  const who = query.get('who') || '', target = query.get('target') || '', range = query.get('window') || '24h';
  const limit = query.get('limit') || '200';
  const ms = RANGES.find(([r]) => r === range)?.[1] ?? 86400e3;
  const [open, setOpen] = useState<number | null>(null);
  const result = useLoad((s) => proxyApi<{ records: AuditRecord[]; count: number; durable: boolean }>('audit',
    { who, target, limit, ...(ms ? { from: String(Date.now() - ms) } : {}) }, s), qs, 10000);

  const submit = (e: Event) => {
    e.preventDefault();
    const fd = new FormData(e.currentTarget as HTMLFormElement);
    const q = new URLSearchParams();
    for (const k of ['who', 'target', 'window', 'limit']) { const v = String(fd.get(k) || '').trim(); if (v) q.set(k, v); }
    setQuery(q, { push: true });
  };
  const records = result.data?.records || [];
  return (
    <div class="page">
      <div class="page-head"><h1>Audit trail</h1>
        <span class="muted">changes through the API and refused requests, newest first
          {result.data && (result.data.durable ? ' · kept in the store across restarts' : ' · in memory only (storage is off)')}</span></div>
      <form class="filters" onSubmit={submit} key={qs} data-testid="audit-search">
        <label class="field"><span>Who <em class="muted">(token name or address)</em></span><input name="who" defaultValue={who} placeholder="ops" /></label>
        <label class="field grow"><span>Target <em class="muted">(tome, connection, toggle)</em></span><input name="target" defaultValue={target} placeholder="PaymentService" /></label>
        <label class="field"><span>Time range</span>
          <select name="window">{RANGES.map(([r]) => <option key={r} value={r} selected={r === range}>{r === 'all' ? 'everything kept' : `last ${r}`}</option>)}</select>
        </label>
        <label class="field narrow"><span>Limit</span>
          <select name="limit">{['50', '200', '1000'].map((l) => <option key={l} value={l} selected={l === limit}>{l}</option>)}</select>
        </label>
        <div class="field actions"><button type="submit" class="primary">Search</button>{(who || target) && <a class="button" href="/audit">Clear</a>}</div>
      </form>
      <ErrorBox error={result.error} what="the audit trail" />
      {result.error && /scope/.test(result.error) && (
        <p><button type="button" class="button" onClick={requestToken} data-testid="use-another-token">Use another token</button>
          {' '}<span class="muted">the audit trail needs a token with the <code>admin</code> scope</span></p>
      )}
      {!result.data && !result.error && <Loading what="the audit trail" />}
      {result.data && (records.length === 0
        ? <Empty title="No audit records here">Changes appear as they are made: create a tome, connect two, or flip a toggle (<code>PUT /api/toggles/&lt;name&gt;</code>).</Empty>
        : (
          <Panel title={`${fmtCount(records.length)} ${records.length === 1 ? 'record' : 'records'}${records.length >= Number(limit) ? ` (the newest ${limit})` : ''}`}>
            <table class="grid audit" data-testid="audit-records">
              <thead><tr><th>time</th><th>who</th><th>change</th><th>target</th><th>result</th><th>before → after</th><th>trace</th></tr></thead>
              <tbody>
                {records.map((r) => (
                  <>
                    <tr key={r.seq} class={r.status >= 400 ? 'audit-refused' : ''} onClick={() => setOpen(open === r.seq ? null : r.seq)}>
                      <td class="nowrap mono small">{fmtTime(r.timeUnixMs * 1000)}</td>
                      <td class="nowrap"><a href={`/audit?who=${encodeURIComponent(r.who)}`} onClick={(e) => e.stopPropagation()}>{r.who}</a></td>
                      <td class="nowrap"><b>{r.method}</b> <span class="mono small">{r.route}</span></td>
                      <td class="mono small audit-target">{r.target ? <a href={`/audit?target=${encodeURIComponent(r.target)}`} onClick={(e) => e.stopPropagation()}>{r.target}</a> : <span class="muted">—</span>}</td>
                      <td class="nowrap"><span class={`status-badge ${r.status >= 500 ? 'bad' : r.status >= 400 ? 'warn' : 'good'}`}>{r.status}</span> {r.result !== 'ok' && <span class="small">{r.result}</span>}</td>
                      <td class="audit-change"><Value v={r.before} /> <span class="muted">→</span> <Value v={r.status < 400 ? r.after : null} /></td>
                      <td class="nowrap"><a class="mono small" href={`/traces/${r.traceId}?span=${r.spanId}`} onClick={(e) => e.stopPropagation()} title="the request's trace">{shortId(r.traceId)} →</a></td>
                    </tr>
                    {open === r.seq && (
                      <tr key={`${r.seq}-detail`} class="audit-detail"><td colSpan={7}>
                        {r.message && <div class="error-box">{r.message}</div>}
                        <div class="audit-json"><div><h4>before</h4><pre>{JSON.stringify(r.before, null, 2)}</pre></div><div><h4>after</h4><pre>{JSON.stringify(r.after, null, 2)}</pre></div></div>
                      </td></tr>
                    )}
                  </>
                ))}
              </tbody>
            </table>
          </Panel>
        ))}
    </div>
  );
}
