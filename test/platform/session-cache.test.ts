import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { deleteSessionForUser } from '../../src/account/queries.js';
import { setDisabled } from '../../src/admin/users/service.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { waitFor } from '../factories/clips.js';

// Two real web processes (as `npm start` runs them) keep signed-in sessions and their users in
// memory (src/platform/session-cache.ts). Whatever ends a session or changes the person, in either
// process or in a third one (an admin, a worker), shows on the very next request to both.

let t: TestContext;
const children: ChildProcess[] = [];
let webA = '';
let webB = '';

const freePort = () =>
  new Promise<number>((resolve) => {
    const s = net.createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as net.AddressInfo;
      s.close(() => resolve(port));
    });
  });

async function startWeb(): Promise<string> {
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], { env: { ...process.env, ...t.env, PORT: String(port), RUN_WORKERS: 'false' }, stdio: 'ignore' });
  children.push(child);
  const url = `http://127.0.0.1:${port}`;
  await waitFor(async () => (await fetch(`${url}/healthz`).catch(() => null))?.status === 200, 'a web process to answer', 60_000, 200);
  return url;
}

class Browser {
  cookies = new Map<string, string>();
  csrf = '';
  get cookie(): string {
    return [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ');
  }
  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const res = await fetch(url, { ...init, redirect: 'manual', headers: { cookie: this.cookie, ...(init.headers as Record<string, string>) } });
    for (const c of res.headers.getSetCookie()) {
      const [pair] = c.split(';');
      const i = pair!.indexOf('=');
      const value = pair!.slice(i + 1);
      if (value === '' || /max-age=0/i.test(c)) this.cookies.delete(pair!.slice(0, i));
      else this.cookies.set(pair!.slice(0, i), value);
    }
    return res;
  }
  async page(url: string): Promise<{ status: number; body: string }> {
    const res = await this.fetch(url);
    const body = await res.text();
    const m = /<meta name="csrf-token" content="([^"]+)"/.exec(body);
    if (m) this.csrf = m[1]!;
    return { status: res.status, body };
  }
  post(url: string, form: Record<string, string> = {}): Promise<Response> {
    return this.fetch(url, { method: 'POST', body: new URLSearchParams({ _csrf: this.csrf, ...form }), headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  }
}

async function signedIn(email: string) {
  const browser = new Browser();
  await browser.page(`${webA}/login`);
  expect((await browser.post(`${webA}/auth/dev`, { email, name: 'Cache' })).status).toBe(303);
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const sid = decodeURIComponent(browser.cookies.get('sid')!).split('.')[0]!;
  // Both processes have now seen the session twice: what follows is served from their caches.
  for (const web of [webA, webB, webA, webB]) expect((await browser.page(`${web}/projects`)).status).toBe(200);
  return { browser, user, sid };
}

/** What a page with this cookie answers on each process: 200 with the balance shown, or a redirect. */
async function seenBy(cookie: string) {
  return Promise.all(
    [webA, webB].map(async (web) => {
      const res = await fetch(`${web}/projects`, { redirect: 'manual', headers: { cookie } });
      const body = await res.text();
      return { status: res.status, location: res.headers.get('location'), balance: Number(/data-credit-balance="(\d+)"/.exec(body)?.[1]) };
    }),
  );
}

beforeAll(async () => {
  t = await createTestContext();
  [webA, webB] = await Promise.all([startWeb(), startWeb()]);
}, 90_000);
afterAll(async () => {
  for (const child of children) {
    child.kill('SIGTERM');
    if (child.exitCode === null && child.signalCode === null) await new Promise((r) => child.once('exit', r));
  }
  await t?.close();
}, 60_000);

describe('the session cache with two web processes', () => {
  it('signing out on one: the next request to either is signed out', async () => {
    const { browser } = await signedIn('cache-signout@example.com');
    const copy = browser.cookie;
    expect((await browser.post(`${webA}/logout`)).status).toBe(303);
    for (const seen of await seenBy(copy)) {
      expect(seen.status).toBe(303);
      expect(seen.location).toMatch(/^\/login/);
    }
  }, 60_000);

  it('an admin disabling the account (from a third process): the next request to either is signed out', async () => {
    const { browser, user } = await signedIn('cache-disabled@example.com');
    await setDisabled(t.ctx.db, { ip: '127.0.0.1' }, user.id, true);
    for (const seen of await seenBy(browser.cookie)) expect(seen.status).toBe(303);
  }, 60_000);

  it('a device signed out from the account page: the next request from it to either is signed out', async () => {
    const { browser, user, sid } = await signedIn('cache-revoked@example.com');
    await deleteSessionForUser(t.ctx.db, user.id, sid);
    for (const seen of await seenBy(browser.cookie)) expect(seen.status).toBe(303);
  }, 60_000);

  it('a balance change (from a third process): the next page on either shows it', async () => {
    const { browser, user } = await signedIn('cache-balance@example.com');
    const before = await seenBy(browser.cookie);
    expect(before.map((s) => s.balance)).toEqual([user.credit_balance, user.credit_balance]);
    await withTx(t.ctx.db, (tx) => grantCredits(tx, user.id, 7, 'admin', null, 'test'));
    expect((await seenBy(browser.cookie)).map((s) => s.balance)).toEqual([user.credit_balance + 7, user.credit_balance + 7]);
  }, 60_000);
});
