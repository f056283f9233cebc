import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { startGoogleApp } from '../setup/apps.js';
import { TestBrowser } from '../setup/browser.js';
import { accountFor, type GoogleFake } from '../fakes/google.js';
import { pathOf, startGoogle, visitGoogle } from './google-flow.js';
import { setLimits } from '../limits/helpers.js';

// Issue 25, item 3: 300 requests to /auth/google?next=... without a cookie made 300 sessions rows
// (30 days each, `next` up to 2,000 characters), with no limit. A sign-in in progress now lives in
// a signed ten-minute cookie, and starting one is limited per address.

let google: GoogleFake;
let t: TestApp;
let close = async () => {};
beforeAll(async () => {
  ({ t, google, close } = await startGoogleApp());
});
afterAll(() => close());

const sessionRows = async () => Number((await t.ctx.db.selectFrom('sessions').select((eb) => eb.fn.countAll().as('n')).executeTakeFirstOrThrow()).n);

describe('starting a Google sign-in', () => {
  it('300 anonymous starts leave no session row', async () => {
    const before = await sessionRows();
    const next = `/projects?${'x'.repeat(1990)}`;
    for (let i = 0; i < 300; i++) {
      const res = await t.app.inject({ url: `/auth/google?next=${encodeURIComponent(next)}`, remoteAddress: `198.51.100.${i % 10}` });
      expect(res.statusCode).toBe(302);
      expect(res.cookies.find((c) => c.name === 'sid')).toBeUndefined();
    }
    expect(await sessionRows()).toBe(before);
  });

  it('keeps the state in a signed cookie that lasts ten minutes and only for /auth/google', async () => {
    const res = await t.app.inject({ url: '/auth/google?next=%2Freferrals', remoteAddress: '198.51.100.50' });
    const cookie = res.cookies.find((c) => c.name === 'g_signin')!;
    expect(cookie).toMatchObject({ path: '/auth/google', maxAge: 600, httpOnly: true, sameSite: 'Lax' });
    expect(t.app.unsignCookie(cookie.value).valid).toBe(true);
  });

  it('limits starts per address with a 429 that says why and when', async () => {
    await setLimits(t.ctx.db, { signInsPerHourPerAddress: 3 });
    const from = (ip: string) => t.app.inject({ url: '/auth/google', remoteAddress: ip });
    for (let i = 0; i < 3; i++) expect((await from('203.0.113.7')).statusCode).toBe(302);
    const res = await from('203.0.113.7');
    expect(res.statusCode).toBe(429);
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
    expect(res.body).toContain('You have reached the limit of 3 sign-ins started from one address an hour. Please try again in');
    expect((await from('203.0.113.8')).statusCode).toBe(302);
    await setLimits(t.ctx.db, { signInsPerHourPerAddress: 300 });
  });

  it('counts starts per real address: forged X-Forwarded-For values do not reset the limit', async () => {
    await setLimits(t.ctx.db, { signInsPerHourPerAddress: 3 });
    const codes: number[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await t.app.inject({ url: '/auth/google', remoteAddress: '203.0.113.9', headers: { 'x-forwarded-for': `198.51.100.${i + 1}` } });
      codes.push(res.statusCode);
    }
    expect(codes).toEqual([302, 302, 302, 429]);
    await setLimits(t.ctx.db, { signInsPerHourPerAddress: 300 });
  });

  it('signs in and returns to next; a long next goes to the default page', async () => {
    google.setAccount(accountFor('State Keeper'));
    const b = new TestBrowser(t.app);
    const res = await b.get(pathOf(await visitGoogle(await startGoogle(b, '/referrals'))));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/referrals');
    expect(b.cookies.has('g_signin')).toBe(false); // spent
    const long = new TestBrowser(t.app);
    const back = await long.get(pathOf(await visitGoogle(await startGoogle(long, `/referrals?${'y'.repeat(600)}`))));
    expect(back.headers.location).toBe('/projects');
  });

  it("refuses a callback carrying another browser's state", async () => {
    google.setAccount(accountFor('Mallory Two'));
    const mallory = new TestBrowser(t.app);
    const victim = new TestBrowser(t.app);
    await startGoogle(victim);
    const callback = await visitGoogle(await startGoogle(mallory));
    const res = await victim.get(pathOf(callback));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Sign-in expired');
  });
});
