import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { startGoogleApp } from '../setup/apps.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { createProject, createUser } from '../factories.js';
import { registeredRoutes } from '../setup/route-tree.js';

// Issue 17, item 5: one guard. Every route is for signed-in creators unless its own options say
// `config: { access: 'public' }`; the admin area marks its routes 'admin' and guards them itself.

let tc: TestContext;
let app: FastifyInstance;

beforeAll(async () => {
  tc = await createTestContext({ ADMIN_PASSWORD });
  app = await buildApp(tc.ctx);
  // Routes a feature might add tomorrow: without a marker, with a mistyped one, and a public one.
  app.get('/__unmarked', async () => 'secret');
  app.post('/__unmarked', async () => 'secret');
  app.get('/__mistyped', { config: { access: 'pubic' as never } }, async () => 'secret');
  app.get('/__open', { config: { access: 'public' } }, async () => 'open');
  await app.ready();
});
afterAll(async () => {
  await app?.close();
  await tc?.close();
});

const toLogin = (res: { statusCode: number; headers: Record<string, unknown> }) =>
  (res.statusCode === 303 && String(res.headers.location).startsWith('/login?next=')) ||
  (res.statusCode === 401 && String(res.headers['hx-redirect']).startsWith('/login?next='));

/** Every route anyone may call, with a URL to call it by and what a stranger gets there. */
const PUBLIC: Record<string, [string, number]> = {
  'GET /': ['/', 200],
  'GET /manifest.webmanifest': ['/manifest.webmanifest', 200],
  'GET /healthz': ['/healthz', 200],
  'GET /metrics': ['/metrics', 200],
  'GET /login': ['/login?next=%2Fcredits', 200],
  'POST /logout': ['/logout', 303],
  'POST /auth/dev': ['/auth/dev', 400],
  'GET /r/:code': ['/r/nosuchcode', 200],
  'GET /s/:token': ['/s/nosuchtoken', 404],
  'GET /account/export/:id/download': ['/account/export/00000000-0000-4000-8000-000000000000/download', 404],
  'GET /s/:token/poster': ['/s/nosuchtoken/poster', 404],
  'GET /s/:token/embed': ['/s/nosuchtoken/embed', 404],
  'GET /s/:token/film.mp4': ['/s/nosuchtoken/film.mp4', 404],
  'GET /s/:token/playlist': ['/s/nosuchtoken/playlist', 404],
  'POST /webhooks/stripe': ['/webhooks/stripe', 503],
  'POST /webhooks/luma': ['/webhooks/luma', 400],
  'GET /__open': ['/__open', 200],
};

describe('one guard', () => {
  it('guards a newly registered route that says nothing: a redirect to sign in, 401 for htmx, open once signed in', async () => {
    const b = new TestBrowser(app);
    const page = await b.get('/__unmarked');
    expect(page.statusCode).toBe(303);
    expect(page.headers.location).toBe('/login?next=%2F__unmarked');
    const fragment = await b.get('/__unmarked', { 'hx-request': 'true', 'hx-current-url': 'http://localhost/projects' });
    expect(fragment.statusCode).toBe(401);
    expect(fragment.headers['hx-redirect']).toBe('/login?next=%2Fprojects');
    expect(fragment.body).not.toContain('secret');
    const post = await b.post('/__unmarked');
    expect(toLogin(post)).toBe(true);
    expect((await b.get('/__mistyped')).statusCode).toBe(303);

    const user = await createUser(tc.ctx.db);
    await b.signInDev(user.email);
    const signedIn = await b.get('/__unmarked');
    expect(signedIn.statusCode).toBe(200);
    expect(signedIn.body).toBe('secret');
  });

  it('lets anyone call every public route, and no other route', async () => {
    const b = new TestBrowser(app);
    const failures: string[] = [];
    for (const [route, [url, status]] of Object.entries(PUBLIC)) {
      const res = route.startsWith('POST') ? await b.post(url) : await b.get(url);
      if (toLogin(res)) failures.push(`${route} sent a stranger to sign in`);
      else if (res.statusCode !== status) failures.push(`${route} → ${res.statusCode}, not ${status}`);
    }
    for (const url of ['/assets/css/app.css', '/vendor/htmx/htmx.min.js']) {
      const res = await b.get(url);
      if (res.statusCode !== 200) failures.push(`${url} → ${res.statusCode}`);
    }
    expect(failures).toEqual([]);

    // Everything else in the route tree is refused to a stranger (ids filled in with a real one).
    const owner = await createUser(tc.ctx.db);
    const project = await createProject(tc.ctx.db, owner.id);
    const routes = registeredRoutes(app.printRoutes({ commonPrefix: false }));
    expect(routes).toEqual(expect.arrayContaining(['GET /projects', 'GET /projects/:id', 'POST /clips/:id/approve', 'GET /account', 'GET /events']));
    const guarded = routes.filter((r) => !(r in PUBLIC) && !r.includes('*') && !r.split(' ')[1]!.startsWith('/admin'));
    expect(guarded.length).toBeGreaterThan(30);
    for (const route of guarded) {
      const [method, pattern] = route.split(' ') as [string, string];
      const url = pattern.replace(/:[a-z]+/g, project.id);
      const res = method === 'GET' ? await b.get(url) : await b.post(url);
      if (!toLogin(res)) failures.push(`${route} → ${res.statusCode} for a stranger`);
    }
    expect(failures).toEqual([]);
  });

  it('leaves the admin area to its own sign-in', async () => {
    const b = new TestBrowser(app);
    const res = await b.get('/admin/users');
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers');
    expect((await b.get('/admin/login')).statusCode).toBe(200);
  });

  it('keeps the Google sign-in routes public', async () => {
    const { t, close } = await startGoogleApp();
    try {
      const b = new TestBrowser(t.app);
      const start = await b.get('/auth/google');
      expect(start.statusCode).toBe(302);
      expect(String(start.headers.location)).not.toContain('/login?next=');
      const back = await b.get('/auth/google/callback?error=access_denied');
      expect(toLogin(back)).toBe(false);
      expect(back.statusCode).toBe(200);
    } finally {
      await close();
    }
  });
});
