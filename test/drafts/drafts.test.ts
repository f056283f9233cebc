import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgetEdits } from '../factories/edits.js';
import { saveSettings } from '../../src/settings/service.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, getClip, ledgerFor, waitFor, waitForClipDone } from '../factories/clips.js';
import { takesOf } from '../factories/takes.js';
import { creator } from '../generation/world.js';
import { photo, postPhotos } from '../photos/fixtures.js';
import { decoded } from '../setup/html.js';

// Free drafts (issue 28.2) and animating a draft with AI (28.3), with the local provider as the AI.
let t: TestApp;
let workers: RunningWorkers | undefined;
beforeAll(async () => {
  t = await createTestApp({ ACTIVE_AI_PROVIDER: 'local', RUNWAY_POLL_INTERVAL_MS: '100' });
  await saveSettings(t.ctx.db, { allowedDurations: [2, 5], defaultDuration: 2 });
  workers = startWorkers(t.ctx, { periodic: false });
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

const draftsReady = (clipId: string) =>
  waitFor(async () => {
    const c = await getClip(t.ctx.db, clipId);
    return c.take_kind === 'draft' ? c : undefined;
  }, `draft of ${clipId}`, 60_000, 100);

describe('free drafts', () => {
  it('every new photo gets a free draft the film plays, marked as a draft; animating it charges once and the film switches to the AI take', async () => {
    const { user, project, b } = await creator(t, 3);
    const res = await postPhotos(b, project.id, [{ name: 'a.jpg', value: await photo(480, 360) }, { name: 'b.jpg', value: await photo(360, 480) }], { htmx: true });
    expect(res.statusCode).toBe(200);
    const ids = (await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).orderBy('position').execute()).map((c) => c.id);
    expect(ids).toHaveLength(2);
    for (const id of ids) {
      const c = await draftsReady(id);
      expect(c).toMatchObject({ status: 'draft', attempt: 0, approved: true, credits_spent: 0 });
      expect(c.video_key).toMatch(new RegExp(`${id}\\.draft-[0-9a-f-]+\\.mp4$`));
      expect(await t.ctx.storage.size(c.video_key!)).toBeGreaterThan(1000);
    }
    expect(await balanceOf(t.ctx.db, user.id)).toBe(3);

    const card = await b.get(`/clips/${ids[0]}`, { 'hx-request': 'true' });
    expect(card.body).toContain('data-take="draft"');
    expect(card.body).toContain('data-draft-mark');
    expect(decoded(card.body)).toMatch(/Animate <span class="clip-cost">· 1 cr<\/span>/);
    const play = await b.get(`/projects/${project.id}/play`);
    expect(play.body).toContain('data-film-drafts="2"');
    expect(play.body).toContain('All drafts');
    expect(play.body.match(/data-draft-mark/g)).toHaveLength(2);
    // The picture itself is marked while a draft plays (as the export burns it in): the first clip is one.
    const drafted = (html: string) => (JSON.parse(/id="playlist">([\s\S]*?)<\/script>/.exec(html)![1]!) as { clips: Array<{ draft?: boolean }> }).clips.map((c) => c.draft === true);
    expect(drafted(play.body)).toEqual([true, true]);
    expect(play.body).toMatch(/data-player-draft title=/);

    // Animate one: charged once, the draft stays a take, the film uses the AI take when it is ready.
    const animated = await b.post(`/clips/${ids[0]}/regenerate`, {}, { 'hx-request': 'true' });
    expect(animated.statusCode).toBe(200);
    expect(animated.body).toContain('data-take="draft"'); // the draft plays meanwhile
    expect(await balanceOf(t.ctx.db, user.id)).toBe(2);
    expect(await ledgerFor(t.ctx.db, user.id)).toContainEqual({ amount: -1, type: 'generation', reference_id: `${ids[0]}:1` });
    const done = await waitForClipDone(t.ctx.db, ids[0]!, 60_000);
    expect(done).toMatchObject({ status: 'ready', attempt: 1, take_kind: 'ai' });
    expect((await takesOf(t.ctx.db, ids[0]!)).map((tk) => [tk.kind, tk.status])).toEqual([['draft', 'ready'], ['ai', 'ready']]);
    const after = await b.get(`/projects/${project.id}/play`);
    expect(after.body).toContain('data-film-drafts="1"');
    expect(after.body.match(/data-draft-mark/g)).toHaveLength(1);
    expect(drafted(after.body)).toEqual([false, true]);
    expect(after.body).toMatch(/data-player-draft hidden/);

    // Deleting the clip deletes every take's video (once the delete can no longer be undone).
    const videos = (await takesOf(t.ctx.db, ids[0]!)).map((tk) => tk.video_key!);
    expect(videos).toHaveLength(2);
    expect((await b.post(`/clips/${ids[0]}/delete`)).statusCode).toBe(303);
    await forgetEdits(t.ctx, project.id);
    for (const key of videos) expect(await t.ctx.storage.size(key)).toBeNull();
    expect(await balanceOf(t.ctx.db, user.id)).toBe(2);
  }, 150_000);

  it('drafts have their own hourly limit, counted before anything is stored', async () => {
    await saveSettings(t.ctx.db, { draftsPerHour: 1 });
    try {
      const { project, b } = await creator(t, 0);
      expect((await postPhotos(b, project.id, [{ name: 'one.jpg', value: await photo() }], { htmx: true })).statusCode).toBe(200);
      const again = await postPhotos(b, project.id, [{ name: 'two.jpg', value: await photo() }], { htmx: true });
      expect(again.statusCode).toBe(429);
      expect(again.body).toContain('1 free draft an hour');
      expect(await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).execute()).toHaveLength(1);
    } finally {
      await saveSettings(t.ctx.db, { draftsPerHour: 120 });
    }
  }, 60_000);
});
