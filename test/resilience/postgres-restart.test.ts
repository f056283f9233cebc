import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { startTcpProxy } from '../setup/tcp-proxy.js';

let t: TestApp;
let proxy: Awaited<ReturnType<typeof startTcpProxy>>;

beforeAll(async () => {
  proxy = await startTcpProxy(5432);
  t = await createTestApp({}, { dbPort: proxy.port });
});
afterAll(async () => {
  await t?.close();
  await proxy?.stop();
});

describe('Postgres restarts while the app runs', () => {
  it('answers 503 while the database is away and recovers by itself', async () => {
    const b = new TestBrowser(t.app);
    await b.signInDev('steady@example.com');
    expect((await b.get('/')).statusCode).toBe(200);

    proxy.cut();
    const during = await b.get('/');
    expect(during.statusCode).toBe(503);
    expect(during.body).toContain('briefly unavailable');
    expect((await t.app.inject('/healthz')).json()).toMatchObject({ failed: ['db'] });

    await proxy.restore();
    let after = await b.get('/');
    for (let i = 0; i < 20 && after.statusCode !== 200; i++) {
      await new Promise((r) => setTimeout(r, 100));
      after = await b.get('/');
    }
    expect(after.statusCode).toBe(200);
    expect(after.body).toContain('data-credit-balance="1"');
  });
});
