import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { saveSettings } from '../../src/settings/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { takesOf } from '../factories/takes.js';
import { creator } from '../generation/world.js';
import { postPhotos } from '../photos/fixtures.js';
import { decoded } from '../setup/html.js';
import { forgetEdits } from '../factories/edits.js';

// The crop you can see (issue 28, item 4): the photo is kept whole, the clip's image is cropped
// around its focal point, and POST /clips/:id/focus moves it: a new crop, a new free draft.

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

/** A wide photo (3:1), red on its left third, green in the middle, blue on its right third. */
function stripes(): Promise<Buffer> {
  const third = (r: number, g: number, b: number) => ({ create: { width: 400, height: 400, channels: 3 as const, background: { r, g, b } } });
  return sharp({ create: { width: 1200, height: 400, channels: 3, background: { r: 0, g: 0, b: 0 } } })
    .composite([
      { input: { ...third(255, 0, 0) }, left: 0, top: 0 },
      { input: { ...third(0, 255, 0) }, left: 400, top: 0 },
      { input: { ...third(0, 0, 255) }, left: 800, top: 0 },
    ])
    .jpeg()
    .toBuffer();
}

/** The dominant channel of the stored image's left and right edges. */
async function edges(key: string): Promise<[string, string]> {
  const img = await buffer(await t.ctx.storage.get(key));
  const { data, info } = await sharp(img).raw().toBuffer({ resolveWithObject: true });
  const at = (x: number) => {
    const i = (Math.floor(info.height / 2) * info.width + x) * info.channels;
    const [r, g, b] = [data[i]!, data[i + 1]!, data[i + 2]!];
    return r > g && r > b ? 'red' : g > b ? 'green' : 'blue';
  };
  return [at(5), at(info.width - 6)];
}

async function onePhoto(credits = 0) {
  const w = await creator(t, credits);
  const res = await postPhotos(w.b, w.project.id, [{ name: 'wide.jpg', value: await stripes() }], { htmx: true });
  expect(res.statusCode).toBe(200);
  const clip = await t.ctx.db.selectFrom('clips').selectAll().where('project_id', '=', w.project.id).executeTakeFirstOrThrow();
  return { ...w, clip };
}

