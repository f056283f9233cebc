import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createUser } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';

// Issue 25, item 8: the CSRF secret was not tied to the session, so A's session cookie with B's
// CSRF cookie and token was accepted (a secret planted in A's browser, with its token, forged A's
// forms). Tokens are now bound to the session cookies, and change when they do (sign-in).

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await t?.close();
});

const postAs = (sessionFrom: TestBrowser, csrfFrom: TestBrowser, url: string, form: Record<string, string>) =>
  t.app.inject({
    method: 'POST',
    url,
    headers: {
      cookie: `sid=${encodeURIComponent(sessionFrom.cookies.get('sid') ?? '')}; echoes_admin=${encodeURIComponent(sessionFrom.cookies.get('echoes_admin') ?? '')}; _csrf=${encodeURIComponent(csrfFrom.cookies.get('_csrf')!)}`,
      'content-type': 'application/x-www-form-urlencoded',
    },
    payload: new URLSearchParams({ ...form, _csrf: csrfFrom.csrf }).toString(),
  });

describe('CSRF tokens bound to the session', () => {
  it("refuses A's session with B's CSRF cookie and token", async () => {
    const a = new TestBrowser(t.app);
    const b = new TestBrowser(t.app);
    await a.signInDev((await createUser(t.ctx.db)).email);
    await b.signInDev((await createUser(t.ctx.db)).email);
    expect((await postAs(a, b, '/projects', { title: 'Forged' })).statusCode).toBe(403);
    expect((await postAs(a, a, '/projects', { title: 'Mine' })).statusCode).toBe(303);
  });

  it('a token from before sign-in no longer works after it', async () => {
    const a = new TestBrowser(t.app);
    await a.get('/login');
    const before = a.csrf;
    const user = await createUser(t.ctx.db);
    expect((await a.post('/auth/dev', { email: user.email, name: 'A' })).statusCode).toBe(303);
    a.csrf = before;
    expect((await a.post('/projects', { title: 'Stale' })).statusCode).toBe(403);
  });

  it("refuses an admin session with another browser's CSRF cookie and token", async () => {
    const admin = await adminBrowser(t.app);
    const other = new TestBrowser(t.app);
    await other.get('/login');
    expect((await postAs(admin, other, '/admin/logout', {})).statusCode).toBe(403);
    expect((await postAs(admin, admin, '/admin/logout', {})).statusCode).toBe(303);
  });
});
