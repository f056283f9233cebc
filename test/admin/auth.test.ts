import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { hash } from '@node-rs/argon2';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createUser } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser, auditRows, postAdminLogin } from '../factories/admin.js';
import { concrete, listRoutes } from './routes.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await t?.close();
});
afterEach(() => {
  vi.useRealTimers();
});

const adminRoutes = () => listRoutes(t.app).filter((r) => r.url.startsWith('/admin') && r.method !== 'HEAD');
const OPEN = new Set(['GET /admin/login', 'POST /admin/login', 'POST /admin/logout']);

/** A form post from a given client address (the limiter counts per IP). */
const postLogin = (b: TestBrowser, ip: string, password: string) => postAdminLogin(t.app, b, ip, password);

describe('admin sign-in', () => {
  it('knows every admin route (the walk below covers them all)', () => {
    const found = adminRoutes().map((r) => `${r.method} ${r.url}`).sort();
    expect(found).toEqual(
      [
        'GET /admin', 'GET /admin/login', 'POST /admin/login', 'POST /admin/logout',
        'GET /admin/packs', 'POST /admin/packs', 'GET /admin/packs/:id', 'POST /admin/packs/:id',
        'POST /admin/packs/:id/move', 'POST /admin/packs/:id/activate', 'POST /admin/packs/:id/deactivate', 'POST /admin/packs/:id/delete',
        'GET /admin/settings', 'POST /admin/settings', 'POST /admin/settings/preview',
        'POST /admin/settings/providers', 'POST /admin/settings/providers/:name/test',
        'GET /admin/users', 'GET /admin/users/:id', 'POST /admin/users/:id/grant', 'POST /admin/users/:id/take',
        'POST /admin/users/:id/disable', 'POST /admin/users/:id/enable', 'POST /admin/users/:id/delete',
        'GET /admin/jobs', 'POST /admin/jobs/:id/retry', 'POST /admin/jobs/:id/refund', 'GET /admin/audit',
      ].sort(),
    );
  });

  it('reaches no admin page or action without the admin session, even signed in as a creator', async () => {
    const stranger = new TestBrowser(t.app);
    const creator = new TestBrowser(t.app);
    await creator.signInDev('creator@example.com');
    await creator.get('/'); // a page with the CSRF token (signed in, /login redirects)
    for (const b of [stranger, creator]) {
      for (const r of adminRoutes()) {
        if (OPEN.has(`${r.method} ${r.url}`)) continue;
        const url = concrete(r.url);
        const res = r.method === 'GET' ? await b.get(url) : await b.post(url, { amount: '5', reason: 'nope', name: 'x' });
        expect(res.statusCode, `${r.method} ${url}`).toBe(303);
        expect(res.headers.location, `${r.method} ${url}`).toMatch(/^\/admin\/login/);
      }
    }
    // htmx requests are told where to go instead of following a redirect.
    const res = await stranger.get('/admin/jobs', { 'hx-request': 'true' });
    expect(res.statusCode).toBe(401);
    expect(res.headers['hx-redirect']).toBe('/admin/login?next=%2Fadmin%2Fjobs');
    expect(await auditRows(t.ctx.db, 'pack.create')).toHaveLength(0);
  });

  it('refuses a wrong password and remembers where to return after the right one', async () => {
    const b = new TestBrowser(t.app);
    expect((await b.get('/admin/users?q=x')).headers.location).toBe('/admin/login?next=%2Fadmin%2Fusers%3Fq%3Dx');
    const page = await b.get('/admin/login?next=%2Fadmin%2Fusers%3Fq%3Dx');
    expect(page.body).toContain('name="password"');
    const wrong = await b.post('/admin/login', { password: 'guess', next: '/admin/users?q=x' });
    expect(wrong.statusCode).toBe(401);
    expect(wrong.body).toContain('That password is not right.');
    expect((await b.get('/admin')).statusCode).toBe(303);
    const right = await b.post('/admin/login', { password: ADMIN_PASSWORD, next: '/admin/users?q=x' });
    expect(right.statusCode).toBe(303);
    expect(right.headers.location).toBe('/admin/users?q=x');
    const cookie = right.cookies.find((c) => c.name === 'echoes_admin')!;
    expect(cookie).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/admin' });
    expect((await b.get('/admin')).statusCode).toBe(200);
    // An outside return address is ignored.
    const b2 = new TestBrowser(t.app);
    expect((await b2.post('/admin/login', { password: ADMIN_PASSWORD, next: 'https://evil.example/admin' })).headers.location).toBe('/admin');
    expect((await auditRows(t.ctx.db, 'admin.login_failed')).length).toBeGreaterThanOrEqual(1);
    expect((await auditRows(t.ctx.db, 'admin.login')).length).toBeGreaterThanOrEqual(2);
  });

  it('answers 429 with a wait after five failures from one address, even to the right password', async () => {
    const b = new TestBrowser(t.app);
    for (let i = 0; i < 5; i++) expect((await postLogin(b, '10.0.0.7', `wrong-${i}`)).statusCode).toBe(401);
    const limited = await postLogin(b, '10.0.0.7', ADMIN_PASSWORD);
    expect(limited.statusCode).toBe(429);
    expect(limited.body).toMatch(/Wait 15 minutes/);
    expect(Number(limited.headers['retry-after'])).toBeGreaterThan(800);
    expect(limited.cookies.find((c) => c.name === 'echoes_admin')).toBeUndefined();
    // Another address is not affected.
    expect((await postLogin(b, '10.0.0.8', ADMIN_PASSWORD)).statusCode).toBe(303);
  });

  it('counts parallel guesses before checking them, so none slips past the limit', async () => {
    const b = new TestBrowser(t.app);
    const results = await Promise.all(Array.from({ length: 12 }, (_, i) => postLogin(b, '10.0.0.11', `guess-${i}`)));
    expect(results.filter((r) => r.statusCode === 401)).toHaveLength(5);
    expect(results.filter((r) => r.statusCode === 429)).toHaveLength(7);
  });

  it('clears the failure count on success', async () => {
    const b = new TestBrowser(t.app);
    for (let i = 0; i < 4; i++) await postLogin(b, '10.0.0.9', 'nope');
    expect((await postLogin(b, '10.0.0.9', ADMIN_PASSWORD)).statusCode).toBe(303);
    for (let i = 0; i < 4; i++) expect((await postLogin(b, '10.0.0.9', 'nope')).statusCode).toBe(401);
  });

  it('ends the admin session after two hours, and at sign-out', async () => {
    const b = await adminBrowser(t.app);
    expect((await b.get('/admin')).statusCode).toBe(200);
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 119 * 60_000);
    expect((await b.get('/admin')).statusCode).toBe(200);
    vi.setSystemTime(Date.now() + 2 * 60_000);
    const expired = await b.get('/admin');
    expect(expired.statusCode).toBe(303);
    expect(expired.headers.location).toMatch(/^\/admin\/login/);
    vi.useRealTimers();

    const c = await adminBrowser(t.app);
    expect((await c.post('/admin/logout')).headers.location).toBe('/admin/login');
    expect((await c.get('/admin')).statusCode).toBe(303);
    expect(await auditRows(t.ctx.db, 'admin.logout')).not.toHaveLength(0);
  });

  it('refuses a forged or altered admin cookie', async () => {
    const b = await adminBrowser(t.app);
    const real = b.cookies.get('echoes_admin')!;
    expect(real).toMatch(/^[\w-]{43}$/);
    b.cookies.set('echoes_admin', `${real.slice(0, -1)}${real.endsWith('A') ? 'B' : 'A'}`);
    expect((await b.get('/admin')).statusCode).toBe(303);
    b.cookies.set('echoes_admin', 'garbage');
    expect((await b.get('/admin')).statusCode).toBe(303);
    b.cookies.set('echoes_admin', real);
    expect((await b.get('/admin')).statusCode).toBe(200);
  });

  it('enforces CSRF on every admin form, signed in or not', async () => {
    const b = await adminBrowser(t.app);
    const posts = adminRoutes().filter((r) => r.method === 'POST');
    expect(posts.length).toBeGreaterThan(15);
    for (const r of posts) {
      const res = await t.app.inject({
        method: 'POST',
        url: concrete(r.url),
        headers: { cookie: b.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
        payload: 'password=x&amount=1&reason=abc&name=x',
      });
      expect(res.statusCode, r.url).toBe(403);
    }
    // Every admin page's forms carry the token.
    for (const page of ['/admin', '/admin/packs', '/admin/settings', '/admin/users', '/admin/jobs', '/admin/audit']) {
      const html = (await b.get(page)).body;
      const forms = html.match(/<form[^>]*method="post"[\s\S]*?<\/form>/g) ?? [];
      expect(forms.length, page).toBeGreaterThan(0);
      for (const f of forms) expect(f, page).toContain('name="_csrf"');
    }
  });

  it('a creator sign-out leaves the admin session alone, and the reverse', async () => {
    const b = await adminBrowser(t.app);
    await b.signInDev('both@example.com');
    await b.get('/');
    expect((await b.post('/logout')).statusCode).toBe(303);
    expect((await b.get('/admin')).statusCode).toBe(200);
    await b.signInDev('both@example.com');
    await b.get('/');
    expect((await b.post('/admin/logout')).statusCode).toBe(303);
    expect((await b.get('/projects')).statusCode).not.toBe(303);
    expect((await b.get('/admin')).statusCode).toBe(303);
  });
});

