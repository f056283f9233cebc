import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { destroyUserSessions } from '../../src/platform/session-store.js';
import { setDisabled } from '../../src/admin/users/service.js';
import { grantCredits } from '../../src/credits/service.js';
import { withTx } from '../../src/platform/db.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, startWebProcess, stopProcesses } from '../setup/web-processes.js';

// Two real web processes (as `npm start` runs them) keep signed-in sessions and their users in
// memory (src/platform/session-cache.ts). Whatever ends a session or changes the person, in either
// process or in a third one (an admin, a worker), shows on the very next request to both.

let t: TestContext;
const children: ChildProcess[] = [];
let webA = '';
let webB = '';

async function signedIn(email: string) {
  const browser = new HttpBrowser();
  await browser.signInDev(webA, email, 'Cache');
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
  [webA, webB] = await Promise.all([startWebProcess(t.env, children), startWebProcess(t.env, children)]);
}, 90_000);
afterAll(async () => {
  await stopProcesses(children);
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
    await destroyUserSessions(t.ctx.db, user.id, { only: sid });
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
