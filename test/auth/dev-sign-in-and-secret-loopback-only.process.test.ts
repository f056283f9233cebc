import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn } from 'node:child_process';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { WEB_ARGS } from '../setup/start-commands.js';

// Issue 16, item 6: an unset NODE_ENV means development, where the email sign-in lets anyone be
// anyone and a public built-in secret signs sessions and /media links. Both only ever work on a
// machine nobody else can reach: listening on loopback with a loopback PUBLIC_URL. Anything else
// needs a real SESSION_SECRET (or refuses to start, naming it) and has no email sign-in.

const SECRET = 'a-real-session-secret-for-this-test-0123456789';
const dev = (env: Record<string, string> = {}) => loadConfig({ NODE_ENV: 'development', ...env });

describe('development settings', () => {
  it('the newcomer: nothing set → loopback only, built-in secret, email sign-in', () => {
    const c = loadConfig({});
    expect(c.NODE_ENV).toBe('development');
    expect(c.listenHost).toBe('localhost');
    expect(c.publicUrl).toBe('http://localhost:3000');
    expect(c.localOnly).toBe(true);
    expect(c.devSignIn).toBe(true);
    expect(c.sessionSecret.length).toBeGreaterThanOrEqual(32);
  });

  it.each([
    [{ PUBLIC_URL: 'http://127.0.0.1:3000' }],
    [{ PUBLIC_URL: 'http://[::1]:3000', HOST: '::1' }],
    [{ HOST: '127.0.0.1' }],
  ])('loopback %j still works without a secret', (env) => {
    expect(dev(env).devSignIn).toBe(true);
  });

  it.each([
    [{ PUBLIC_URL: 'http://192.168.1.20:3000' }],
    [{ PUBLIC_URL: 'https://echoes.example' }],
    [{ HOST: '0.0.0.0' }],
    [{ HOST: '::' }],
    [{ HOST: '192.168.1.20', PUBLIC_URL: 'http://localhost:3000' }],
    [{ PUBLIC_URL: 'http://localhost.evil.example:3000' }],
  ])('without SESSION_SECRET, %j refuses to start naming SESSION_SECRET', (env) => {
    expect(() => dev(env)).toThrow(ConfigError);
    expect(() => dev(env)).toThrow(/^Invalid setting SESSION_SECRET: is required unless the server listens only on loopback/);
  });

  it.each([
    [{ PUBLIC_URL: 'https://echoes.example' }, '0.0.0.0'],
    [{ HOST: '0.0.0.0' }, '0.0.0.0'],
    [{ HOST: '0.0.0.0', PUBLIC_URL: 'http://localhost:3000' }, '0.0.0.0'],
  ])('with a secret, %j starts but offers no email sign-in', (env, host) => {
    const c = dev({ SESSION_SECRET: SECRET, ...env });
    expect(c.listenHost).toBe(host);
    expect(c.devSignIn).toBe(false);
    expect(c.sessionSecret).toBe(SECRET);
  });

  it('production never has it, and listens on every interface for its container', () => {
    const c = loadConfig({ NODE_ENV: 'production', SESSION_SECRET: SECRET, PUBLIC_URL: 'http://localhost:3000' });
    expect(c.devSignIn).toBe(false);
    expect(c.listenHost).toBe('0.0.0.0');
  });
});

// Issue 25, item 12: NODE_ENV=test is not a way around the loopback rule.
describe('test mode', () => {
  const test = (env: Record<string, string>) => loadConfig({ NODE_ENV: 'test', SESSION_SECRET: SECRET, ...env });

  it.each([
    [{ PUBLIC_URL: 'https://echoes.example.test' }],
    [{ PUBLIC_URL: 'http://localhost:3000', HOST: '0.0.0.0' }],
    [{ PUBLIC_URL: 'http://192.168.1.20:3000', HOST: '127.0.0.1' }],
  ])('%j offers no email sign-in', (env) => {
    expect(test(env).devSignIn).toBe(false);
  });

  it('a loopback-only test machine has it', () => {
    expect(test({ PUBLIC_URL: 'http://127.0.0.1:3000' }).devSignIn).toBe(true);
    expect(test({}).devSignIn).toBe(true);
  });

  it('an app started in test mode at a public address refuses the email sign-in', async () => {
    const t = await createTestApp({ NODE_ENV: 'test', PUBLIC_URL: 'https://echoes.example.test' });
    try {
      const b = new TestBrowser(t.app);
      expect((await b.get('/login')).body).not.toContain('action="/auth/dev"');
      expect((await b.post('/auth/dev', { email: 'victim@example.com', name: 'Anyone' })).statusCode).toBe(404);
      expect(await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'victim@example.com').executeTakeFirst()).toBeUndefined();
    } finally {
      await t.close();
    }
  });
});

describe('the email sign-in route', () => {
  let open: TestApp;
  let local: TestApp;
  beforeAll(async () => {
    // The test world always has a secret; Google is not configured in either.
    [open, local] = await Promise.all([
      createTestApp({ NODE_ENV: 'development', PUBLIC_URL: 'https://echoes.example' }),
      createTestApp({ NODE_ENV: 'development' }),
    ]);
  });
  afterAll(async () => {
    await open?.close();
    await local?.close();
  });

  it('is 404, and not on the sign-in page, when PUBLIC_URL is not loopback', async () => {
    const b = new TestBrowser(open.app);
    expect((await b.get('/login')).body).not.toContain('action="/auth/dev"');
    const res = await b.post('/auth/dev', { email: 'anyone@example.com', name: 'Anyone' });
    expect(res.statusCode).toBe(404);
    expect(await open.ctx.db.selectFrom('users').select('id').where('email', '=', 'anyone@example.com').executeTakeFirst()).toBeUndefined();
  });

  it('works on a loopback-only development machine', async () => {
    const b = new TestBrowser(local.app);
    expect((await b.get('/login')).body).toContain('action="/auth/dev"');
    expect((await b.post('/auth/dev', { email: 'me@example.com' })).statusCode).toBe(303);
  });
});

describe('the real server without a secret', () => {
  it('refuses HOST=0.0.0.0 in one line naming SESSION_SECRET', async () => {
    const child = spawn(process.execPath, WEB_ARGS, {
      env: { ...process.env, NODE_ENV: '', SESSION_SECRET: '', PUBLIC_URL: '', HOST: '0.0.0.0', LOG_LEVEL: 'silent' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr!.on('data', (d) => (stderr += String(d)));
    expect(await new Promise((resolve) => child.once('exit', resolve))).toBe(1);
    const lines = stderr.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^Invalid setting SESSION_SECRET: is required unless the server listens only on loopback/);
  }, 120_000); // a process start: generous, a busy CI machine starts slowly
});
