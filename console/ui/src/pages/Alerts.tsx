// `/alerts` — a placeholder until alert rules exist: lists /api/alerts when the server has it.
import { useEffect, useState } from 'preact/hooks';
import { Empty, ErrorBox, Loading, Panel } from '../components/ui';

export function AlertsPage() {
  const [state, setState] = useState<{ rules?: unknown[]; none?: boolean; error?: string }>({});
  useEffect(() => {
    const ctl = new AbortController();
    fetch('/api/alerts', { signal: ctl.signal, headers: { accept: 'application/json' } })
      .then(async (res) => {
        if (res.status === 404) return setState({ none: true });
        const body = await res.json().catch(() => undefined);
        if (!res.ok) return setState({ error: body?.error?.message || `${res.status} ${res.statusText}` });
        const data = body?.data ?? body;
        setState({ rules: Array.isArray(data) ? data : Array.isArray(data?.rules) ? data.rules : [] });
      })
      .catch((e) => { if (e.name !== 'AbortError') setState({ error: String(e.message) }); });
    return () => ctl.abort();
  }, []);
  return (
    <div class="page">
      <div class="page-head"><h1>Alerts</h1></div>
      <ErrorBox error={state.error} what="alert rules" />
      {!state.none && !state.rules && !state.error && <Loading />}
      {(state.none || (state.rules && state.rules.length === 0)) && <Empty title="No alert rules configured">Alert rules come in a later version of tome; the dashboards show the same figures today.</Empty>}
      {state.rules && state.rules.length > 0 && <Panel title="Rules"><pre class="small">{JSON.stringify(state.rules, null, 2)}</pre></Panel>}
    </div>
  );
}
