import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';

// What production changes about signing in: no email shortcut, and cookies only over HTTPS.

let prod: TestApp;
let dev: TestApp;
beforeAll(async () => {
  prod = await createTestApp({ NODE_ENV: 'production', PUBLIC_URL: 'https://echoes.example' });
  dev = await createTestApp();
});
afterAll(async () => {
  await prod?.close();
  await dev?.close();
});

const cookieNamed = (setCookie: string | string[] | undefined, name: string) =>
  ([] as string[]).concat(setCookie ?? []).find((c) => c.startsWith(`${name}=`));

describe('sign-in in production', () => {
  it('has no email sign-in, even without Google configured', async () => {
    const login = await prod.app.inject('/login');
    expect(login.body).not.toContain('action="/auth/dev"');
    const res = await new TestBrowser(prod.app).post('/auth/dev', { email: 'x@example.com', name: 'X', next: '/projects' });
    expect(res.statusCode).toBe(404);
  });

  it('marks its cookies Secure, HttpOnly and SameSite=Lax', async () => {
    const csrf = cookieNamed((await prod.app.inject('/login')).headers['set-cookie'], '_csrf');
    expect(csrf).toMatch(/; Secure/i);
    expect(csrf).toMatch(/; HttpOnly/i);
    expect(csrf).toMatch(/; SameSite=Lax/i);
  });
});

describe('the session cookie', () => {
  it('is HttpOnly and SameSite=Lax (and not Secure on a plain-HTTP development machine)', async () => {
    const b = new TestBrowser(dev.app);
    await b.ensureCsrf();
    const res = await b.post('/auth/dev', { email: 'cookie-check@example.com', name: 'Cookie', next: '/projects' });
    expect(res.statusCode).toBe(303);
    const sid = cookieNamed(res.headers['set-cookie'], 'sid');
    expect(sid).toBeDefined();
    expect(sid).toMatch(/; HttpOnly/i);
    expect(sid).toMatch(/; SameSite=Lax/i);
    expect(sid).not.toMatch(/; Secure/i);
  });
});
