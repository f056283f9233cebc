import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { flash } from '../../src/platform/view.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { ADMIN_PASSWORD } from '../factories/admin.js';
import { createUser } from '../factories.js';
import { TEST_PG_URL, dbUrl } from '../setup/template-db.js';
import { waitFor } from '../factories/clips.js';
import { accountFor, startGoogleFake, type GoogleFake } from '../fakes/google.js';
import { freePort } from '../setup/ports.js';
import { WEB_ARGS } from '../setup/start-commands.js';

// Issue 16, items 5 and 9: cookie security follows what the server really serves. An https
// PUBLIC_URL makes every cookie Secure; a loopback http one (compose's default) keeps cookies
// plain, so signing in over http://localhost works; a forwarded https is believed only from a
// trusted proxy; a public http PUBLIC_URL stops production at start.

const SECRET = 'a-real-session-secret-for-this-test-0123456789';
const setCookies = (res: { headers: Record<string, unknown> }) => ([] as string[]).concat((res.headers['set-cookie'] as string | string[] | undefined) ?? []);
const named = (cookies: string[], name: string) => cookies.find((c) => c.startsWith(`${name}=`));

/** An app with one extra route that leaves a flash message, to see the flash cookie's flags. */
async function appWith(env: Record<string, string>): Promise<{ app: FastifyInstance; tc: TestContext }> {
  const tc = await createTestContext({ ADMIN_PASSWORD, ...env });
  const app = await buildApp(tc.ctx);
  app.get('/__flash', { config: { access: 'public' } }, async (_req, reply) => {
    flash(reply, 'notice', 'hello');
    return reply.redirect('/', 303);
  });
  await app.ready();
  return { app, tc };
}

/** Every cookie the app sets before sign-in: Google sign-in state, CSRF, flash, admin session and referral. */
async function allCookies(app: FastifyInstance, db: TestContext['ctx']['db'], headers: Record<string, string> = {}) {
  const b = new TestBrowser(app);
  const landing = await b.get('/', headers);
  const user = await createUser(db);
  const ref = await app.inject({ url: `/r/${user.referral_code}`, headers });
  const flashed = await app.inject({ url: '/__flash', headers });
  await b.get('/admin/login', headers);
  const admin = await b.post('/admin/login', { password: ADMIN_PASSWORD }, headers);
  expect(admin.statusCode).toBe(303);
  const google = await app.inject({ url: '/auth/google', headers });
  return {
    _csrf: named(setCookies(landing), '_csrf'),
    ref: named(setCookies(ref), 'ref'),
    flash: named(setCookies(flashed), 'flash'),
    echoes_admin: named(setCookies(admin), 'echoes_admin'),
    g_signin: named(setCookies(google), 'g_signin'), // the sign-in in progress (no session row before sign-in)
  };
}

describe('cookie flags in production', () => {
  let google: GoogleFake;
  const opened: Array<{ app: FastifyInstance; tc: TestContext }> = [];
  beforeAll(async () => {
    google = await startGoogleFake();
  });
  afterAll(async () => {
    for (const o of opened) {
      await o.app.close();
      await o.tc.close();
    }
    await google?.stop();
  });
  const open = async (env: Record<string, string>) => {
    const o = await appWith({ NODE_ENV: 'production', ...google.env, ...env });
    opened.push(o);
    return o;
  };

  it('an https PUBLIC_URL makes every cookie Secure (the flash cookie too)', async () => {
    // Behind the TLS proxy such a site has (the session is only saved on a request that came over https).
    const { app, tc } = await open({ PUBLIC_URL: 'https://echoes.example', TRUST_PROXY: '127.0.0.1' });
    const cookies = await allCookies(app, tc.ctx.db, { 'x-forwarded-proto': 'https' });
    for (const [name, c] of Object.entries(cookies)) {
      expect(c, name).toBeDefined();
      expect(c, name).toMatch(/; Secure/i);
      expect(c, name).toMatch(/; HttpOnly/i);
    }
  });

  it('a loopback http PUBLIC_URL sets them without Secure, so plain http keeps them', async () => {
    const { app, tc } = await open({ PUBLIC_URL: 'http://localhost:3000' });
    const cookies = await allCookies(app, tc.ctx.db);
    for (const [name, c] of Object.entries(cookies)) {
      expect(c, name).toBeDefined();
      expect(c, name).not.toMatch(/; Secure/i);
    }
  });

  it('believes X-Forwarded-Proto: https only from a proxy named in TRUST_PROXY', async () => {
    const trusted = await open({ PUBLIC_URL: 'http://localhost:3000', TRUST_PROXY: '127.0.0.1' });
    const viaProxy = await allCookies(trusted.app, trusted.tc.ctx.db, { 'x-forwarded-proto': 'https' });
    for (const [name, c] of Object.entries(viaProxy)) expect(c, name).toMatch(/; Secure/i);

    const untrusted = await open({ PUBLIC_URL: 'http://localhost:3000' });
    const forged = await allCookies(untrusted.app, untrusted.tc.ctx.db, { 'x-forwarded-proto': 'https' });
    for (const [name, c] of Object.entries(forged)) expect(c, name).not.toMatch(/; Secure/i);
  });
});

