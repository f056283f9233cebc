import { beforeEach, describe, expect, it } from 'vitest';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { createClip, getClip } from '../factories/clips.js';
import { addTake, takesOf } from '../factories/takes.js';
import { creator, useWorld, type World } from '../generation/world.js';
import { decoded } from '../setup/html.js';
import { exportSource } from '../../src/export/service.js';
import { deleteClip } from '../../src/clips/service.js';
import { purgeExpiredEdits } from '../../src/undo/purge.js';

// A clip's takes (issue 29 item 2): listed newest first, each playable, one chosen for the film
// (which the players, the share page and the export follow), the others deletable; bad input is a
// 4xx with words and changes nothing.
const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});
const htmx = { 'hx-request': 'true' };
const exists = (key: string) => access(path.join(w.t.dataDir, 'objects', key)).then(() => true, () => false);
const storageOf = async (userId: string) => Number((await w.t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', userId).executeTakeFirstOrThrow()).storage_bytes);
const at = (s: number) => new Date(Date.now() - 60_000 + s * 1000);

/** A clip with three takes: the first (chosen, attempt 1), a second ready one (attempt 2, a new prompt and motion), a third that failed and was refunded. */
async function clipWithTakes(credits = 5) {
  const c = await creator(w.t, credits);
  const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video: Buffer.from('first take video'), approved: true });
  await w.t.ctx.db.updateTable('takes').set({ created_at: at(0) }).where('clip_id', '=', clip.id).execute();
  const second = await addTake(w.t.ctx.db, w.t.ctx.storage, clip, { attempt: 2, prompt: 'slow push towards the lighthouse', motion: 'push_in', video: Buffer.from('second take video!'), createdAt: at(1) });
  const failed = await addTake(w.t.ctx.db, w.t.ctx.storage, clip, { attempt: 3, status: 'error', refunded: true, error: 'The provider refused this picture.', createdAt: at(2) });
  await w.t.ctx.db.updateTable('clips').set({ attempt: 3, status: 'error', error_message: 'The provider refused this picture.' }).where('id', '=', clip.id).execute();
  const [first] = await takesOf(w.t.ctx.db, clip.id);
  return { ...c, clip, first: first!, second, failed };
}

