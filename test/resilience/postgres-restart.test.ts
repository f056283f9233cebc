import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { startTcpProxy } from '../setup/tcp-proxy.js';
import { waitFor } from '../setup/wait.js';

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
    // The dashboard, which always reads the database: who is asking may come from the web
    // process's session cache (docs/decisions/0036), so a page with no query of its own can still work.
    const during = await b.get('/projects');
    expect(during.statusCode).toBe(503);
    expect(during.body).toContain('briefly unavailable');
    expect((await t.app.inject('/healthz')).json()).toMatchObject({ failed: ['db'] });

    await proxy.restore();
    const after = await waitFor(async () => {
      const res = await b.get('/projects');
      return res.statusCode === 200 ? res : undefined;
    }, 'pages to work again', 2_000, 100);
    expect(after.body).toContain('data-credit-balance="1"');
  });
});
