import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('foundation', () => {
  it('serves the landing page with a CSRF meta tag and security headers', async () => {
    const res = await t.app.inject('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<meta name="csrf-token"');
    expect(res.headers['content-security-policy']).toContain("script-src 'self'");
    expect(res.headers['x-request-id']).toBeTruthy();
  });

  it('answers an unknown route with a 404 page, not a stack trace', async () => {
    const res = await t.app.inject('/does-not-exist');
    expect(res.statusCode).toBe(404);
    expect(res.body).toContain('Page not found');
  });

  it('reports health of db, redis and storage', async () => {
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ status: 'ok', checks: { db: 'ok', redis: 'ok', storage: 'ok' } });
  });

  it('refuses a form post without a CSRF token', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/auth/dev', payload: 'email=a@b.co', headers: { 'content-type': 'application/x-www-form-urlencoded' } });
    expect(res.statusCode).toBe(403);
  });

  it('signs in with the dev form and shows the balance', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('dev@example.com', 'Dev');
    const res = await b.get('/');
    expect(res.body).toContain('data-credit-balance="1"');
  });

  it('serves htmx from our own origin', async () => {
    const res = await t.app.inject('/vendor/htmx/htmx.min.js');
    expect(res.statusCode).toBe(200);
  });
});
