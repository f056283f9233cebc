import { beforeEach, describe, expect, it } from 'vitest';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { balanceOf, createClip, ledgerFor } from '../factories/clips.js';
import { takesOf } from '../factories/takes.js';
import { sampleMp4 } from '../fakes/runway.js';
import { creator, useWorld, type World } from '../generation/world.js';
import { forgetEdits } from '../factories/edits.js';
import { withTx } from '../../src/platform/db.js';
import { recordEdit } from '../../src/undo/record.js';
import { setLimits } from '../limits/helpers.js';
import { DEFAULT_SETTINGS } from '../../src/settings/defaults.js';

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});
const json = { accept: 'application/json' };
const exists = (key: string) => access(path.join(w.t.dataDir, 'objects', key)).then(() => true, () => false);
const order = async (projectId: string) =>
  (await w.t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', projectId).orderBy('position').orderBy('created_at').execute()).map((r) => r.id);
const storageOf = async (userId: string) => Number((await w.t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', userId).executeTakeFirstOrThrow()).storage_bytes);
const editsOf = async (projectId: string) => (await w.t.ctx.db.selectFrom('project_edits').select('id').where('project_id', '=', projectId).where('expired', '=', false).execute()).length;

async function threeClips(credits = 5) {
  const c = await creator(w.t, credits);
  const clips = [];
  for (let i = 0; i < 3; i++) clips.push(await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video: await sampleMp4() }));
  return { ...c, clips, ids: clips.map((x) => x.id) };
}

describe('POST /projects/:id/undo', () => {
  it('brings a deleted clip back whole: its row, takes, chosen take, place, objects; storage counted once throughout', async () => {
    const { b, user, project, clips, ids } = await threeClips();
    const clip = clips[1]!;
    const takesBefore = await takesOf(w.t.ctx.db, clip.id);
    const storageBefore = await storageOf(user.id);
    const balance = await balanceOf(w.t.ctx.db, user.id);

    expect((await b.post(`/clips/${clip.id}/delete`)).statusCode).toBe(303);
    expect(await order(project.id)).toEqual([ids[0], ids[2]]);
    expect(await storageOf(user.id)).toBe(storageBefore);

    const res = await b.post(`/projects/${project.id}/undo`, {}, json);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ undone: 'Clip deleted', kind: 'delete', clipId: clip.id, left: 0 });
    expect(await order(project.id)).toEqual(ids);
    const back = await w.t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(back).toMatchObject({ take_id: clip.take_id, status: 'ready', image_key: clip.image_key, position: clip.position });
    expect(await takesOf(w.t.ctx.db, clip.id)).toEqual(takesBefore);
    expect(await exists(clip.image_key)).toBe(true);
    expect(await exists(clip.video_key!)).toBe(true);
    expect(await storageOf(user.id)).toBe(storageBefore);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(balance);
    // The card and the page show it again.
    expect((await b.get(`/clips/${clip.id}`)).statusCode).toBe(200);
    expect((await b.get(`/projects/${project.id}`)).body).toContain(`data-clip-id="${clip.id}"`);
  });

  it('undoes reorders newest first, a plain form going back to the project with a notice', async () => {
    const { b, project, ids } = await threeClips();
    expect((await b.post(`/projects/${project.id}/order`, { clip_ids: [ids[2]!, ids[0]!, ids[1]!] }, json)).headers['x-undo-label']).toBe('Clips%20reordered');
    expect((await b.post(`/clips/${ids[0]}/move`, { dir: 'down' }, { 'hx-request': 'true' })).statusCode).toBe(204);
    expect(await order(project.id)).toEqual([ids[2], ids[1], ids[0]]);
    const plain = await b.post(`/projects/${project.id}/undo`);
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/projects/${project.id}`);
    expect(await order(project.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect((await b.get(`/projects/${project.id}`)).body).toContain('Undone: clip moved.');
    await b.post(`/projects/${project.id}/undo`, {}, json);
    expect(await order(project.id)).toEqual(ids);
    // The same order again is no edit.
    await b.post(`/projects/${project.id}/order`, { clip_ids: ids }, json);
    expect(await editsOf(project.id)).toBe(0);
  });

  it('refuses with words when there is nothing to undo, and 404s another person\'s project; nothing changes', async () => {
    const { b, project, ids } = await threeClips();
    const none = await b.post(`/projects/${project.id}/undo`, {}, json);
    expect(none.statusCode).toBe(409);
    expect(none.json().error).toMatch(/Nothing to undo/);
    const page = await b.post(`/projects/${project.id}/undo`);
    expect(page.statusCode).toBe(409);
    expect(page.body).toContain('Nothing to undo');

    const other = await threeClips();
    await other.b.post(`/projects/${other.project.id}/order`, { clip_ids: [other.ids[1]!, other.ids[0]!, other.ids[2]!] }, json);
    expect((await b.post(`/projects/${other.project.id}/undo`, {}, json)).statusCode).toBe(404);
    expect((await b.post(`/projects/not-a-uuid/undo`, {}, json)).statusCode).toBe(404);
    expect(await order(other.project.id)).toEqual([other.ids[1], other.ids[0], other.ids[2]]);
    expect(await editsOf(other.project.id)).toBe(1);
    expect(await order(project.id)).toEqual(ids);
  });

  it('keeps the last 20: the 21st edit back cannot be undone, and an expired delete\'s objects are purged', async () => {
    const { b, user, project, clips, ids } = await threeClips();
    const gone = clips[0]!;
    expect((await b.post(`/clips/${gone.id}/delete`)).statusCode).toBe(303);
    const rest = ids.slice(1);
    for (let i = 0; i < 20; i++) await b.post(`/projects/${project.id}/order`, { clip_ids: i % 2 ? rest : [...rest].reverse() }, json);
    for (let i = 0; i < 20; i++) expect((await b.post(`/projects/${project.id}/undo`, {}, json)).statusCode).toBe(200);
    expect((await b.post(`/projects/${project.id}/undo`, {}, json)).statusCode).toBe(409);
    expect(await order(project.id)).toEqual(rest);
    const before = await storageOf(user.id);
    await forgetEdits(w.t.ctx, project.id);
    expect(await exists(gone.image_key)).toBe(false);
    expect(await exists(gone.video_key!)).toBe(false);
    expect(await storageOf(user.id)).toBeLessThan(before);
  }, 60_000);

  it('an unfinished clip deleted and brought back is a cancelled, refunded attempt', async () => {
    const { b, user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'generating' });
    expect((await b.post(`/clips/${clip.id}/delete`)).statusCode).toBe(303);
    expect((await b.post(`/projects/${project.id}/undo`, {}, json)).statusCode).toBe(200);
    const back = await w.t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(back).toMatchObject({ status: 'error', error_code: 'CANCELLED', provider_task_id: null });
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((r) => r.type === 'refund')).toHaveLength(1);
  });

  it('an edit whose undo would clash with what is there now is dropped with words', async () => {
    const { b, user, project, clips } = await threeClips();
    await withTx(w.t.ctx.db, (tx) =>
      recordEdit(tx, { projectId: project.id, userId: user.id, kind: 'take', clipId: clips[0]!.id, label: 'Take chosen', undo: { set: [{ clipId: clips[0]!.id, columns: { take_id: '00000000-0000-4000-8000-000000000000' } }] } }),
    );
    const res = await b.post(`/projects/${project.id}/undo`, {}, json);
    expect(res.statusCode).toBe(409);
    expect(res.json().error).toMatch(/can no longer be undone/);
    expect((await w.t.ctx.db.selectFrom('clips').select('take_id').where('id', '=', clips[0]!.id).executeTakeFirstOrThrow()).take_id).toBe(clips[0]!.take_id);
    expect(await editsOf(project.id)).toBe(0);
  });

  it('refuses to bring a deleted clip back past the project\'s clip cap, with words, and moves on to older edits; the clip\'s objects go to the purge', async () => {
    const { b, user, project, clips, ids } = await threeClips();
    await setLimits(w.t.ctx.db, { maxClipsPerProject: 3 });
    try {
      await b.post(`/projects/${project.id}/order`, { clip_ids: [ids[1]!, ids[0]!, ids[2]!] }, json);
      expect((await b.post(`/clips/${ids[0]}/delete`)).statusCode).toBe(303);
      // A new clip fills the place the deleted one left.
      const newer = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'ready', video: await sampleMp4() });
      const res = await b.post(`/projects/${project.id}/undo`, {}, json);
      expect(res.statusCode).toBe(409);
      expect(res.json().error).toBe('“Clip deleted” cannot be undone: this project already holds 3 clips, its limit, so that clip cannot come back. Older edits can still be undone.');
      expect(await order(project.id)).toEqual([ids[1], ids[2], newer.id]);
      expect(await w.t.ctx.db.selectFrom('clips').select('id').where('id', '=', ids[0]!).executeTakeFirst()).toBeUndefined();
      // The next undo is the older edit (the reorder), not the refused one again.
      expect(await editsOf(project.id)).toBe(1);
      const next = await b.post(`/projects/${project.id}/undo`, {}, json);
      expect(next.json()).toMatchObject({ kind: 'reorder', left: 0 });
      // What the refused delete kept is purged like any edit out of the window, and stops counting.
      const storage = await storageOf(user.id);
      await forgetEdits(w.t.ctx, project.id);
      expect(await exists(clips[0]!.image_key)).toBe(false);
      expect(await storageOf(user.id)).toBeLessThan(storage);
      expect(await w.t.ctx.db.selectFrom('project_edits').select('id').where('project_id', '=', project.id).execute()).toEqual([]);
    } finally {
      await setLimits(w.t.ctx.db, { maxClipsPerProject: DEFAULT_SETTINGS.maxClipsPerProject });
    }
  });
});
