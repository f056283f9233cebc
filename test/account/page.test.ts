import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { createClip } from '../factories/clips.js';
import { createPack } from '../factories/billing.js';
import { createPayment } from '../factories/admin.js';
import { grantCredits, spendCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { touchSession } from '../../src/account/queries.js';
import { describeUserAgent } from '../../src/account/user-agent.js';
import { decoded } from '../setup/html.js';

let t: TestApp;
const LAPTOP = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const PHONE = 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1';

beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

/** A browser that always sends this User-Agent. */
function device(ua: string): TestBrowser {
  const b = new TestBrowser(t.app);
  const get = b.get.bind(b);
  const post = b.post.bind(b);
  b.get = (url, headers = {}) => get(url, { 'user-agent': ua, ...headers });
  b.post = (url, form = {}, headers = {}) => post(url, form, { 'user-agent': ua, ...headers });
  return b;
}

const deviceIds = (html: string) => [...html.matchAll(/data-device-id="([^"]+)"/g)].map((m) => m[1]!);

describe('/account', () => {
  it('is linked from the avatar menu and shows the profile, with empty states', async () => {
    const user = await createUser(t.ctx.db, { name: 'Ada Lovelace' });
    const b = device(LAPTOP);
    await b.signInDev(user.email, 'Ada Lovelace');
    expect((await b.get('/projects')).body).toContain('<a href="/account">Your account</a>');
    const res = await b.get('/account');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<h1>Your account</h1>');
    expect(res.body).toContain('Ada Lovelace');
    expect(res.body).toContain(user.email);
    expect(res.body).toContain(`data-referral-code>${user.referral_code}<`);
    expect(res.body).toContain('data-storage-used');
    expect(res.body).toContain('No payments yet');
    expect(res.body).toContain('You are signed in only here.');
    expect(res.body).not.toContain('Sign out everywhere else');
    expect(res.body).toContain('data-download-state="none"');
  });

  it('sends a stranger to sign in', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/account' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Faccount');
  });
});

