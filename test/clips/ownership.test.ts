import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, createClip, getClip, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

describe('clips belong to their creator', () => {
  it('every clip route answers 404 to someone else, and changes nothing', async () => {
    const owner = await creator(t, 3);
    const ready = await createClip(t.ctx.db, t.ctx.storage, { userId: owner.user.id, projectId: owner.project.id, status: 'ready' });
    const queued = await createClip(t.ctx.db, t.ctx.storage, { userId: owner.user.id, projectId: owner.project.id, status: 'queued' });
    const intruder = await creator(t, 5);
    const htmx = { 'hx-request': 'true' };

    for (const clip of [ready, queued]) {
      expect((await intruder.b.get(`/clips/${clip.id}`)).statusCode).toBe(404);
      expect((await intruder.b.get(`/clips/${clip.id}`, htmx)).statusCode).toBe(404);
      for (const action of ['approve', 'unapprove', 'regenerate', 'cancel', 'delete']) {
        expect((await intruder.b.post(`/clips/${clip.id}/${action}`)).statusCode, action).toBe(404);
        expect((await intruder.b.post(`/clips/${clip.id}/${action}`, {}, htmx)).statusCode, action).toBe(404);
      }
      expect((await intruder.b.post(`/clips/${clip.id}/move`, { dir: 'up' })).statusCode).toBe(404);
    }
    expect((await intruder.b.post(`/projects/${owner.project.id}/order`, { clip_ids: [queued.id, ready.id] })).statusCode).toBe(404);
    expect((await uploadClip(intruder.b, owner.project.id)).statusCode).toBe(404);
    // Malformed ids are the same 404, not a database error.
    expect((await intruder.b.get('/clips/not-a-uuid')).statusCode).toBe(404);
    expect((await intruder.b.post('/clips/not-a-uuid/delete')).statusCode).toBe(404);
    expect((await intruder.b.post('/projects/not-a-uuid/order', { clip_ids: 'x' })).statusCode).toBe(404);

    expect(await getClip(t.ctx.db, ready.id)).toEqual(ready);
    expect(await getClip(t.ctx.db, queued.id)).toEqual(queued);
    expect(await balanceOf(t.ctx.db, intruder.user.id)).toBe(5);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('signed-out visitors are sent to sign in', async () => {
    const owner = await creator(t, 1);
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: owner.user.id, projectId: owner.project.id });
    const res = await t.app.inject(`/clips/${clip.id}`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toMatch(/^\/login\?next=/);
  });
});
