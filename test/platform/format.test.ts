import { describe, expect, it } from 'vitest';
import { ago, age, bytes, clock, count, credits, currencyDigits, date, fromNow, money, perCredit, plural, when } from '../../src/platform/format.js';

// The player script is type-checked by its own tsconfig (public/js); only its clock is compared here.
const timeline = new URL('../../public/js/player/timeline.js', import.meta.url).href;
const playerClock: (seconds: number) => string = (await import(timeline)).clock;

describe('money', () => {
  it('reads the fraction digits from Intl, not from a hand-kept list', () => {
    expect(money(499, 'usd')).toBe('$4.99');
    expect(money(1750, 'eur')).toBe('€17.50');
    expect(money(1500, 'jpy')).toBe('¥1,500');
    expect(money(5000, 'krw')).toBe('₩5,000');
    expect(currencyDigits('JPY')).toBe(0);
    expect(currencyDigits('usd')).toBe(2);
    expect(currencyDigits('kwd')).toBe(3);
    expect(money(1234, 'kwd')).toMatch(/^KWD\s1\.234$/);
  });

  it('still shows an amount in a code Intl does not know', () => {
    expect(money(499, 'zz1')).toBe('4.99 ZZ1');
  });

  it('prices one credit of a pack, rounded to the smallest unit', () => {
    expect(perCredit(1800, 20, 'usd')).toBe('$0.90');
    expect(perCredit(1500, 10, 'jpy')).toBe('¥150');
  });
});

describe('counted nouns', () => {
  it('uses the plural rules', () => {
    expect(credits(1)).toBe('1 credit');
    expect(credits(0)).toBe('0 credits');
    expect(credits(25)).toBe('25 credits');
    expect(count(1, 'clip')).toBe('1 clip');
    expect(count(2, 'person', 'people')).toBe('2 people');
    expect(plural(1, 'refers', 'refer')).toBe('refers');
    expect(plural(3, 'refers', 'refer')).toBe('refer');
  });
});

describe('clock', () => {
  it('rounds down to whole seconds, allowing for float error', () => {
    expect(clock(0)).toBe('0:00');
    expect(clock(29.6)).toBe('0:29');
    expect(clock(29.9999)).toBe('0:30');
    expect(clock(83.6)).toBe('1:23');
    expect(clock(125)).toBe('2:05');
    expect(clock(3725)).toBe('62:05');
    expect(clock(-3)).toBe('0:00');
    expect(clock(null)).toBe('');
    expect(clock(Number.NaN)).toBe('');
  });

  it('agrees with the player script for every tenth of a second of a film', () => {
    for (let tenths = 0; tenths < 1300; tenths++) expect(clock(tenths / 10)).toBe(playerClock(tenths / 10));
  });
});

describe('bytes', () => {
  it('counts in binary units, megabytes and up with one decimal', () => {
    expect(bytes(1)).toBe('1 byte');
    expect(bytes(100)).toBe('100 bytes');
    expect(bytes(1023 * 1024)).toBe('1023 KB');
    expect(bytes(100 * 1024)).toBe('100 KB');
    expect(bytes(1024 * 1024)).toBe('1.0 MB');
    expect(bytes(3_456_789)).toBe('3.3 MB');
    expect(bytes(2 * 1024 ** 3)).toBe('2.0 GB');
  });
});

describe('times', () => {
  const now = new Date('2026-11-23T12:00:00Z');
  const before = (s: number) => new Date(now.getTime() - s * 1000);

  it('says how long ago with relative time', () => {
    expect(ago(before(10), now)).toBe('just now');
    expect(ago(before(5 * 60), now)).toBe('5 minutes ago');
    expect(ago(before(3 * 3600), now)).toBe('3 hours ago');
    expect(ago(before(86400), now)).toBe('yesterday');
    expect(ago(before(3 * 86400), now)).toBe('3 days ago');
    expect(ago(before(3 * 86400).toISOString(), now)).toBe('3 days ago');
    expect(ago(null, now)).toBe('—');
  });

  it('says a wait ahead, minutes rounded up', () => {
    expect(fromNow(1)).toBe('in 1 second');
    expect(fromNow(40)).toBe('in 40 seconds');
    expect(fromNow(61)).toBe('in 2 minutes');
    expect(fromNow(3600)).toBe('in 1 hour');
  });

  it('gives admins a terse age and a sortable UTC time', () => {
    expect(age(before(40), now)).toBe('40 s');
    expect(age(before(5 * 60 + 20), now)).toBe('5 min');
    expect(age(before(2 * 86400), now)).toBe('2 d');
    expect(when(now)).toBe('2026-11-23 12:00 UTC');
    expect(when(null)).toBe('—');
  });

  it('gives people a readable UTC date', () => {
    expect(date(now)).toBe('23 Nov 2026, 12:00 UTC');
  });
});