describe('PUBLIC_URL in production', () => {
  const prod = (PUBLIC_URL: string) => loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL });

  it.each(['http://echoes.example', 'http://203.0.113.5:3000', 'http://localhost.evil.example'])('refuses %s, naming PUBLIC_URL', (url) => {
    expect(() => prod(url)).toThrow(ConfigError);
    expect(() => prod(url)).toThrow(/^Invalid setting PUBLIC_URL: must be an https:\/\/ address in production/);
  });

  it.each(['https://echoes.example', 'http://localhost:3000', 'http://127.0.0.1:8080', 'http://[::1]:3000'])('accepts %s', (url) => {
    expect(prod(url).publicUrl).toBe(url);
  });
});

// ---- The real server, started the way compose starts it. ----

function startServer(env: Record<string, string>) {
  const child = spawn(process.execPath, WEB_ARGS, { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += String(d)));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
  return { child, exited, stderr: () => stderr };
}

/** A browser's cookie jar, strict about Secure: a Secure cookie is never sent over plain http. */
class Jar {
  cookies = new Map<string, string>();
  take(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(';');
      const name = pair!.slice(0, pair!.indexOf('='));
      const value = pair!.slice(pair!.indexOf('=') + 1);
      const secure = attrs.some((a) => a.trim().toLowerCase() === 'secure');
      const expired = attrs.some((a) => /^\s*max-age=0$/i.test(a) || /^\s*expires=thu, 01 jan 1970/i.test(a));
      if (secure || expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
  header() {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
}

describe('docker compose: production over http://localhost', () => {
  const name = `echoes_sec_http_${randomBytes(4).toString('hex')}`;
  let google: GoogleFake;
  let dataDir: string;
  beforeAll(async () => {
    google = await startGoogleFake();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'echoes-sec-http-'));
  });
  afterAll(async () => {
    await google?.stop();
    await rm(dataDir, { recursive: true, force: true });
    const c = new pg.Client({ connectionString: TEST_PG_URL });
    await c.connect();
    await c.query(`drop database if exists "${name}" with (force)`);
    await c.end();
  });

  it('signs in with Google and the next page is signed in (no loop back to /login)', async () => {
    const port = await freePort();
    const server = startServer({
      NODE_ENV: 'production',
      PUBLIC_URL: `http://localhost:${port}`,
      PORT: String(port),
      SESSION_SECRET: SECRET,
      DATABASE_URL: dbUrl(name),
      DATA_DIR: dataDir,
      RUN_WORKERS: 'false',
      QUEUE_PREFIX: `sec-http-${name}`,
      LOG_LEVEL: 'silent',
      TRUST_PROXY: '',
      HOST: '',
      ...google.env,
    });
    // Node's fetch may try ::1 first for "localhost"; the container listens on IPv4.
    const local = (url: string) => url.replace(`//localhost:${port}`, `//127.0.0.1:${port}`);
    const jar = new Jar();
    const get = async (url: string) => {
      const res = await fetch(local(url), { redirect: 'manual', headers: { cookie: jar.header() } });
      jar.take(res);
      return res;
    };
    try {
      await waitFor(async () => {
        const res = await fetch(`http://127.0.0.1:${port}/healthz`).catch(() => null);
        return res?.status === 200 ? res : null;
      }, 'the server to answer /healthz', 120_000, 200);
      google.setAccount(accountFor('Compose Person'));

      const gate = await get(`http://localhost:${port}/projects`);
      expect(gate.status).toBe(303);
      expect(gate.headers.get('location')).toMatch(/^\/login/);
      const toGoogle = await get(`http://localhost:${port}/auth/google?next=%2Fprojects`);
      expect(toGoogle.status).toBe(302);
      const atGoogle = await fetch(toGoogle.headers.get('location')!, { redirect: 'manual' });
      expect(atGoogle.status).toBe(302);
      const callback = await get(atGoogle.headers.get('location')!);
      expect(callback.status).toBe(303);
      expect(callback.headers.get('location')).toBe('/projects');

      const next = await get(`http://localhost:${port}/projects`);
      expect(next.status).toBe(200);
      expect(await next.text()).toContain('Compose Person');
    } finally {
      server.child.kill('SIGTERM');
    }
    expect(await server.exited).toBe(0);
  }, 180_000);

  it('refuses to start with a public http PUBLIC_URL, in one line naming it', async () => {
    const server = startServer({ NODE_ENV: 'production', PUBLIC_URL: 'http://echoes.example', SESSION_SECRET: SECRET, LOG_LEVEL: 'silent' });
    expect(await server.exited).toBe(1);
    const lines = server.stderr().trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid setting PUBLIC_URL: must be an https:\/\/ address in production/);
  }, 120_000); // a process start: generous, a busy CI machine starts slowly
});