describe('GET /clips/:id/takes', () => {
  it('lists every take newest first: prompt, motion, length, when, credits; plays the ready ones; says why one failed and what was refunded', async () => {
    const { b, clip, first, second, failed } = await clipWithTakes();
    const res = await b.get(`/clips/${clip.id}/takes`, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    const html = decoded(res.body);
    const order = [...html.matchAll(/data-take-id="([^"]+)"/g)].map((m) => m[1]);
    expect(order).toEqual([failed.id, second.id, first.id]);
    expect(html).toContain('Takes <span class="muted">(3)</span>');
    expect(html).toContain('slow push towards the lighthouse');
    // The camera motion in words, not the id the take stores (push_in).
    expect(html).toMatch(/<dt>Motion<\/dt><dd>Push in<\/dd>/);
    expect(html).not.toContain('>push_in<');
    expect(html).toMatch(/<dt>Length<\/dt><dd>5 s<\/dd>/);
    expect(html).toMatch(/<time datetime="[^"]+"/);
    // Each ready take plays inline from a short-lived signed URL, never a bare key.
    expect(html).toMatch(new RegExp(`<video src="/media/${second.video_key!.replace(/\./g, '\\.')}\\?exp=\\d+&(amp;)?sig=`));
    expect(html).toMatch(new RegExp(`<video src="/media/${first.video_key!.replace(/\./g, '\\.')}\\?exp=`));
    expect(html).toContain('The provider refused this picture. · 1 credit refunded');
    // The chosen one is marked and cannot be deleted; the others can (after a confirmation).
    expect(html).toMatch(new RegExp(`data-take-id="${first.id}"[^>]*data-take-chosen`));
    expect(html).toContain('The film uses this take');
    expect(html).toContain(`action="/clips/${clip.id}/takes/${second.id}/select"`);
    expect(html).not.toContain(`/takes/${failed.id}/select`);
    expect(html).not.toContain(`/takes/${first.id}/delete`);
    expect(html).toContain(`action="/clips/${clip.id}/takes/${second.id}/delete"`);
    expect(html).toContain('data-confirm="Delete take 2?');
    // Provider and model are for admins only.
    expect(html).not.toContain('gen4_turbo');

    const page = await b.get(`/clips/${clip.id}/takes`);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain('<html');
    expect(page.body).toContain(`id="takes-${clip.id}"`);
  });

  it('the card shows "Takes (N)" linking to the list, and data-take follows the chosen take', async () => {
    const { b, clip, user, project } = await clipWithTakes();
    const draft = await addTake(w.t.ctx.db, w.t.ctx.storage, clip, { kind: 'draft', createdAt: at(3) });
    const card = await b.get(`/clips/${clip.id}`, htmx);
    expect(card.body).toContain(`href="/clips/${clip.id}/takes"`);
    expect(card.body).toContain('Takes (4)');
    expect(card.body).toContain('data-take="ai"');
    expect((await b.post(`/clips/${clip.id}/takes/${draft.id}/select`, {}, htmx)).statusCode).toBe(200);
    expect((await b.get(`/clips/${clip.id}`, htmx)).body).toContain('data-take="draft"');
    const pageHtml = (await b.get(`/projects/${project.id}`)).body;
    expect(pageHtml).toContain('/assets/css/takes.css');
    expect(pageHtml).toContain('Takes (4)');
    expect(user.id).toBeTruthy();
  });
});

describe('POST /clips/:id/takes/:take_id/select', () => {
  it('switches the film: the player, the share page and the export use the chosen take', async () => {
    const { b, clip, project, first, second } = await clipWithTakes();
    const res = await b.post(`/clips/${clip.id}/takes/${second.id}/select`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-undo-label']).toBe('Take%20chosen'); // the project page's Undo toast offers it
    expect(decoded(res.body)).toMatch(new RegExp(`data-take-id="${second.id}"[^>]*data-take-chosen`));
    expect((await getClip(w.t.ctx.db, clip.id)).video_key).toBe(second.video_key);
    // An undoable edit, recorded with the choice: undo puts the first take back.
    const edits = await w.t.ctx.db.selectFrom('project_edits').selectAll().where('clip_id', '=', clip.id).execute();
    expect(edits.map((e) => [e.kind, e.label, e.inverse])).toEqual([['take', 'Take chosen', { set: [{ clipId: clip.id, columns: { take_id: first.id } }] }]]);

    const player = await b.get(`/projects/${project.id}/play`);
    expect(player.body).toContain(`/media/${second.video_key}`);
    expect(player.body).not.toContain(`/media/${first.video_key}`);
    expect((await b.post(`/projects/${project.id}/share`)).statusCode).toBeLessThan(400);
    const token = (await w.t.ctx.db.selectFrom('projects').select('share_token').where('id', '=', project.id).executeTakeFirstOrThrow()).share_token;
    const shared = await b.get(`/s/${token}`);
    expect(shared.statusCode).toBe(200);
    expect(shared.body).toContain(`/media/${second.video_key}`);
    expect(shared.body).not.toContain(`/media/${first.video_key}`);
    expect((await exportSource(w.t.ctx, project)).clips.map((c) => c.video_key)).toEqual([second.video_key]);

    // And back, as a plain form: to the takes page with a notice.
    const plain = await b.post(`/clips/${clip.id}/takes/${first.id}/select`);
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/clips/${clip.id}/takes`);
    expect((await b.get(`/projects/${project.id}/play`)).body).toContain(`/media/${first.video_key}`);
  });

  it('undo puts the previous take back; once that take is deleted, undo says it can no longer', async () => {
    const { b, clip, project, first, second, failed } = await clipWithTakes();
    await b.post(`/clips/${clip.id}/takes/${second.id}/select`, {}, htmx);
    expect((await b.post(`/projects/${project.id}/undo`)).statusCode).toBe(303);
    expect((await getClip(w.t.ctx.db, clip.id)).take_id).toBe(first.id);

    await b.post(`/clips/${clip.id}/takes/${second.id}/select`, {}, htmx);
    expect((await b.post(`/clips/${clip.id}/takes/${first.id}/delete`, {}, htmx)).statusCode).toBe(200);
    const stale = await b.post(`/projects/${project.id}/undo`, {}, htmx);
    expect(stale.statusCode).toBe(409);
    expect(decoded(stale.body)).toContain('“Take chosen” can no longer be undone');
    expect((await getClip(w.t.ctx.db, clip.id)).take_id).toBe(second.id);
    expect(failed.id).toBeTruthy();
  });

  it('refuses a failed or unfinished take with words, and changes nothing', async () => {
    const { b, clip, first, failed } = await clipWithTakes();
    const queued = await addTake(w.t.ctx.db, w.t.ctx.storage, clip, { kind: 'draft', status: 'queued' });
    const bad = await b.post(`/clips/${clip.id}/takes/${failed.id}/select`, {}, htmx);
    expect(bad.statusCode).toBe(409);
    expect(bad.body).toContain('This take failed, so it has no video to use.');
    const busy = await b.post(`/clips/${clip.id}/takes/${queued.id}/select`, {}, htmx);
    expect(busy.statusCode).toBe(409);
    expect(busy.body).toContain('This take is still being made.');
    expect((await getClip(w.t.ctx.db, clip.id)).take_id).toBe(first.id);
  });

  it('a take of another clip or of another person is a 404, and nothing changes', async () => {
    const mine = await clipWithTakes();
    const other = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: mine.user.id, projectId: mine.project.id, status: 'ready', video: Buffer.from('other clip') });
    const [otherTake] = await takesOf(w.t.ctx.db, other.id);
    const theirs = await clipWithTakes();
    const cases = [
      [mine.clip.id, otherTake!.id], // my take, but of my other clip
      [theirs.clip.id, theirs.second.id], // their clip and take
      [mine.clip.id, theirs.second.id], // their take under my clip
      [mine.clip.id, 'not-a-uuid'],
    ];
    for (const [clipId, takeId] of cases) {
      for (const action of ['select', 'delete']) {
        const res = await mine.b.post(`/clips/${clipId}/takes/${takeId}/${action}`, {}, htmx);
        expect(res.statusCode, `${action} ${clipId}/${takeId}`).toBe(404);
      }
    }
    expect((await mine.b.get(`/clips/${theirs.clip.id}/takes`)).statusCode).toBe(404);
    expect((await getClip(w.t.ctx.db, mine.clip.id)).take_id).toBe(mine.first.id);
    expect((await getClip(w.t.ctx.db, theirs.clip.id)).take_id).toBe(theirs.first.id);
    expect(await takesOf(w.t.ctx.db, theirs.clip.id)).toHaveLength(3);
    expect(await takesOf(w.t.ctx.db, other.id)).toHaveLength(1);
  });
});

describe('POST /clips/:id/takes/:take_id/delete', () => {
  it('deletes a take that is not chosen: its row, its video, its bytes in the quota', async () => {
    const { b, clip, user, second, failed } = await clipWithTakes();
    const before = await storageOf(user.id);
    expect(await exists(second.video_key!)).toBe(true);
    const res = await b.post(`/clips/${clip.id}/takes/${second.id}/delete`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).not.toContain(`data-take-id="${second.id}"`);
    expect(await exists(second.video_key!)).toBe(false);
    expect(await storageOf(user.id)).toBe(before - second.video_bytes!);
    // A failed take goes too (it has no video); the refund stays in the ledger.
    expect((await b.post(`/clips/${clip.id}/takes/${failed.id}/delete`)).statusCode).toBe(303);
    expect((await takesOf(w.t.ctx.db, clip.id)).map((t) => t.id)).not.toContain(failed.id);
  });

  it('refuses the chosen take and an unfinished one with words, and keeps them', async () => {
    const { b, clip, first } = await clipWithTakes();
    const generating = await addTake(w.t.ctx.db, w.t.ctx.storage, clip, { attempt: 4, status: 'generating' });
    const chosen = await b.post(`/clips/${clip.id}/takes/${first.id}/delete`, {}, htmx);
    expect(chosen.statusCode).toBe(409);
    expect(chosen.body).toContain('The film uses this take. Choose another take first');
    const busy = await b.post(`/clips/${clip.id}/takes/${generating.id}/delete`, {}, htmx);
    expect(busy.statusCode).toBe(409);
    expect(busy.body).toContain('still being made');
    expect(await takesOf(w.t.ctx.db, clip.id)).toHaveLength(4);
    expect(await exists(first.video_key!)).toBe(true);
  });

  it('deleting the clip deletes every take; their videos stay while the delete can be undone, then go and free their bytes', async () => {
    const { clip, user, project, first, second } = await clipWithTakes();
    const before = await storageOf(user.id);
    await deleteClip(w.t.ctx, user.id, clip.id);
    expect(await takesOf(w.t.ctx.db, clip.id)).toHaveLength(0);
    const [edit] = await w.t.ctx.db.selectFrom('project_edits').selectAll().where('clip_id', '=', clip.id).execute();
    expect(edit!.held_keys).toEqual(expect.arrayContaining([first.video_key, second.video_key]));
    expect(await storageOf(user.id)).toBe(before);
    // Once the delete can no longer be undone, the purge deletes every take's video.
    await w.t.ctx.db.updateTable('project_edits').set({ expired: true }).where('id', '=', edit!.id).execute();
    await purgeExpiredEdits(w.t.ctx, { projectId: project.id });
    expect(await exists(first.video_key!)).toBe(false);
    expect(await exists(second.video_key!)).toBe(false);
    expect(await storageOf(user.id)).toBe(before - first.video_bytes! - second.video_bytes! - (clip.image_bytes ?? 0));
  });
});
