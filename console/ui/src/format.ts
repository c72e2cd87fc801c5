// Numbers with their units, short and legible.

const trim = (x: number, digits: number) => {
  const s = x.toFixed(digits);
  return s.includes('.') ? s.replace(/\.?0+$/, '') : s;
};

/** Microseconds to "850 µs", "12.3 ms", "1.25 s", "2m 05s". */
export function fmtUs(us: number | undefined | null): string {
  if (us === undefined || us === null || !Number.isFinite(us)) return '–';
  const a = Math.abs(us);
  if (a < 1000) return `${trim(us, a < 10 ? 1 : 0)} µs`;
  if (a < 1e6) return `${trim(us / 1000, a < 1e4 ? 2 : a < 1e5 ? 1 : 0)} ms`;
  if (a < 60e6) return `${trim(us / 1e6, 2)} s`;
  const s = Math.round(us / 1e6);
  if (s < 3600) return `${Math.floor(s / 60)}m ${String(s % 60).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h ${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}
export const fmtMs = (ms: number | undefined | null) => (ms === undefined || ms === null ? '–' : fmtUs(ms * 1000));

export function fmtRate(perSec: number | undefined, unit = 'req/s'): string {
  if (perSec === undefined || !Number.isFinite(perSec)) return '–';
  if (perSec === 0) return `0 ${unit}`;
  if (perSec < 0.01) return `${trim(perSec * 60, 2)} ${unit.replace('/s', '/min')}`;
  return `${trim(perSec, perSec < 10 ? 2 : perSec < 100 ? 1 : 0)} ${unit}`;
}

export function fmtPct(ratio: number | undefined): string {
  if (ratio === undefined || !Number.isFinite(ratio)) return '–';
  const p = ratio * 100;
  if (p === 0) return '0 %';
  if (p < 0.1) return '<0.1 %';
  return `${trim(p, p < 10 ? 1 : 0)} %`;
}

export function fmtCount(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n)) return '–';
  return Math.round(n).toLocaleString('en-US');
}

export function fmtBytes(b: number | undefined): string {
  if (b === undefined || !Number.isFinite(b)) return '–';
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let i = 0;
  while (Math.abs(b) >= 1024 && i < units.length - 1) { b /= 1024; i++; }
  return `${trim(b, i === 0 ? 0 : b < 10 ? 1 : 0)} ${units[i]}`;
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');
/** Unix µs to local "14:03:07.123" (and the date when not today). */
export function fmtTime(us: number | undefined, withMs = true): string {
  if (us === undefined) return '–';
  const d = new Date(us / 1000);
  const now = new Date();
  const time = `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}${withMs ? '.' + pad(d.getMilliseconds(), 3) : ''}`;
  if (d.toDateString() === now.toDateString()) return time;
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${time}`;
}

/** "12 s ago", "3 min ago". */
export function fmtAgo(us: number | undefined): string {
  if (us === undefined) return '–';
  const s = (Date.now() * 1000 - us) / 1e6;
  if (s < 1) return 'just now';
  if (s < 60) return `${Math.floor(s)} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function fmtValue(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return Number.isInteger(v) ? String(v) : String(Math.round(v * 1e6) / 1e6);
  return JSON.stringify(v);
}

/** A metric unit in OTel's UCUM-ish form to a label: "{connection}" -> "connections". */
export function unitLabel(unit: string): string {
  const m = /^\{(.+)\}$/.exec(unit);
  if (m) return m[1].endsWith('s') ? m[1] : `${m[1]}s`;
  return unit || '';
}

/** A stable colour for a service name. */
const PALETTE = ['#0f9d8a', '#8a4fd8', '#3f8f2f', '#b8860b', '#5b6b7f', '#1f9bcf', '#7a8b2f', '#2f6fde', '#4f5bd5'];  // no reds: red means error
export function serviceColor(name: string): string {
  let h = 2166136261;
  for (let i = 0; i < name.length; i++) h = Math.imul(h ^ name.charCodeAt(i), 16777619);
  return PALETTE[(h >>> 0) % PALETTE.length];
}

export const shortId = (id: string | undefined) => (id ? id.slice(0, 8) : '');

/** 1234 -> "1.2k", 0.25 -> "0.25": for axis ticks. */
export function fmtCompact(v: number): string {
  const a = Math.abs(v);
  if (a >= 1e9) return `${trim(v / 1e9, 1)}G`;
  if (a >= 1e6) return `${trim(v / 1e6, 1)}M`;
  if (a >= 1e3) return `${trim(v / 1e3, 1)}k`;
  return trim(v, a < 1 ? 2 : a < 10 ? 1 : 0);
}
