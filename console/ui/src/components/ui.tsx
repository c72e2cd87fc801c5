import type { ComponentChildren } from 'preact';
import type { Attrs } from '../api';
import { fmtValue } from '../format';

export function ErrorBox({ error, what }: { error?: string; what?: string }) {
  if (!error) return null;
  return (
    <div class="error-box" role="alert">
      <strong>{what ? `Could not load ${what}` : 'Error'}:</strong> {error}
    </div>
  );
}

export function Empty({ title, children }: { title: string; children?: ComponentChildren }) {
  return (
    <div class="empty">
      <div class="empty-title">{title}</div>
      {children && <div class="empty-body">{children}</div>}
    </div>
  );
}

export function Loading({ what }: { what?: string }) {
  return <div class="loading">Loading{what ? ` ${what}` : ''}…</div>;
}

export function Panel({ title, actions, children, class: cls, id }: { title?: ComponentChildren; actions?: ComponentChildren; children: ComponentChildren; class?: string; id?: string }) {
  return (
    <section class={`panel ${cls || ''}`} id={id}>
      {(title || actions) && (
        <header class="panel-head">
          <h2>{title}</h2>
          {actions && <div class="panel-actions">{actions}</div>}
        </header>
      )}
      <div class="panel-body">{children}</div>
    </section>
  );
}

/** Attributes as a two-column table, keys sorted, business.* first. */
export function AttrTable({ attrs, empty = 'none' }: { attrs: Attrs | undefined; empty?: string }) {
  const keys = Object.keys(attrs || {}).sort((a, b) => {
    const ba = a.startsWith('business.') ? 0 : 1, bb = b.startsWith('business.') ? 0 : 1;
    return ba - bb || a.localeCompare(b);
  });
  if (!keys.length) return <div class="muted small">{empty}</div>;
  return (
    <table class="attrs">
      <tbody>
        {keys.map((k) => (
          <tr key={k}>
            <th title={k}>{k}</th>
            <td class={typeof attrs![k] === 'number' ? 'num' : ''}>{fmtValue(attrs![k])}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function Stat({ label, value, tone }: { label: string; value: ComponentChildren; tone?: 'bad' | 'warn' | 'good' }) {
  return (
    <div class={`stat ${tone ? `tone-${tone}` : ''}`}>
      <div class="stat-value">{value}</div>
      <div class="stat-label">{label}</div>
    </div>
  );
}

export function ServiceDot({ color }: { color: string }) {
  return <span class="svc-dot" style={{ background: color }} />;
}

export const WINDOWS = ['1m', '5m', '15m', '1h'];
export function WindowSelect({ value, onChange, options = WINDOWS, label = 'Window' }: { value: string; onChange: (v: string) => void; options?: string[]; label?: string }) {
  return (
    <label class="field inline">
      <span>{label}</span>
      <select value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
        {options.map((o) => <option key={o} value={o}>last {o.replace('m', ' min').replace('h', ' h')}</option>)}
      </select>
    </label>
  );
}

/** A key=value list editor for `attr` filters: Enter adds, × removes. */
export function AttrFilters({ value, onChange, placeholder = 'key=value, Enter to add' }: { value: string[]; onChange: (v: string[]) => void; placeholder?: string }) {
  return (
    <div class="chips-input">
      {value.map((a, i) => (
        <span class="chip" key={a}>
          <code>{a}</code>
          <button type="button" aria-label={`remove ${a}`} onClick={() => onChange(value.filter((_, j) => j !== i))}>×</button>
        </span>
      ))}
      <input
        name="attr"
        placeholder={value.length ? '' : placeholder}
        onKeyDown={(e) => {
          const el = e.target as HTMLInputElement;
          if (e.key === 'Enter' && el.value.includes('=')) {
            e.preventDefault();
            const v = el.value.trim();
            if (!value.includes(v)) onChange([...value, v]);
            el.value = '';
          } else if (e.key === 'Backspace' && !el.value && value.length) {
            onChange(value.slice(0, -1));
          }
        }}
      />
    </div>
  );
}

/** Reads the text left in an AttrFilters input (so Search also takes what was typed). */
export function pendingAttr(form: HTMLFormElement): string | undefined {
  const el = form.querySelector<HTMLInputElement>('.chips-input input');
  const v = el?.value.trim();
  if (v && v.includes('=')) { el!.value = ''; return v; }
  return undefined;
}

export function SeverityBadge({ text, num }: { text: string; num: number }) {
  const cls = num >= 17 ? 'sev-error' : num >= 13 ? 'sev-warn' : num >= 9 ? 'sev-info' : 'sev-debug';
  return <span class={`sev ${cls}`}>{(text || sevName(num)).toUpperCase()}</span>;
}
export function sevName(n: number): string {
  return n >= 21 ? 'fatal' : n >= 17 ? 'error' : n >= 13 ? 'warn' : n >= 9 ? 'info' : n >= 5 ? 'debug' : 'trace';
}