describe('the crop you can see', () => {
  it('keeps the whole photo, crops the centre first, and the card offers the frame on the photo', async () => {
    const { b, clip } = await onePhoto();
    expect(clip.source_key).toMatch(new RegExp(`^images/${clip.user_id}/${clip.project_id}/${clip.id}\\.source\\.jpg$`));
    expect([clip.focus_x, clip.focus_y]).toEqual([0.5, 0.5]);
    const meta = await sharp(await buffer(await t.ctx.storage.get(clip.source_key!))).metadata();
    expect(meta.width! / meta.height!).toBeCloseTo(3, 1); // uncropped
    expect(await edges(clip.image_key)).toEqual(['red', 'blue']); // 16:9 out of 3:1: the middle, reaching into both sides
    const sizes = await Promise.all([clip.image_key, clip.thumb_key!, clip.source_key!].map((k) => t.ctx.storage.size(k)));
    expect(clip.image_bytes).toBe(sizes.reduce<number>((a, n) => a + (n ?? 0), 0));
    // The card offers the crop; the editor comes when it is opened (GET /clips/:id/focus), or as a page.
    const card = decoded((await b.get(`/clips/${clip.id}`)).body);
    expect(card).toMatch(/<details class="clip-focus" data-focus hx-get="\/clips\/[^"]+\/focus" hx-trigger="toggle once"/);
    expect(card).not.toContain('data-focus-editor');
    const editor = decoded((await b.get(`/clips/${clip.id}/focus`, { 'hx-request': 'true' })).body);
    expect(editor).toMatch(/data-focus-editor data-frame-w="1280" data-frame-h="720" data-x="0.5" data-y="0.5"/);
    expect(editor).toContain('aria-label="Move the crop left"');
    expect(editor).toContain(`hx-post="/clips/${clip.id}/focus"`);
    const page = await b.get(`/clips/${clip.id}/focus`);
    expect(page.statusCode).toBe(200);
    expect(decoded(page.body)).toContain('data-focus-page');
    expect(decoded(page.body)).not.toContain(`hx-post="/clips/${clip.id}/focus"`);
    const other = await onePhoto();
    expect((await other.b.get(`/clips/${clip.id}/focus`, { 'hx-request': 'true' })).statusCode).toBe(404);
  });

  it('moving the focal point re-crops the stored image and makes a new free draft; the old crop is kept for Undo, then purged', async () => {
    const { b, clip, user } = await onePhoto();
    const res = await b.post(`/clips/${clip.id}/focus`, { x: '0', y: '0.5' }, { 'hx-request': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`data-clip-id="${clip.id}"`);
    const moved = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect([moved.focus_x, moved.focus_y]).toEqual([0, 0.5]);
    expect(moved.image_key).not.toBe(clip.image_key);
    expect(moved.source_key).toBe(clip.source_key);
    expect(await edges(moved.image_key)).toEqual(['red', 'green']);
    expect(res.headers['x-undo-label']).toBe('Crop%20moved');
    const drafts = (await takesOf(t.ctx.db, clip.id)).filter((k) => k.kind === 'draft');
    expect(drafts).toHaveLength(2);
    // The old crop stays (and counts) while the move can be undone; out of the window it is purged.
    const storage = async () => Number((await t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', user.id).executeTakeFirstOrThrow()).storage_bytes);
    const oldCrop = (await t.ctx.storage.size(clip.image_key))! + (await t.ctx.storage.size(clip.thumb_key!))!;
    expect(await storage()).toBe(moved.image_bytes! + oldCrop);
    await forgetEdits(t.ctx, clip.project_id);
    expect(await t.ctx.storage.size(clip.image_key).catch(() => null)).toBeNull();
    expect(await t.ctx.storage.size(clip.thumb_key!).catch(() => null)).toBeNull();
    expect(await storage()).toBe(moved.image_bytes);

    await b.post(`/clips/${clip.id}/focus`, { x: '1', y: '0.5' });
    const right = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(await edges(right.image_key)).toEqual(['green', 'blue']);
  });

  it('refuses bad input with words, another person\'s clip with a 404, and a clip being animated with a 409', async () => {
    const { b, clip } = await onePhoto(2);
    for (const form of [{ x: '2', y: '0.5' }, { x: 'left', y: '0.5' }, { x: '0.5' }, { x: '-0.1', y: '0' }]) {
      const res = await b.post(`/clips/${clip.id}/focus`, form);
      expect(res.statusCode).toBe(400);
      expect(decoded(res.body)).toContain('Say where the crop centres: x and y, each a number from 0 to 1.');
    }
    const other = await creator(t, 0);
    expect((await other.b.post(`/clips/${clip.id}/focus`, { x: '0.2', y: '0.2' })).statusCode).toBe(404);
    await b.post(`/clips/${clip.id}/regenerate`);
    const busy = await b.post(`/clips/${clip.id}/focus`, { x: '0.2', y: '0.2' });
    expect(busy.statusCode).toBe(409);
    expect(decoded(busy.body)).toContain('Move the crop once that take is ready');
    const row = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect([row.focus_x, row.image_key]).toEqual([0.5, clip.image_key]);
  });

  it('re-made drafts count against the hourly draft limit, refused before any work', async () => {
    const { b, clip } = await onePhoto();
    await saveSettings(t.ctx.db, { draftsPerHour: 1 });
    try {
      const res = await b.post(`/clips/${clip.id}/focus`, { x: '0.1', y: '0.5' });
      expect(res.statusCode).toBe(429);
      expect(decoded(res.body)).toContain('1 free draft an hour');
      const row = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
      expect(row.image_key).toBe(clip.image_key);
    } finally {
      await saveSettings(t.ctx.db, { draftsPerHour: 120 });
    }
  });

  it('Undo puts the crop back: the old image, focal point and take the film used; the new crop and its draft are thrown away; storage counted once', async () => {
    const { b, clip, user } = await onePhoto(2);
    const storage = async () => Number((await t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', user.id).executeTakeFirstOrThrow()).storage_bytes);
    const before = await storage();
    const takesBefore = await takesOf(t.ctx.db, clip.id);
    expect((await b.post(`/clips/${clip.id}/focus`, { x: '0', y: '0.5' }, { 'hx-request': 'true' })).statusCode).toBe(200);
    const moved = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    const newDraft = (await takesOf(t.ctx.db, clip.id)).find((k) => !takesBefore.some((o) => o.id === k.id))!;
    // The new draft finished and the film uses it (as the draft worker would do).
    const draftKey = `clips/${clip.user_id}/${clip.project_id}/${clip.id}.draft-${newDraft.id}.mp4`;
    await t.ctx.storage.put(draftKey, Buffer.from('draft-video'), 'video/mp4');
    await t.ctx.db.updateTable('takes').set({ status: 'ready', video_key: draftKey, video_bytes: 11 }).where('id', '=', newDraft.id).execute();
    await t.ctx.db.updateTable('clips').set({ take_id: newDraft.id }).where('id', '=', clip.id).execute();

    const res = await b.post(`/projects/${clip.project_id}/undo`, {}, { accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ undone: 'Crop moved', kind: 'focus', clipId: clip.id, left: 0 });
    const back = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(back).toMatchObject({ focus_x: 0.5, focus_y: 0.5, image_key: clip.image_key, thumb_key: clip.thumb_key, image_bytes: clip.image_bytes, take_id: clip.take_id });
    expect(await edges(back.image_key)).toEqual(['red', 'blue']);
    expect(await takesOf(t.ctx.db, clip.id)).toEqual(takesBefore);
    for (const key of [moved.image_key, moved.thumb_key!, draftKey]) expect(await t.ctx.storage.size(key).catch(() => null)).toBeNull();
    expect(await storage()).toBe(before);
    // The crop editor the card opens shows the centre crop again.
    expect(decoded((await b.get(`/clips/${clip.id}/focus`, { 'hx-request': 'true' })).body)).toMatch(/data-x="0.5" data-y="0.5"/);
  });

  it('Undo keeps an AI take chosen since the move, and waits (409, words) while one is being made from the new crop', async () => {
    const { b, clip } = await onePhoto(4);
    await b.post(`/clips/${clip.id}/focus`, { x: '1', y: '0.5' });
    await b.post(`/clips/${clip.id}/regenerate`);
    const busy = await b.post(`/projects/${clip.project_id}/undo`, {}, { accept: 'application/json' });
    expect(busy.statusCode).toBe(409);
    expect(busy.json().error).toBe('This clip is being animated with AI from its current crop. Undo once that take is ready.');
    expect((await t.ctx.db.selectFrom('clips').select('focus_x').where('id', '=', clip.id).executeTakeFirstOrThrow()).focus_x).toBe(1);
    // The AI take finishes and the film uses it: undoing the crop leaves that choice alone.
    const ai = (await takesOf(t.ctx.db, clip.id)).find((k) => k.kind === 'ai')!;
    await t.ctx.db.updateTable('takes').set({ status: 'ready', video_key: `clips/${clip.user_id}/${clip.project_id}/${clip.id}.ai.mp4`, finished_at: new Date() }).where('id', '=', ai.id).execute();
    await t.ctx.db.updateTable('clips').set({ status: 'ready', take_id: ai.id }).where('id', '=', clip.id).execute();
    const res = await b.post(`/projects/${clip.project_id}/undo`, {}, { accept: 'application/json' });
    expect(res.statusCode).toBe(200);
    const back = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect(back).toMatchObject({ focus_x: 0.5, image_key: clip.image_key, take_id: ai.id });
  });
});
