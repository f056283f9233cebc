import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';

// Port 1 on loopback: nothing listens, connections are refused at once, as with Redis stopped.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ REDIS_URL: 'redis://127.0.0.1:1' });
});
afterAll(async () => {
  await t?.close();
});

describe('Redis unavailable', () => {
  it('health answers 503 naming redis, quickly', async () => {
    const started = Date.now();
    const res = await t.app.inject('/healthz');
    expect(res.statusCode).toBe(503);
    expect(res.json()).toMatchObject({ status: 'error', failed: ['redis'], checks: { db: 'ok', redis: 'error', storage: 'ok' } });
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('pages still render and people can sign in', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('offline@example.com');
    const res = await b.get('/');
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-credit-balance="1"');
  });

  it('metrics still answer', async () => {
    expect((await t.app.inject('/metrics')).statusCode).toBe(200);
  });
});
