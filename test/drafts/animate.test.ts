import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, ledgerFor } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { photo, postPhotos } from '../photos/fixtures.js';
import { decoded } from '../setup/html.js';

// POST /projects/:id/animate (issue 28.3): all charged or none.
let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ ACTIVE_AI_PROVIDER: 'local' });
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

async function draftClips(credits: number) {
  const w = await creator(t, credits);
  await postPhotos(w.b, w.project.id, [{ name: 'a.jpg', value: await photo() }, { name: 'b.jpg', value: await photo() }], { htmx: true });
  const ids = (await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', w.project.id).orderBy('position').execute()).map((c) => c.id);
  return { ...w, ids };
}

describe('POST /projects/:id/animate', () => {
  it('refuses a short balance with the shortfall in words and charges nothing', async () => {
    const { user, project, b, ids } = await draftClips(1);
    const res = await b.post(`/projects/${project.id}/animate`, { clip_ids: ids });
    expect(res.statusCode).toBe(402);
    expect(decoded(res.body)).toContain('This needs 2 credits and you have 1.');
    expect(decoded(res.body)).toMatch(/You need <strong data-shortfall>1 more credit<\/strong>/);
    expect(res.body).toContain('href="/credits"');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
    expect(await t.ctx.db.selectFrom('takes').select('id').where('clip_id', 'in', ids).where('kind', '=', 'ai').execute()).toEqual([]);
  });

  it('charges every clip at once and queues an AI take for each', async () => {
    const { user, project, b, ids } = await draftClips(3);
    const res = await b.post(`/projects/${project.id}/animate`, { clip_ids: ids });
    expect(res.statusCode).toBe(303);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
    const ledger = await ledgerFor(t.ctx.db, user.id);
    for (const id of ids) expect(ledger).toContainEqual({ amount: -1, type: 'generation', reference_id: `${id}:1` });
    const clips = await t.ctx.db.selectFrom('clips').select(['status', 'attempt']).where('id', 'in', ids).execute();
    expect(clips).toEqual([{ status: 'queued', attempt: 1 }, { status: 'queued', attempt: 1 }]);
  });

  it('answers 404 for a clip of another person, charging nothing', async () => {
    const mine = await draftClips(5);
    const theirs = await draftClips(5);
    const res = await mine.b.post(`/projects/${mine.project.id}/animate`, { clip_ids: [mine.ids[0]!, theirs.ids[0]!] });
    expect(res.statusCode).toBe(404);
    expect(await balanceOf(t.ctx.db, mine.user.id)).toBe(5);
  });

  it('the project page offers every draft at once, priced by the one price function, confirmed first', async () => {
    const { project, b, ids } = await draftClips(1);
    const page = decoded((await b.get(`/projects/${project.id}`)).body);
    const section = /<section class="animate-all"[\s\S]*?<\/section>/.exec(page)?.[0] ?? '';
    expect(section).not.toMatch(/<section[^>]*hidden/);
    expect(section).toMatch(/<summary[^>]*>Animate <span[^>]*>2 clips<\/span> · <span[^>]*>2 credits<\/span><\/summary>/);
    // The confirmation names the count, the price and what is short, and sends exactly the drafts.
    expect(section).toContain('2 draft clips');
    expect(section).toMatch(/<p class="animate-all-short" data-animate-short>That is <span[^>]*>1 credit<\/span> more than you have. <a href="\/credits">Buy credits<\/a>/);
    expect([...section.matchAll(/name="clip_ids" value="([^"]+)"/g)].map((m) => m[1]).sort()).toEqual([...ids].sort());
    // Each card's Animate button carries its price for the page's sum.
    expect([...page.matchAll(/data-animate data-cost="(\d+)"/g)].map((m) => m[1])).toEqual(['1', '1']);
  });

  it('the project page offers nothing to animate when no clip is a draft', async () => {
    const { project, b, ids } = await draftClips(5);
    await b.post(`/projects/${project.id}/animate`, { clip_ids: ids });
    const page = decoded((await b.get(`/projects/${project.id}`)).body);
    expect(page).toMatch(/<section class="animate-all"[^>]* hidden/);
  });
});
