import { formatMoney } from './money.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-23 09:16 UTC": one unambiguous clock for everyone reading the admin pages. */
export function when(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const t = new Date(d);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

/** How long since: "40 s", "5 min", "3 h", "2 d". */
export function age(d: Date | string | null | undefined, now = Date.now()): string {
  if (!d) return '—';
  const s = Math.max(0, Math.round((now - new Date(d).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

export function ago(d: Date | string | null | undefined, now = Date.now()): string {
  return d ? `${age(d, now)} ago` : '—';
}

export function json(v: unknown): string {
  return v === null || v === undefined ? '' : JSON.stringify(v, null, 2);
}

/** Formatting helpers every admin template gets as `it.fmt`. */
export const fmt = { when, age, ago, json, money: formatMoney };
