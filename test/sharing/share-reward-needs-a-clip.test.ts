import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { NOTHING_TO_SHARE } from '../../src/sharing/service.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { createClip, createWatchableClip } from '../factories/projects.js';
import { TestBrowser } from '../setup/browser.js';
import { createTestApp, type TestApp } from '../setup/context.js';

// Issue 16, item 4: four empty projects shared used to earn the 3-credit cap. Now an empty film
// cannot be shared at all (there is nothing to watch), the share panel says so before anyone
// tries, and the reward is paid only for a film with an approved, ready clip.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const balanceOf = async (userId: string) =>
  (await t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', userId).executeTakeFirstOrThrow()).credit_balance;
const shareRows = (userId: string) => t.ctx.db.selectFrom('credit_transactions').selectAll().where('user_id', '=', userId).where('type', '=', 'share').execute();
const tokenOf = async (projectId: string) => (await t.ctx.db.selectFrom('projects').select('share_token').where('id', '=', projectId).executeTakeFirstOrThrow()).share_token;

async function signedIn() {
  const user = await createUser(t.ctx.db);
  const b = new TestBrowser(t.app);
  await b.signInDev(user.email);
  await b.get('/');
  return { user, b };
}

describe('sharing an empty project', () => {
  it('four empty projects (one with only an unapproved clip) are refused with a clear message, and earn nothing', async () => {
    const { user, b } = await signedIn();
    const start = await balanceOf(user.id);
    const projects = [];
    for (let i = 0; i < 4; i++) projects.push(await createProject(t.ctx.db, user.id, { title: `Empty ${i}` }));
    await createClip(t.ctx.db, { userId: user.id, projectId: projects[3]!.id, approved: false, status: 'ready' });

    for (const p of projects) {
      // Before sharing, the panel says why the button does nothing yet and what sharing will pay.
      const page = await b.get(`/projects/${p.id}/share`);
      expect(page.statusCode).toBe(200);
      expect(page.body).toContain('data-share-needs-clip');
      expect(page.body).toContain('Sharing pays 1 credit once this project has an approved clip.');
      expect(page.body).toMatch(/<button type="submit" class="button share-create" disabled>/);

      const res = await b.post(`/projects/${p.id}/share`);
      expect(res.statusCode).toBe(409);
      expect(res.body).toContain('Approve a finished clip first');
      expect(await tokenOf(p.id)).toBeNull();
    }
    expect(NOTHING_TO_SHARE).toMatch(/nothing to watch/);
    expect(await balanceOf(user.id)).toBe(start);
    expect(await shareRows(user.id)).toHaveLength(0);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('with an approved, ready clip the same projects share and earn, up to the cap; the ledger adds up', async () => {
    const { user, b } = await signedIn();
    const start = await balanceOf(user.id);
    const projects = [];
    for (let i = 0; i < 4; i++) projects.push(await createProject(t.ctx.db, user.id, { title: `Film ${i}` }));
    for (const p of projects) expect((await b.post(`/projects/${p.id}/share`)).statusCode).toBe(409);

    for (const p of projects) await createWatchableClip(t.ctx.db, { userId: user.id, projectId: p.id });
    const page = await b.get(`/projects/${projects[0]!.id}/share`);
    expect(page.body).not.toContain('data-share-needs-clip');
    expect(page.body).toContain('Your first share of a film earns 1 credit');
    for (const p of projects) expect((await b.post(`/projects/${p.id}/share`)).statusCode).toBe(303);

    expect(await balanceOf(user.id)).toBe(start + 3); // the default cap: three rewarded films
    const rows = await shareRows(user.id);
    expect(rows).toHaveLength(3);
    expect(new Set(rows.map((r) => r.reference_id)).size).toBe(3);
    await expectLedgerBalanced(t.ctx.db);
  });
});