describe('devices', () => {
  it('lists each signed-in browser, marks this one, and signing one out ends it at its next request', async () => {
    const user = await createUser(t.ctx.db);
    const laptop = device(LAPTOP);
    const phone = device(PHONE);
    await laptop.signInDev(user.email);
    await phone.signInDev(user.email);
    await phone.get('/projects');

    const page = await laptop.get('/account');
    expect(page.body).toContain('Chrome on Linux');
    expect(page.body).toContain('Safari on iPhone');
    expect(page.body).toMatch(/data-this-device>[\s\S]*?Chrome on Linux[\s\S]*?This device/);
    const ids = deviceIds(page.body);
    expect(ids).toHaveLength(2);
    const phoneId = ids[1]!;
    expect(page.body).not.toContain(`/account/sessions/${ids[0]}/revoke`); // not this one

    // Someone else's device id, or this one's, is refused.
    const stranger = device(LAPTOP);
    await stranger.signInDev((await createUser(t.ctx.db)).email);
    expect((await stranger.post(`/account/sessions/${phoneId}/revoke`)).statusCode).toBe(404);
    expect((await laptop.post(`/account/sessions/${ids[0]}/revoke`)).statusCode).toBe(400);
    expect((await phone.get('/projects')).statusCode).toBe(200);

    const res = await laptop.post(`/account/sessions/${phoneId}/revoke`);
    expect(res.statusCode).toBe(303);
    const next = await phone.get('/projects');
    expect(next.statusCode).toBe(303);
    expect(next.headers.location).toMatch(/^\/login/);
    expect((await laptop.get('/projects')).statusCode).toBe(200);
    expect(deviceIds((await laptop.get('/account')).body)).toEqual([ids[0]]);
  });

  it('"sign out everywhere else" keeps only this device', async () => {
    const user = await createUser(t.ctx.db);
    const [a, b, c] = [device(LAPTOP), device(PHONE), device(PHONE)];
    for (const x of [a, b, c]) await x.signInDev(user.email);
    expect((await a.get('/account')).body).toContain('Sign out everywhere else');
    const res = await a.post('/account/sessions/revoke-others');
    expect(res.statusCode).toBe(303);
    for (const x of [b, c]) expect((await x.get('/projects')).headers.location).toMatch(/^\/login/);
    expect((await a.get('/projects')).statusCode).toBe(200);
    expect(await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toHaveLength(1);
  });

  it('records last use at most every five minutes per session', async () => {
    const user = await createUser(t.ctx.db);
    const b = device(LAPTOP);
    await b.signInDev(user.email);
    // Last use is written after the answer has gone (onResponse), so the row may lag the redirect.
    const row = await vi.waitFor(async () => {
      const [r] = await t.ctx.db.selectFrom('sessions').select(['sid', 'user_agent']).where('user_id', '=', user.id).execute();
      expect(r!.user_agent).toBe(LAPTOP);
      return r!;
    });
    const minuteAgo = new Date(Date.now() - 60_000);
    const hourAgo = new Date(Date.now() - 3600_000);
    const seen = async () => (await t.ctx.db.selectFrom('sessions').select('last_seen_at').where('sid', '=', row!.sid).executeTakeFirstOrThrow()).last_seen_at;

    await t.ctx.db.updateTable('sessions').set({ last_seen_at: minuteAgo }).where('sid', '=', row!.sid).execute();
    for (let i = 0; i < 3; i++) await b.get('/projects');
    await touchSession(t.ctx.db, row!.sid, LAPTOP, 300); // another process's touch
    expect((await seen()).getTime()).toBe(minuteAgo.getTime());

    await t.ctx.db.updateTable('sessions').set({ last_seen_at: hourAgo }).where('sid', '=', row!.sid).execute();
    await touchSession(t.ctx.db, row!.sid, LAPTOP, 300);
    expect((await seen()).getTime()).toBeGreaterThan(Date.now() - 60_000);
    expect((await b.get('/account')).body).toContain('Last used <time');
  });

  it('names common browsers and systems', () => {
    expect(describeUserAgent(LAPTOP)).toEqual({ browser: 'Chrome', system: 'Linux', mobile: false });
    expect(describeUserAgent(PHONE)).toEqual({ browser: 'Safari', system: 'iPhone', mobile: true });
    expect(describeUserAgent('Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0').browser).toBe('Edge');
    expect(describeUserAgent('Mozilla/5.0 (Macintosh; Intel Mac OS X 14.5; rv:127.0) Gecko/20100101 Firefox/127.0')).toMatchObject({ browser: 'Firefox', system: 'macOS' });
    expect(describeUserAgent('Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Mobile Safari/537.36')).toEqual({ browser: 'Chrome', system: 'Android', mobile: true });
    expect(describeUserAgent(null)).toEqual({ browser: 'Unknown browser', system: 'unknown system', mobile: false });
  });
});

describe('credit history and receipts', () => {
  it('shows each entry in words with the balance after it and a link to what it was for, paged', async () => {
    const user = await createUser(t.ctx.db);
    const pack = await createPack(t.ctx.db, { name: 'Creator', credits: 20, priceCents: 1800 });
    const payment = await createPayment(t.ctx.db, user.id, pack.id, { credits: 20, cents: 1800 });
    // Separate transactions: rows of one transaction share a timestamp, and their order is then arbitrary.
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 1, 'signup', user.id, 'Welcome credit'));
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 20, 'purchase', payment.stripe_session_id!, 'Creator'));
    const project = await createProject(t.ctx.db, user.id, { title: 'Beach day' });
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, credits: 2 });
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 2, 'share', project.id, 'Share reward'));
    const b = device(LAPTOP);
    await b.signInDev(user.email);
    const res = await b.get('/account');
    const rows = [...decoded(res.body).matchAll(/<li class="ledger-row" data-ledger-id="[^"]+" data-balance-after="(\d+)">\s*<div>\s*<div class="ledger-what">([^<·]+)(?:· <a href="([^"]+)">)?/g)].map((m) => [m[2]!.trim(), m[1], m[3] ?? null]);
    expect(rows, JSON.stringify(rows)).toEqual([
      ['Share reward', '21', `/projects/${project.id}`],
      ['Clip generation', '19', `/projects/${project.id}`],
      ['Bought Creator pack', '21', `#receipt-${payment.id}`],
      ['Welcome credit', '1', null],
    ]);
    expect(clip.id).toBeTruthy();
    expect(res.body).toContain(`id="receipt-${payment.id}"`);
    expect(decoded(res.body)).toContain('<strong>$18.00</strong> · 20 credits · Creator');

    // Paged: 25 more rows make two pages; the second page is served as a fragment to htmx.
    await withTx(t.ctx.db, async (tx) => {
      for (let i = 0; i < 25; i++) await (i % 2 ? spendCredits(tx, user.id, 1, 'admin', null, `fix ${i}`) : grantCredits(tx, user.id, 1, 'admin', null, `gift ${i}`));
    });
    const first = await b.get('/account');
    expect(first.body).toContain('Page 1 of 2');
    const second = await b.get('/account?page=2', { 'hx-request': 'true', 'hx-target': 'history' });
    expect(second.body).toContain('Page 2 of 2');
    expect(second.body).not.toContain('<html');
    expect(second.body).toContain('Welcome credit');
  });
});
