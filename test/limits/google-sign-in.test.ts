import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { TestApp } from '../setup/context.js';
import { startGoogleApp } from '../setup/apps.js';
import { TestBrowser } from '../setup/browser.js';
import { accountFor, type GoogleFake } from '../fakes/google.js';
import { signInWithGoogle } from '../auth/google-flow.js';
import { retryAfterS, setLimits } from './helpers.js';

// The Google callback counts sign-in attempts per address (before the code is exchanged) and per
// email (once Google has said who it is).

let google: GoogleFake;
let t: TestApp;
let close = async () => {};
beforeAll(async () => {
  ({ t, google, close } = await startGoogleApp());
});
afterAll(() => close());

describe('Google sign-in limits', () => {
  it('refuses the callback past the per-email limit with 429, Retry-After and when to try again', async () => {
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 2 });
    google.setAccount(accountFor('Grace Hopper'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    const res = await signInWithGoogle(new TestBrowser(t.app));
    expect(res.statusCode).toBe(429);
    retryAfterS(res.headers);
    expect(res.body).toContain('You have reached the limit of 2 sign-in attempts for one email an hour. Please try again in');
    // Someone else signing in from the same address is not held up by that email's count.
    google.setAccount(accountFor('Katherine Johnson'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
  });

  it('refuses the callback past the per-address limit', async () => {
    await t.ctx.redis.del(`${t.ctx.config.QUEUE_PREFIX}:limit:sign-in-address:127.0.0.1`);
    await setLimits(t.ctx.db, { signInsPerHourPerEmail: 100, signInsPerHourPerAddress: 1 });
    google.setAccount(accountFor('Annie Easley'));
    expect((await signInWithGoogle(new TestBrowser(t.app))).statusCode).toBe(303);
    const res = await signInWithGoogle(new TestBrowser(t.app));
    expect(res.statusCode).toBe(429);
    expect(res.body).toContain('1 sign-in attempt from one address an hour');
  });
});