describe('admin password forms', () => {
  it('accepts an argon2id hash', async () => {
    const hashed = await hash('s3cret-admin', { algorithm: 2 });
    const h = await createTestApp({ ADMIN_PASSWORD: hashed });
    try {
      const b = new TestBrowser(h.app);
      expect((await b.post('/admin/login', { password: 'wrong' })).statusCode).toBe(401);
      expect((await b.post('/admin/login', { password: 's3cret-admin' })).statusCode).toBe(303);
      expect((await b.get('/admin')).statusCode).toBe(200);
    } finally {
      await h.close();
    }
  });

  it('still limits sign-in attempts while Redis is down (a per-process count)', async () => {
    const down = await createTestApp({ ADMIN_PASSWORD, REDIS_URL: 'redis://127.0.0.1:1' });
    try {
      const b = new TestBrowser(down.app);
      for (let i = 0; i < 5; i++) expect((await b.post('/admin/login', { password: 'nope' })).statusCode).toBe(401);
      expect((await b.post('/admin/login', { password: ADMIN_PASSWORD })).statusCode).toBe(429);
    } finally {
      await down.close();
    }
  });

  it('says the admin area is disabled when ADMIN_PASSWORD is unset, and never signs in', async () => {
    const d = await createTestApp({ ADMIN_PASSWORD: undefined });
    try {
      const b = new TestBrowser(d.app);
      const page = await b.get('/admin');
      expect(page.statusCode).toBe(404);
      expect(page.body).toContain('Admin area disabled');
      expect((await b.get('/admin/login')).statusCode).toBe(404);
      expect((await b.post('/admin/login', { password: '' })).statusCode).toBe(404);
      expect((await b.post('/admin/login', { password: 'anything' })).statusCode).toBe(404);
      const user = await createUser(d.ctx.db);
      expect((await b.post(`/admin/users/${user.id}/grant`, { amount: '5', reason: 'free money' })).statusCode).toBe(404);
      expect(await auditRows(d.ctx.db)).toHaveLength(0);
    } finally {
      await d.close();
    }
  });
});
