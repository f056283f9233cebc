import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_LOCK_S, GLOBAL_MAX_FAILURES, MAX_FAILURES } from '../../src/admin/login-limiter.js';
import { ADMIN_PASSWORD, adminBrowser, postAdminLogin } from '../factories/admin.js';
import { TestBrowser } from '../setup/browser.js';
import { createTestApp, type TestApp } from '../setup/context.js';

// Issue 16, item 2 (second half): guessing the admin password from many addresses runs into a
// lock of the whole admin sign-in; an admin already signed in does not feel it.

const postLogin = (t: TestApp, b: TestBrowser, ip: string, password: string) => postAdminLogin(t.app, b, ip, password);

/** Failures from as many addresses as failures, so the per-address limit never trips. */
async function failFromManyAddresses(t: TestApp, n: number, net: string) {
  const b = new TestBrowser(t.app);
  for (let i = 0; i < n; i++) expect((await postLogin(t, b, `${net}.${Math.floor(i / 200)}.${i % 200}`, `guess-${i}`)).statusCode).toBe(401);
}

async function expectLocked(t: TestApp) {
  const b = new TestBrowser(t.app);
  const res = await postLogin(t, b, '192.0.2.250', ADMIN_PASSWORD);
  expect(res.statusCode).toBe(429);
  expect(Number(res.headers['retry-after'])).toBeGreaterThan(GLOBAL_LOCK_S - 60);
  expect(Number(res.headers['retry-after'])).toBeLessThanOrEqual(GLOBAL_LOCK_S);
  expect(res.body).toMatch(/locked for everyone.*Try again in 15 minutes \(at \d\d:\d\d UTC\)/);
  expect(res.cookies.find((c) => c.name === 'echoes_admin')).toBeUndefined();
}

describe('admin sign-in lockout across addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ADMIN_PASSWORD });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('locks the whole sign-in after many failures from different addresses; a signed-in admin works on', async () => {
    expect(GLOBAL_MAX_FAILURES).toBeGreaterThan(MAX_FAILURES);
    const admin = await adminBrowser(t.app);
    await failFromManyAddresses(t, GLOBAL_MAX_FAILURES, '10.20');
    await expectLocked(t);
    // The lock holds for addresses that never failed.
    const b = new TestBrowser(t.app);
    expect((await postLogin(t, b, '198.51.100.7', ADMIN_PASSWORD)).statusCode).toBe(429);
    // Already signed in: pages and actions still work.
    expect((await admin.get('/admin/users')).statusCode).toBe(200);
    expect((await admin.post('/admin/packs', { name: 'Lockout pack', credits: '5', price: '5.00', currency: 'usd' })).statusCode).toBe(303);
  });
});

describe('admin sign-in lockout while Redis is down', () => {
  it('still locks, with a per-process count', async () => {
    const down = await createTestApp({ ADMIN_PASSWORD, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      await failFromManyAddresses(down, GLOBAL_MAX_FAILURES, '10.30');
      await expectLocked(down);
    } finally {
      await down.close();
    }
  });
});
