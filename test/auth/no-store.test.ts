import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { registeredRoutes } from '../setup/route-tree.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { createProject, createUser } from '../factories.js';

// Issue 25, item 1: no signed-in or admin page said Cache-Control, so after the admin signed out,
// Back showed /admin/users?q=alice (and Alice's email) from the browser's cache.

/** Public files and links that carry their own caching (never a person's page). */
const OWN_CACHING = /^\/(assets|vendor|media)\/|^\/manifest/;
/** Streams that never end under inject (they set no-store themselves), and the ways out (tested below). */
const SKIPPED = new Set(['GET /events', 'POST /logout', 'POST /admin/logout']);

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await t?.close();
});

describe('Cache-Control: no-store', () => {
  it('is on every response to a signed-in creator and admin, walking the whole route tree', async () => {
    const user = await createUser(t.ctx.db, { email: 'alice@example.com' });
    const project = await createProject(t.ctx.db, user.id);
    const b = await adminBrowser(t.app);
    await b.signInDev(user.email);
    const routes = registeredRoutes(t.app.printRoutes({ commonPrefix: false })).filter((r) => !r.includes('*') && !SKIPPED.has(r));
    expect(routes.length).toBeGreaterThan(60);
    const missing: string[] = [];
    for (const route of routes) {
      const [method, pattern] = route.split(' ') as [string, string];
      if (OWN_CACHING.test(pattern)) continue;
      const url = pattern.replace(/:id\b/g, project.id).replace(/:\w+/g, '00000000-0000-4000-8000-000000000000');
      for (const htmx of [false, true]) {
        const headers: Record<string, string> = { cookie: b.cookieHeader, 'x-csrf-token': b.csrf, ...(htmx ? { 'hx-request': 'true' } : {}) };
        const res = await t.app.inject({ method: method as 'GET', url, headers });
        if (res.headers['cache-control'] !== 'no-store') missing.push(`${route}${htmx ? ' (htmx)' : ''} → ${res.statusCode} ${res.headers['cache-control'] ?? '(none)'}`);
      }
    }
    expect(missing).toEqual([]);
  });

  it('after the admin signs out, the page Back would show was never cacheable and now asks to sign in', async () => {
    await createUser(t.ctx.db, { email: 'alice.search@example.com' });
    const b = await adminBrowser(t.app);
    const page = await b.get('/admin/users?q=alice.search');
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('alice.search@example.com');
    expect(page.headers['cache-control']).toBe('no-store');
    const out = await b.post('/admin/logout');
    expect(out.statusCode).toBe(303);
    expect(out.headers['cache-control']).toBe('no-store');
    const back = await b.get('/admin/users?q=alice.search');
    expect(back.body).not.toContain('alice.search@example.com');
    expect(back.headers['cache-control']).toBe('no-store');
  });

  it('a creator page and its fragments, and what the anonymous landing page keeps', async () => {
    const user = await createUser(t.ctx.db);
    const b = new TestBrowser(t.app);
    await b.signInDev(user.email);
    expect((await b.get('/projects')).headers['cache-control']).toBe('no-store');
    expect((await b.get('/projects', { 'hx-request': 'true' })).headers['cache-control']).toBe('no-store');
    expect((await b.get('/')).headers['cache-control']).toBe('no-store');
    expect((await b.post('/logout')).headers['cache-control']).toBe('no-store');
    // A stranger's landing page is no one's: it may be cached.
    expect((await new TestBrowser(t.app).get('/')).headers['cache-control']).toBeUndefined();
  });
});
