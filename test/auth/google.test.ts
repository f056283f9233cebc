import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { startGoogleApp } from '../setup/apps.js';
import { TestBrowser } from '../setup/browser.js';
import { expectLedgerBalanced } from '../factories.js';
import { accountFor, type GoogleFake } from '../fakes/google.js';
import { pathOf, signInWithGoogle, startGoogle, visitGoogle } from './google-flow.js';

let google: GoogleFake;
let t: TestApp;

let close = async () => {};
beforeAll(async () => {
  ({ t, google, close } = await startGoogleApp());
});
afterAll(() => close());
beforeEach(() => google.setDecline(false));

const userBySub = (sub: string) => t.ctx.db.selectFrom('users').selectAll().where('google_sub', '=', sub).execute();
const ledgerOf = (userId: string) => t.ctx.db.selectFrom('credit_transactions').selectAll().where('user_id', '=', userId).execute();

describe('Google sign-in', () => {
  it('offers Google on the login page and no dev sign-in', async () => {
    const res = await t.app.inject('/login?next=/referrals');
    expect(res.body).toContain('href="/auth/google?next=%2Freferrals"');
    expect(res.body).not.toContain('action="/auth/dev"');
    const b = new TestBrowser(t.app);
    expect((await b.post('/auth/dev', { email: 'x@example.com' })).statusCode).toBe(404);
  });

  it('sends the browser to Google with client id, callback, scopes and a state', async () => {
    const b = new TestBrowser(t.app);
    const to = new URL(await startGoogle(b));
    expect(to.origin + to.pathname).toBe(google.authUrl);
    expect(to.searchParams.get('client_id')).toBe(google.clientId);
    expect(to.searchParams.get('redirect_uri')).toBe('http://echoes.test/auth/google/callback');
    expect(to.searchParams.get('response_type')).toBe('code');
    expect(to.searchParams.get('scope')).toBe('profile email');
    expect(to.searchParams.get('state')?.length).toBeGreaterThan(10);
  });

  it('creates the account on first sign-in with one signup credit, in a fresh session', async () => {
    const account = accountFor('Ada Lovelace');
    google.setAccount(account);
    const b = new TestBrowser(t.app);
    const authorize = await startGoogle(b);
    expect(b.cookies.has('sid')).toBe(false); // the state lives in a signed cookie, not a session (issue 25 item 3)
    expect(b.cookies.get('g_signin')).toBeTruthy();
    const res = await b.get(pathOf(await visitGoogle(authorize)));
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/projects');
    expect(b.cookies.get('sid')).toBeTruthy();

    const [user] = await userBySub(account.sub);
    expect(user).toMatchObject({ email: account.email, name: 'Ada Lovelace', avatar_url: account.picture, credit_balance: 1 });
    const ledger = await ledgerOf(user!.id);
    expect(ledger).toMatchObject([{ type: 'signup', amount: 1, reference_id: user!.id }]);

    const page = await b.get('/referrals');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('data-credit-balance="1"');
    expect(page.body).toContain(account.picture!);
  });

  it('refreshes the profile on a repeat sign-in and grants nothing more', async () => {
    const account = accountFor('Grace Hopper');
    google.setAccount(account);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    const changed = { ...account, name: 'Rear Admiral Hopper', email: 'grace@navy.example', picture: 'https://lh3.googleusercontent.com/a/new=s96-c' };
    google.setAccount(changed);
    const b = new TestBrowser(t.app);
    expect((await signInWithGoogle(b)).statusCode).toBe(303);
    const users = await userBySub(account.sub);
    expect(users).toHaveLength(1);
    expect(users[0]).toMatchObject({ name: changed.name, email: changed.email, avatar_url: changed.picture, credit_balance: 1 });
    expect(await ledgerOf(users[0]!.id)).toHaveLength(1);
    expect((await b.get('/referrals')).body).toContain('Rear Admiral Hopper');
  });

  it('gives one account and one signup credit to two simultaneous first sign-ins', async () => {
    const account = accountFor('Twin Sign In');
    google.setAccount(account);
    const a = new TestBrowser(t.app);
    const b = new TestBrowser(t.app);
    const [ca, cb] = await Promise.all([visitGoogle(await startGoogle(a)), visitGoogle(await startGoogle(b))]);
    const [ra, rb] = await Promise.all([a.get(pathOf(ca)), b.get(pathOf(cb))]);
    expect([ra.statusCode, rb.statusCode]).toEqual([303, 303]);
    const users = await userBySub(account.sub);
    expect(users).toHaveLength(1);
    expect(users[0]!.credit_balance).toBe(1);
    expect(await ledgerOf(users[0]!.id)).toHaveLength(1);
    expect((await a.get('/referrals')).statusCode).toBe(200);
    expect((await b.get('/referrals')).statusCode).toBe(200);
  });

  it('shows a friendly page with "Try again" when the person declines at Google', async () => {
    google.setDecline(true);
    const b = new TestBrowser(t.app);
    const callback = await visitGoogle(await startGoogle(b, '/referrals'));
    expect(new URL(callback).searchParams.get('error')).toBe('access_denied');
    const res = await b.get(pathOf(callback));
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Sign-in cancelled');
    expect(res.body).toContain('Try again');
    expect(res.body).toContain('href="/auth/google?next=%2Freferrals"');
    expect((await b.get('/referrals')).statusCode).toBe(303);
  });

  it('refuses a callback whose state was forged, or that has no session behind it', async () => {
    google.setAccount(accountFor('Mallory'));
    const tokensBefore = google.tokensIssued;
    const b = new TestBrowser(t.app);
    const callback = new URL(await visitGoogle(await startGoogle(b)));
    callback.searchParams.set('state', 'forged-state-value');
    const res = await b.get(pathOf(callback.toString()));
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Try again');

    const stranger = new TestBrowser(t.app); // e.g. a callback link planted in someone else's browser
    const planted = await visitGoogle(await startGoogle(new TestBrowser(t.app)));
    const res2 = await stranger.get(pathOf(planted));
    expect(res2.statusCode).toBe(403);
    expect(res2.body).toContain('Try again');
    expect(google.tokensIssued).toBe(tokensBefore); // never exchanged a code
    expect((await stranger.get('/referrals')).statusCode).toBe(303);
  });

  it('shows a friendly page when Google rejects the code (bad or replayed)', async () => {
    google.setAccount(accountFor('Bad Code'));
    const b = new TestBrowser(t.app);
    const callback = new URL(await visitGoogle(await startGoogle(b)));
    callback.searchParams.set('code', '4/not-a-real-code');
    const res = await b.get(pathOf(callback.toString()));
    expect(res.statusCode).toBe(400);
    expect(res.body).toContain('Try again');
    expect(res.body).not.toContain('Something went wrong');

    // A code that already signed someone in cannot be used again.
    const c = new TestBrowser(t.app);
    const good = await visitGoogle(await startGoogle(c));
    expect((await c.get(pathOf(good))).statusCode).toBe(303);
    const replay = new URL(good);
    replay.searchParams.set('state', new URL(await visitGoogle(await startGoogle(c))).searchParams.get('state')!);
    const res2 = await c.get(pathOf(replay.toString()));
    expect(res2.statusCode).toBe(400);
    expect(res2.body).toContain('Try again');
  });

  it('signs out on the server: a copy of the old cookie no longer works', async () => {
    google.setAccount(accountFor('Leaving Soon'));
    const b = new TestBrowser(t.app);
    await signInWithGoogle(b);
    expect((await b.get('/referrals')).statusCode).toBe(200);
    const copy = b.cookieHeader;
    const out = await b.post('/logout');
    expect(out.statusCode).toBe(303);
    expect((await b.get('/referrals')).statusCode).toBe(303);
    const stale = await t.app.inject({ url: '/referrals', headers: { cookie: copy } });
    expect(stale.statusCode).toBe(303);
    expect(stale.headers.location).toBe('/login?next=%2Freferrals');
  });

  it('returns to the page the person was going to', async () => {
    google.setAccount(accountFor('Returning Visitor'));
    const b = new TestBrowser(t.app);
    const gate = await b.get('/referrals?tab=stats');
    expect(gate.statusCode).toBe(303);
    expect(gate.headers.location).toBe('/login?next=%2Freferrals%3Ftab%3Dstats');
    const login = await b.get(String(gate.headers.location));
    const start = /href="(\/auth\/google\?next=[^"]+)"/.exec(login.body)![1]!;
    const callback = await visitGoogle(String((await b.get(start.replaceAll('&amp;', '&'))).headers.location));
    const res = await b.get(pathOf(callback));
    expect(res.headers.location).toBe('/referrals?tab=stats');
  });

  it.each(['//evil.com', 'https://evil.com', '/\\evil.com', '/\t/evil.com', 'javascript:alert(1)'])('never sends the person off-site after sign-in (next=%j)', async (next) => {
    google.setAccount(accountFor('Open Redirect'));
    const res = await signInWithGoogle(new TestBrowser(t.app), next);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/projects');
  });

  it('signs out a disabled user at their next request, and refuses to sign them in again', async () => {
    const account = accountFor('Soon Disabled');
    google.setAccount(account);
    const b = new TestBrowser(t.app);
    await signInWithGoogle(b);
    expect((await b.get('/referrals')).statusCode).toBe(200);
    await t.ctx.db.updateTable('users').set({ disabled_at: new Date() }).where('google_sub', '=', account.sub).execute();
    const res = await b.get('/referrals');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/login?next=%2Freferrals');
    const [user] = await userBySub(account.sub);
    const sessions = await t.ctx.db.selectFrom('sessions').select('sid').where('user_id', '=', user!.id).execute();
    expect(sessions).toEqual([]);

    const again = await signInWithGoogle(new TestBrowser(t.app));
    expect(again.statusCode).toBe(403);
    expect(again.body).toContain('disabled');
  });

  // Issue 25, item 5: a second Google account naming the victim's address, unverified, became
  // another Echoes account with the victim's email.
  it('refuses a Google account whose email Google has not verified, with a page that says so', async () => {
    const victim = accountFor('Victim Person');
    google.setAccount(victim);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    const impostor = accountFor('Victim Person', { email: victim.email, email_verified: false });
    google.setAccount(impostor);
    const b = new TestBrowser(t.app);
    const res = await signInWithGoogle(b, '/referrals');
    expect(res.statusCode).toBe(403);
    expect(res.body).toContain('Email not verified');
    expect(res.body).toContain('Google has not verified the email address of this Google account');
    expect(res.body).toContain('href="/auth/google?next=%2Freferrals"');
    expect(await userBySub(impostor.sub)).toEqual([]);
    expect((await b.get('/referrals')).statusCode).toBe(303);
    const { email_verified: _, ...silent } = accountFor('No Claim');
    google.setAccount(silent);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(403);
  });

  it('records the referrer for a new Google account from a remembered referral link', async () => {
    const referrer = accountFor('Referrer Person');
    google.setAccount(referrer);
    await signInWithGoogle(new TestBrowser(t.app));
    const [ref] = await userBySub(referrer.sub);

    const friend = accountFor('Invited Friend');
    google.setAccount(friend);
    const b = new TestBrowser(t.app);
    const landing = await b.get(`/r/${ref!.referral_code}`);
    expect(landing.statusCode).toBe(200);
    expect(b.cookies.get('ref')).toBe(ref!.referral_code);
    await signInWithGoogle(b);
    expect(b.cookies.has('ref')).toBe(false);
    const [user] = await userBySub(friend.sub);
    expect(user!.referred_by).toBe(ref!.id);
    await expectLedgerBalanced(t.ctx.db);
  });
});
