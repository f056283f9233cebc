import { formatMoney } from './money.js';

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-23 09:16 UTC": one unambiguous clock for everyone reading the admin pages. */
export function when(d: Date | string | null | undefined): string {
  if (!d) return '—';
  const t = new Date(d);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

/** "5 min ago", "3 h ago", "2 d ago". */
export function ago(d: Date | string | null | undefined, now = Date.now()): string {
  if (!d) return '—';
  const s = Math.max(0, Math.round((now - new Date(d).getTime()) / 1000));
  if (s < 60) return `${s} s ago`;
  if (s < 3600) return `${Math.floor(s / 60)} min ago`;
  if (s < 86400) return `${Math.floor(s / 3600)} h ago`;
  return `${Math.floor(s / 86400)} d ago`;
}

export function json(v: unknown): string {
  return v === null || v === undefined ? '' : JSON.stringify(v, null, 2);
}

/** Formatting helpers every admin template gets as `it.fmt`. */
export const fmt = { when, ago, json, money: formatMoney };
