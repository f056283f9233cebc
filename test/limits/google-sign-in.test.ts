import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { startGoogleApp } from '../setup/apps.js';
import { TestBrowser } from '../setup/browser.js';
import { accountFor, type GoogleFake } from '../fakes/google.js';
import { signInWithGoogle } from '../auth/google-flow.js';
import { retryAfterS, setLimits } from './helpers.js';

// The Google callback counts sign-in attempts per address (before the code is exchanged) and per
// account (the Google subject, once Google has said who it is).

let google: GoogleFake;
let t: TestApp;
let close = async () => {};
beforeAll(async () => {
  ({ t, google, close } = await startGoogleApp());
});
afterAll(() => close());

describe('Google sign-in limits', () => {
  it('refuses the callback past the per-account limit with 429, Retry-After and when to try again', async () => {
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 2 });
    google.setAccount(accountFor('Grace Hopper'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    const res = await signInWithGoogle(new TestBrowser(t.app));
    expect(res.statusCode).toBe(429);
    retryAfterS(res.headers);
    expect(res.body).toContain('You have reached the limit of 2 sign-in attempts for one account an hour. Please try again in');
    // Someone else signing in from the same address is not held up by that account's count.
    google.setAccount(accountFor('Katherine Johnson'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
  });

  // Issue 25, item 5: keyed on the email, another Google account naming the victim's address used
  // the victim's allowance up (18 sign-ins locked them out for 48 minutes).
  it('counts per Google account: another account with the same email does not lock the owner out', async () => {
    await t.ctx.redis.del(`${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-address:127.0.0.1`, `${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-start:127.0.0.1`);
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 2, signInsPerHourPerAddress: 100 });
    const owner = accountFor('Dorothy Vaughan');
    const other = accountFor('Dorothy Vaughan', { email: owner.email });
    google.setAccount(other);
    for (let i = 0; i < 2; i++) expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(429);
    google.setAccount(owner);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
  });

  it('an unverified email is refused before it counts for anyone', async () => {
    await t.ctx.redis.del(`${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-address:127.0.0.1`, `${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-start:127.0.0.1`);
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 2, signInsPerHourPerAddress: 100 });
    const owner = accountFor('Mary Jackson');
    google.setAccount(accountFor('Mary Jackson', { email: owner.email, email_verified: false }));
    for (let i = 0; i < 3; i++) expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(403);
    google.setAccount(owner);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
  });

  it('refuses the callback past the per-address limit', async () => {
    await t.ctx.redis.del(`${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-address:127.0.0.1`, `${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-start:127.0.0.1`);
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 100, signInsPerHourPerAddress: 1 });
    google.setAccount(accountFor('Annie Easley'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    // Starting a sign-in has its own count (test/auth/sign-in-state); this one is the callback's.
    await t.ctx.redis.del(`${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-start:127.0.0.1`);
    const res = await signInWithGoogle(new TestBrowser(t.app));
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('1 sign-in attempt from one address an hour');
  });
});
