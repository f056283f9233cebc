/**
 * Every number, amount, count, size, clock and time a person reads, formatted one way. Every
 * template gets this as `it.fmt` (platform/view.ts); server code imports the functions.
 */

const LOCALE = 'en';

const plurals = new Intl.PluralRules(LOCALE);
const currencies = new Map<string, Intl.NumberFormat | null>();

/** null for a code Intl does not know (a page still shows the amount rather than failing). */
function currencyFormat(currency: string): Intl.NumberFormat | null {
  const code = currency.toUpperCase();
  if (!currencies.has(code)) {
    let f: Intl.NumberFormat | null;
    try {
      f = new Intl.NumberFormat(LOCALE, { style: 'currency', currency: code });
    } catch {
      f = null;
    }
    currencies.set(code, f);
  }
  return currencies.get(code)!;
}

/** Digits after the point in the currency's smallest unit, as Intl knows them: usd 2, jpy 0. */
export function currencyDigits(currency: string): number {
  return currencyFormat(currency)?.resolvedOptions().maximumFractionDigits ?? 2;
}

/** An amount in the currency's smallest unit (cents; yen have none): 499 usd → "$4.99". */
export function money(minorUnits: number, currency: string): string {
  const digits = currencyDigits(currency);
  const amount = minorUnits / 10 ** digits;
  const f = currencyFormat(currency);
  return f ? f.format(amount) : `${amount.toFixed(digits)} ${currency.toUpperCase()}`;
}

/** "$0.90" for a pack of 20 credits at $18.00. */
export function perCredit(priceMinorUnits: number, credits: number, currency: string): string {
  return money(Math.round(priceMinorUnits / credits), currency);
}

/** The noun for a count: plural(1, 'credit') → "credit", plural(2, 'person', 'people') → "people". */
export function plural(n: number, one: string, other = `${one}s`): string {
  return plurals.select(n) === 'one' ? one : other;
}

/** A count and its noun: "1 credit", "3 clips", "2 people". */
export function count(n: number, one: string, other?: string): string {
  return `${n} ${plural(n, one, other)}`;
}

export function credits(n: number): string {
  return count(n, 'credit');
}

/**
 * m:ss, rounded down (the tiny allowance absorbs float error such as 29.9999). The one rule for
 * every clock: the player's running clock (public/js/player/timeline.js uses the same rule),
 * a film's total, a track's length and an export's length, so the clock ends on the total.
 */
export function clock(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const s = Math.max(0, Math.floor(seconds + 0.001));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, '0')}`;
}

const KB = 1024;
const MB = 1024 * KB;
const GB = 1024 * MB;
const byteUnit = new Intl.NumberFormat(LOCALE, { style: 'unit', unit: 'byte', unitDisplay: 'long', useGrouping: false });
const wholeNumber = new Intl.NumberFormat(LOCALE, { maximumFractionDigits: 0, useGrouping: false });
const oneDecimal = new Intl.NumberFormat(LOCALE, { minimumFractionDigits: 1, maximumFractionDigits: 1, useGrouping: false });

/** Sizes in binary units: "100 bytes", "1023 KB", "3.0 MB", "2.0 GB". */
export function bytes(n: number): string {
  if (n < KB) return byteUnit.format(n);
  if (n < MB) return `${wholeNumber.format(Math.round(n / KB))} KB`;
  if (n < GB) return `${oneDecimal.format(n / MB)} MB`;
  return `${oneDecimal.format(n / GB)} GB`;
}

const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });
const relativeNumeric = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'always' });
const STEPS: Array<[Intl.RelativeTimeFormatUnit, number]> = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

type When = Date | string | number | null | undefined;

/** "3 minutes ago", "yesterday", "just now" ("—" for no date). */
export function ago(when: When, now: Date | number = Date.now()): string {
  if (when === null || when === undefined) return '—';
  const seconds = Math.round((new Date(when).getTime() - new Date(now).getTime()) / 1000);
  if (Math.abs(seconds) < 45) return 'just now';
  for (const [unit, size] of STEPS) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return relative.format(Math.round(seconds / 60) || -1, 'minute');
}

/** A wait ahead, as a refusal says it: "in 40 seconds", "in 12 minutes" (rounded up), "in 1 hour". */
export function fromNow(seconds: number): string {
  if (seconds < 60) return relativeNumeric.format(seconds, 'second');
  const min = Math.ceil(seconds / 60);
  if (min < 60) return relativeNumeric.format(min, 'minute');
  return relativeNumeric.format(Math.round(min / 60), 'hour');
}

/** How long something has been in a state, tersely for admin tables: "40 s", "5 min", "3 h", "2 d". */
export function age(since: When, now: Date | number = Date.now()): string {
  if (since === null || since === undefined) return '—';
  const s = Math.max(0, Math.round((new Date(now).getTime() - new Date(since).getTime()) / 1000));
  if (s < 60) return `${s} s`;
  if (s < 3600) return `${Math.floor(s / 60)} min`;
  if (s < 86400) return `${Math.floor(s / 3600)} h`;
  return `${Math.floor(s / 86400)} d`;
}

const dateTime = new Intl.DateTimeFormat('en-GB', { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });

/** "23 Nov 2026, 09:16 UTC": a date a person reads on their own pages. */
export function date(d: Date | string): string {
  return `${dateTime.format(new Date(d))} UTC`;
}

const pad = (n: number) => String(n).padStart(2, '0');

/** "2026-11-23 09:16 UTC": one unambiguous, sortable clock for the admin pages ("—" for none). */
export function when(d: When): string {
  if (d === null || d === undefined) return '—';
  const t = new Date(d);
  return `${t.getUTCFullYear()}-${pad(t.getUTCMonth() + 1)}-${pad(t.getUTCDate())} ${pad(t.getUTCHours())}:${pad(t.getUTCMinutes())} UTC`;
}

/** A stored JSON value shown as indented text ("" for none). */
export function json(v: unknown): string {
  return v === null || v === undefined ? '' : JSON.stringify(v, null, 2);
}

/** What every template gets as `it.fmt`. */
export const fmt = { money, perCredit, plural, count, credits, clock, bytes, ago, fromNow, age, date, when, json };
export type Fmt = typeof fmt;
