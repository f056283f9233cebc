import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROUTE_LIMITS } from '../../src/limits/route-limits.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';

// Issue 25 item 11: the data download, account deletion and project export limits count per
// signed-in person, so one person behind a shared address (a NAT, an office) uses up only their own
// allowance. Both browsers here come from the same address (app.inject's 127.0.0.1).

let t: TestApp;
let alice: TestBrowser;
let bob: TestBrowser;

beforeAll(async () => {
  t = await createTestApp();
  await createUser(t.ctx.db, { email: 'alice@example.com' });
  await createUser(t.ctx.db, { email: 'bob@example.com' });
  alice = new TestBrowser(t.app);
  bob = new TestBrowser(t.app);
  await alice.signInDev('alice@example.com');
  await bob.signInDev('bob@example.com');
});
afterAll(async () => {
  await t?.close();
});

const HTMX = { 'hx-request': 'true' };

async function useUp(b: TestBrowser, url: string, max: number, form: Record<string, string> = {}) {
  for (let i = 0; i < max; i++) expect((await b.post(url, form, HTMX)).statusCode).not.toBe(429);
  const refused = await b.post(url, form, HTMX);
  expect(refused.statusCode).toBe(429);
  expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
}

describe('per-route limits behind one address', () => {
  it('data downloads: one person using up theirs does not block another', async () => {
    await useUp(alice, '/account/export', ROUTE_LIMITS['account-export'].max);
    const res = await bob.post('/account/export', {}, HTMX);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Preparing your download');
  });

  it('account deletion attempts: counted per person', async () => {
    await useUp(alice, '/account/delete', ROUTE_LIMITS['account-delete'].max, { confirm_email: 'wrong@example.com' });
    expect((await bob.post('/account/delete', { confirm_email: 'wrong@example.com' }, HTMX)).statusCode).not.toBe(429);
  });

  it('project exports: counted per person', async () => {
    const aliceId = (await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'alice@example.com').executeTakeFirstOrThrow()).id;
    const bobId = (await t.ctx.db.selectFrom('users').select('id').where('email', '=', 'bob@example.com').executeTakeFirstOrThrow()).id;
    const a = await createProject(t.ctx.db, aliceId);
    const b = await createProject(t.ctx.db, bobId);
    // Alice meets her hourly export allowance first, then the route's limit; every try counts.
    for (let i = 0; i < ROUTE_LIMITS['project-export'].max; i++) await alice.post(`/projects/${a.id}/export`, {}, HTMX);
    expect((await alice.post(`/projects/${a.id}/export`, {}, HTMX)).statusCode).toBe(429);
    expect((await bob.post(`/projects/${b.id}/export`, {}, HTMX)).statusCode).not.toBe(429);
  });
});
