import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { ADMIN_PASSWORD, auditRows } from '../factories/admin.js';
import { ConfigError, loadConfig } from '../../src/platform/config.js';
import { fastifyTrustProxy } from '../../src/platform/trust-proxy.js';

// Issue 16, item 2: X-Forwarded-For is believed only from the proxies TRUST_PROXY names. By
// default (production included) a client cannot choose its own address, so per-address limits
// (admin sign-in, sign-in starts: test/auth/sign-in-state.test.ts) hold and the audit log records the real peer.

const base = { NODE_ENV: 'production', PUBLIC_URL: 'https://echoes.example', ADMIN_PASSWORD };

async function postAdminLogin(t: TestApp, b: TestBrowser, xff: string, password: string) {
  await b.ensureCsrf();
  return t.app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress: '127.0.0.1',
    headers: { cookie: b.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': xff },
    payload: new URLSearchParams({ _csrf: b.csrf, password }).toString(),
  });
}

describe('TRUST_PROXY unset (the default), in production', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp(base);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('limits 12 wrong admin passwords sent with 12 different X-Forwarded-For values, and audits the real address', async () => {
    const b = new TestBrowser(t.app);
    const codes: number[] = [];
    for (let i = 0; i < 12; i++) codes.push((await postAdminLogin(t, b, `203.0.113.${i + 1}`, `wrong-${i}`)).statusCode);
    expect(codes.slice(0, 5)).toEqual([401, 401, 401, 401, 401]);
    expect(codes.slice(5)).toEqual(Array(7).fill(429));
    const failed = await auditRows(t.ctx.db, 'admin.login_failed');
    expect(failed.length).toBe(5);
    expect(new Set(failed.map((r) => r.ip))).toEqual(new Set(['127.0.0.1']));
  });

  it('ignores X-Forwarded-Proto (cookies are not made Secure or plain by a header)', async () => {
    // https PUBLIC_URL: Secure regardless of what a client claims.
    const res = await t.app.inject({ url: '/login', headers: { 'x-forwarded-proto': 'http' } });
    const csrf = ([] as string[]).concat(res.headers['set-cookie'] ?? []).find((c) => c.startsWith('_csrf='));
    expect(csrf).toMatch(/; Secure/);
  });
});

describe('TRUST_PROXY=1 (one load balancer in front)', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...base, TRUST_PROXY: '1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('uses the rightmost X-Forwarded-For hop, the one the proxy appended', async () => {
    const b = new TestBrowser(t.app);
    // The client forges a left part; the proxy appends the address it saw.
    expect((await postAdminLogin(t, b, '10.9.9.9, 192.0.2.44', 'wrong')).statusCode).toBe(401);
    const [row] = await auditRows(t.ctx.db, 'admin.login_failed');
    expect(row!.ip).toBe('192.0.2.44');
  });

  it('so different real clients have their own admin sign-in limit', async () => {
    const b = new TestBrowser(t.app);
    for (let i = 0; i < 5; i++) expect((await postAdminLogin(t, b, '192.0.2.50', `nope-${i}`)).statusCode).toBe(401);
    expect((await postAdminLogin(t, b, '192.0.2.50', 'nope')).statusCode).toBe(429);
    expect((await postAdminLogin(t, b, '10.1.1.1, 192.0.2.51', ADMIN_PASSWORD)).statusCode).toBe(303);
  });
});

describe('TRUST_PROXY as proxy addresses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp({ ...base, TRUST_PROXY: '10.0.0.0/8, 127.0.0.1' });
  });
  afterAll(async () => {
    await t?.close();
  });

  it('believes a listed proxy and ignores the header from anyone else', async () => {
    const b = new TestBrowser(t.app);
    await postAdminLogin(t, b, '192.0.2.60', 'wrong');
    expect((await auditRows(t.ctx.db, 'admin.login_failed'))[0]!.ip).toBe('192.0.2.60');
    await b.ensureCsrf();
    await t.app.inject({
      method: 'POST',
      url: '/admin/login',
      remoteAddress: '192.0.2.99',
      headers: { cookie: b.cookieHeader, 'content-type': 'application/x-www-form-urlencoded', 'x-forwarded-for': '192.0.2.61' },
      payload: new URLSearchParams({ _csrf: b.csrf, password: 'wrong' }).toString(),
    });
    expect((await auditRows(t.ctx.db, 'admin.login_failed'))[0]!.ip).toBe('192.0.2.99');
  });
});

describe('the TRUST_PROXY setting', () => {
  const load = (TRUST_PROXY: string) => loadConfig({ TRUST_PROXY, SESSION_SECRET: 'x'.repeat(32) });

  it('defaults to trusting no forwarded header', () => {
    expect(loadConfig({ SESSION_SECRET: 'x'.repeat(32) }).trustProxy).toBe(false);
    expect(load('0').trustProxy).toBe(false);
    expect(fastifyTrustProxy(false)).toBe(false);
  });

  it('takes a hop count or a list of addresses, CIDR ranges and proxy-addr names', () => {
    expect(load('2').trustProxy).toBe(2);
    expect(load('10.0.0.0/8, 192.168.1.1,::1,fd00::/8, loopback').trustProxy).toEqual(['10.0.0.0/8', '192.168.1.1', '::1', 'fd00::/8', 'loopback']);
    const hops = fastifyTrustProxy(2) as (a: string, hop: number) => boolean;
    expect([hops('x', 0), hops('x', 1), hops('x', 2)]).toEqual([true, true, false]);
  });

  it.each(['true', 'yes', '10.0.0.0/33', '10.0.0.300', 'proxy.internal', '-1', '1.5'])('refuses %j with a message naming TRUST_PROXY', (value) => {
    expect(() => load(value)).toThrow(ConfigError);
    expect(() => load(value)).toThrow(/^Invalid setting TRUST_PROXY: must be a hop count/);
  });
});
