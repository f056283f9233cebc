import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import type { TestBrowser } from '../setup/browser.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { createClip } from '../factories/clips.js';
import { addTake, takesOf } from '../factories/takes.js';
import type { User } from '../../src/platform/db-types.js';
import { decoded } from '../setup/html.js';

// Issue 29 item 5: the failed-jobs page and the user page show takes (with provider and model), and
// an admin retry makes a take the way a regeneration does: a new one, the old ones kept.
let t: TestApp;
let b: TestBrowser;
let user: User;
let projectId: string;
beforeAll(async () => {
  t = await createTestApp({ ADMIN_PASSWORD });
  b = await adminBrowser(t.app);
  user = await createUser(t.ctx.db, { email: 'takes-admin@example.com', credits: 20 });
  projectId = (await createProject(t.ctx.db, user.id, { title: 'Harbour at dawn' })).id;
});
afterAll(async () => {
  await t?.close();
});

/** A clip whose first take is in the film and whose second attempt failed (refunded). */
async function failedRegeneration() {
  const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId, status: 'ready', video: Buffer.from('first') });
  const failed = await addTake(t.ctx.db, t.ctx.storage, clip, { attempt: 2, status: 'error', refunded: true, prompt: 'waves crash over the pier', motion: 'orbit' });
  await t.ctx.db
    .updateTable('clips')
    .set({ attempt: 2, status: 'error', error_code: 'SAFETY', error_message: 'The provider refused this picture.', credits_spent: 1, finished_at: new Date() })
    .where('id', '=', clip.id)
    .execute();
  const [first] = await takesOf(t.ctx.db, clip.id);
  return { clip, first: first!, failed };
}

describe('takes on the admin pages', () => {
  it('the failed-jobs page lists each clip’s takes with provider, model and refund', async () => {
    const { clip, first, failed } = await failedRegeneration();
    const res = await b.get('/admin/jobs?filter=error');
    expect(res.statusCode).toBe(200);
    const card = decoded(res.body.slice(res.body.indexOf(`data-clip-id="${clip.id}"`)));
    expect(card).toContain('Takes (2)');
    expect(card).toMatch(new RegExp(`data-take-id="${failed.id}" data-take-status="error"`));
    expect(card).toMatch(new RegExp(`data-take-id="${first.id}" data-take-status="ready" data-take-chosen`));
    expect(card).toContain('runway · gen4_turbo');
    expect(card).toContain('waves crash over the pier');
    expect(card).toContain('<span class="badge">Orbit</span>');
    expect(card).toContain('refunded 1');
  });

  it('the user page lists their newest takes across projects', async () => {
    const { failed } = await failedRegeneration();
    const res = await b.get(`/admin/users/${user.id}`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('id="takes-heading"');
    expect(res.body).toMatch(new RegExp(`data-take-id="${failed.id}" data-take-status="error"`));
    expect(res.body).toContain('Harbour at dawn');
    const empty = await createUser(t.ctx.db, { email: 'no-takes@example.com' });
    expect((await b.get(`/admin/users/${empty.id}`)).body).toContain('No takes');
  });

  it('a retry makes a new take the way a regeneration does; the earlier takes stay, the film keeps its take', async () => {
    const { clip, first, failed } = await failedRegeneration();
    const res = await b.post(`/admin/jobs/${clip.id}/retry`);
    expect(res.statusCode).toBe(303);
    const takes = await takesOf(t.ctx.db, clip.id);
    expect(takes.map((x) => [x.id === first.id || x.id === failed.id ? 'kept' : 'new', x.kind, x.status, x.attempt])).toEqual([
      ['kept', 'ai', 'ready', 1],
      ['kept', 'ai', 'error', 2],
      ['new', 'ai', 'queued', 3],
    ]);
    // Free (the failure was refunded): nothing charged, and the film still uses the first take.
    expect(takes[2]!.credits_spent).toBe(0);
    const row = await t.ctx.db.selectFrom('clips').select(['take_id', 'status', 'attempt']).where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ take_id: first.id, status: 'queued', attempt: 3 });
    expect((await b.get('/admin/jobs')).body).toContain('as a new take (the earlier takes are kept)');
    await expectLedgerBalanced(t.ctx.db);
  });
});
