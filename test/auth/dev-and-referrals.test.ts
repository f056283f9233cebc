import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createUser, expectLedgerBalanced } from '../factories.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ PUBLIC_URL: 'http://127.0.0.1:3000' });
});
afterAll(async () => {
  await t?.close();
});

const userByEmail = (email: string) => t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
type Cookie = { name: string; value: string; maxAge?: number; httpOnly?: boolean; sameSite?: string; path?: string };
const refCookie = (res: { cookies: unknown[] }) => (res.cookies as Cookie[]).find((c) => c.name === 'ref');

describe('dev sign-in', () => {
  it('offers the email form when Google is not configured, and no Google routes', async () => {
    const res = await t.app.inject('/login');
    expect(res.body).toContain('action="/auth/dev"');
    expect(res.body).not.toContain('/auth/google');
    expect((await t.app.inject('/auth/google')).statusCode).toBe(404);
  });

  it('returns to the requested page, and only to a same-site one', async () => {
    const b = new TestBrowser(t.app);
    const gate = await b.get('/referrals');
    expect(gate.headers.location).toBe('/login?next=%2Freferrals');
    const login = await b.get(String(gate.headers.location));
    expect(login.body).toContain('name="next" value="/referrals"');
    const res = await b.post('/auth/dev', { email: 'return@example.com', next: '/referrals' });
    expect(res.headers.location).toBe('/referrals');

    for (const next of ['//evil.com', 'https://evil.com', '/\\evil.com', '/\t/evil.com']) {
      const other = new TestBrowser(t.app);
      const r = await other.post('/auth/dev', { email: 'redirect@example.com', next });
      expect(r.headers.location, next).toBe('/projects');
    }
  });

  it('rotates the session at sign-in and ends it on the server at sign-out', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('rotate@example.com');
    const sid = b.cookies.get('sid')!;
    await b.post('/auth/dev', { email: 'rotate@example.com' });
    expect(b.cookies.get('sid')).not.toBe(sid);
    const copy = b.cookieHeader;
    await b.post('/logout');
    const stale = await t.app.inject({ url: '/referrals', headers: { cookie: copy } });
    expect(stale.statusCode).toBe(303);
    const user = await userByEmail('rotate@example.com');
    expect(await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('answers a signed-out htmx request with HX-Redirect back to the page it came from', async () => {
    const res = await t.app.inject({
      url: '/referrals',
      headers: { 'hx-request': 'true', 'hx-current-url': 'http://127.0.0.1:3000/referrals?x=1' },
    });
    expect(res.statusCode).toBe(401);
    expect(res.headers['hx-redirect']).toBe('/login?next=%2Freferrals%3Fx%3D1');
  });
});

describe('referral capture', () => {
  it('remembers a known code for 30 days and records the referrer on the new account', async () => {
    const referrer = await createUser(t.ctx.db);
    const b = new TestBrowser(t.app);
    const res = await b.get(`/r/${referrer.referral_code}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Turn your photos into a music video');
    expect(refCookie(res)).toMatchObject({ value: referrer.referral_code, maxAge: 30 * 24 * 3600, httpOnly: true, sameSite: 'Lax', path: '/' });
    await b.signInDev('referred@example.com');
    expect(b.cookies.has('ref')).toBe(false);
    expect((await userByEmail('referred@example.com')).referred_by).toBe(referrer.id);
  });

  it('ignores an unknown or malformed code', async () => {
    for (const code of ['nosuchcode', 'x', '%3Cscript%3E']) {
      const res = await t.app.inject(`/r/${code}`);
      expect(res.statusCode).toBe(200);
      expect(refCookie(res)).toBeUndefined();
    }
    // A forged cookie is checked again at sign-up.
    const b = new TestBrowser(t.app);
    b.cookies.set('ref', 'forgedcode');
    await b.signInDev('forged-ref@example.com');
    expect((await userByEmail('forged-ref@example.com')).referred_by).toBeNull();
  });

  it('never refers yourself, and never changes the referrer of an existing account', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('self@example.com');
    const me = await userByEmail('self@example.com');
    expect(refCookie(await b.get(`/r/${me.referral_code}`))).toBeUndefined();

    const other = await createUser(t.ctx.db);
    await b.post('/logout');
    b.cookies.set('ref', me.referral_code);
    await b.signInDev('self@example.com');
    b.cookies.set('ref', other.referral_code);
    await b.signInDev('self@example.com');
    expect((await userByEmail('self@example.com')).referred_by).toBeNull();
    await expectLedgerBalanced(t.ctx.db);
  });
});

describe('referral page', () => {
  it('shows the link with a copy button, sign-ups and credits earned', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('inviter@example.com', 'Inviter');
    const me = await userByEmail('inviter@example.com');
    const empty = await b.get('/referrals');
    expect(empty.statusCode).toBe(200);
    expect(empty.body).toContain(`value="http://127.0.0.1:3000/r/${me.referral_code}"`);
    expect(empty.body).toMatch(/data-copy="#referral-link"/);
    expect(empty.body).toContain('data-referral-signups="0"');
    expect(empty.body).toContain('data-referral-credits="0"');

    const friends = [await createUser(t.ctx.db, { referredBy: me.id }), await createUser(t.ctx.db, { referredBy: me.id })];
    await withTx(t.ctx.db, (tx) => grantCredits(tx, me.id, 2, 'referral', friends[0]!.id, 'Referral reward'));
    const page = await b.get('/referrals');
    expect(page.body).toContain('data-referral-signups="2"');
    expect(page.body).toContain('data-referral-credits="2"');
    expect(page.body).toContain('data-credit-balance="3"');
    await expectLedgerBalanced(t.ctx.db);
  });

  it('needs a signed-in user', async () => {
    const res = await t.app.inject('/referrals');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Freferrals');
  });
});
