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

  it('moving the focal point re-crops the stored image, makes a new free draft and deletes the old crop', async () => {
    const { b, clip, user } = await onePhoto();
    const res = await b.post(`/clips/${clip.id}/focus`, { x: '0', y: '0.5' }, { 'hx-request': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`data-clip-id="${clip.id}"`);
    const moved = await t.ctx.db.selectFrom('clips').selectAll().where('id', '=', clip.id).executeTakeFirstOrThrow();
    expect([moved.focus_x, moved.focus_y]).toEqual([0, 0.5]);
    expect(moved.image_key).not.toBe(clip.image_key);
    expect(moved.source_key).toBe(clip.source_key);
    expect(await edges(moved.image_key)).toEqual(['red', 'green']);
    expect(await t.ctx.storage.size(clip.image_key).catch(() => null)).toBeNull();
    expect(await t.ctx.storage.size(clip.thumb_key!).catch(() => null)).toBeNull();
    const drafts = (await takesOf(t.ctx.db, clip.id)).filter((k) => k.kind === 'draft');
    expect(drafts).toHaveLength(2);
    expect((await t.ctx.db.selectFrom('users').select('storage_bytes').where('id', '=', user.id).executeTakeFirstOrThrow()).storage_bytes).toBe(moved.image_bytes);

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
});
