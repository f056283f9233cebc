import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buffer } from 'node:stream/consumers';
import sharp from 'sharp';
import { suggestShape } from '../../src/shape/suggest.js';
import { countUndoable } from '../../src/undo/queries.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { createUser } from '../factories.js';
import { balanceOf } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { TestBrowser } from '../setup/browser.js';
import { decoded } from '../setup/html.js';
import { photo, postPhotos } from '../photos/fixtures.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp();
});
afterAll(async () => {
  await t?.close();
});

const clipsOf = (projectId: string) => t.ctx.db.selectFrom('clips').selectAll().where('project_id', '=', projectId).orderBy('position').execute();
const draftsOf = (clipId: string) => t.ctx.db.selectFrom('takes').select(['id', 'status']).where('clip_id', '=', clipId).where('kind', '=', 'draft').execute();
const offerOn = (html: string) => /data-shape-offer="([^"]+)"/.exec(html)?.[1] ?? null;
const sizeOf = async (key: string) => {
  const meta = await sharp(await buffer(await t.ctx.storage.get(key))).metadata();
  return `${meta.width}x${meta.height}`;
};

describe('suggestShape', () => {
  const p = (w: number, h: number) => ({ width: w, height: h });
  it('offers the shape most of the photos share, and nothing when the project has it or no shape has a majority', () => {
    expect(suggestShape('1280:720', [p(900, 1600), p(900, 1600), p(1600, 900)])?.ratio.value).toBe('720:1280');
    expect(suggestShape('1280:720', [p(1000, 1000), p(1050, 1000), p(1600, 900)])).toMatchObject({ ratio: { value: '960:960' }, orientation: 'square', count: 2, of: 3 });
    expect(suggestShape('720:1280', [p(4000, 3000), p(3000, 2000)])?.ratio.value).toBe('1280:720');
    expect(suggestShape('1280:720', [p(1600, 900), p(4000, 3000)])).toBeNull(); // landscape already
    expect(suggestShape('832:1104', [p(900, 1600)])).toBeNull(); // a 3:4 project is portrait already
    expect(suggestShape('1280:720', [p(900, 1600), p(1000, 1000)])).toBeNull(); // one each: no majority
    expect(suggestShape('1280:720', [])).toBeNull();
  });
});

describe('POST /projects/:id/shape', () => {
  it('offers 9:16 when the first photos are mostly portrait; one click re-crops every photo with a new free draft, nothing charged', async () => {
    const { user, project, b } = await creator(t, 2);
    expect(offerOn((await b.get(`/projects/${project.id}`)).body)).toBeNull();
    const res = await postPhotos(b, project.id, [
      { name: 'a.jpg', value: await photo(360, 640) },
      { name: 'b.jpg', value: await photo(360, 640) },
      { name: 'c.jpg', value: await photo(640, 360) },
    ], { htmx: true });
    expect(res.statusCode).toBe(200);
    // The upload's answer carries the offer (out of band), and so does the page.
    expect(offerOn(res.body)).toBe('720:1280');
    expect(res.body).toContain('hx-swap-oob="true"');
    const page = decoded((await b.get(`/projects/${project.id}`)).body);
    expect(offerOn(page)).toBe('720:1280');
    expect(page).toContain('Make this a portrait film?');
    expect(page).toContain('2 of your 3 photos are portrait, and the film is Landscape 16:9');
    expect(page).toMatch(/Make it Portrait 9:16<\/button>/);
    expect(page).toMatch(/Keep Landscape 16:9<\/button>/);

    // An edit before the change (the third photo's crop moved) can no longer be undone after it:
    // its undo would put back a crop of the old shape.
    const third = (await clipsOf(project.id))[2]!;
    expect((await b.post(`/clips/${third.id}/focus`, { x: '0.3', y: '0.5' })).statusCode).toBe(303);
    expect(await countUndoable(t.ctx.db, project.id)).toBe(1);
    const before = await clipsOf(project.id);
    expect(before.map((c) => [c.source_width, c.source_height])).toEqual([[360, 640], [360, 640], [640, 360]]);
    expect(await sizeOf(before[0]!.image_key)).toBe('1280x720');
    const draftsBefore = await Promise.all(before.map((c) => draftsOf(c.id)));
    const accepted = await b.post(`/projects/${project.id}/shape`, { ratio: '720:1280' });
    expect(accepted.statusCode).toBe(303);
    expect(accepted.headers.location).toBe(`/projects/${project.id}`);

    const row = await t.ctx.db.selectFrom('projects').select(['ratio', 'shape_settled']).where('id', '=', project.id).executeTakeFirstOrThrow();
    expect(row).toEqual({ ratio: '720:1280', shape_settled: true });
    const after = await clipsOf(project.id);
    for (const [i, c] of after.entries()) {
      expect(c.ratio).toBe('720:1280');
      expect(c.image_key).not.toBe(before[i]!.image_key);
      expect(await sizeOf(c.image_key)).toBe('720x1280');
      expect(await t.ctx.storage.size(before[i]!.image_key)).toBeNull(); // the old crop is gone
      expect(await t.ctx.storage.size(c.source_key!)).toBeGreaterThan(0); // the photo itself stays
      // Its draft still waits in the queue (no worker here): it reads the new frame when it starts, so no other one.
      expect(await draftsOf(c.id)).toHaveLength(draftsBefore[i]!.length);
      expect((await draftsOf(c.id)).some((d) => d.status === 'queued')).toBe(true);
    }
    expect(await balanceOf(t.ctx.db, user.id)).toBe(2);
    expect(await countUndoable(t.ctx.db, project.id)).toBe(0);
    const shown = decoded((await b.get(`/projects/${project.id}`)).body);
    expect(offerOn(shown)).toBeNull();
    expect(shown).toContain('The film is now Portrait 9:16. All 3 photos were cropped again');
  }, 90_000);

  it('a draft already rendering gets a new one from the new frame', async () => {
    const { project, b } = await creator(t, 0);
    await postPhotos(b, project.id, [{ name: 'sq.jpg', value: await photo(500, 500) }], { htmx: true });
    const [clip] = await clipsOf(project.id);
    await t.ctx.db.updateTable('takes').set({ status: 'generating' }).where('clip_id', '=', clip!.id).execute();
    expect(offerOn((await b.get(`/projects/${project.id}`)).body)).toBe('960:960');
    expect((await b.post(`/projects/${project.id}/shape`, { ratio: '960:960' })).statusCode).toBe(303);
    expect((await draftsOf(clip!.id)).map((d) => d.status).sort()).toEqual(['generating', 'queued']);
    expect(decoded((await b.get(`/projects/${project.id}`)).body)).toContain('Its photo was cropped again; the new free draft is on its way.');
  }, 90_000);

  it('keeping the shape settles the offer for good and changes nothing', async () => {
    const { project, b } = await creator(t, 0);
    await postPhotos(b, project.id, [{ name: 'p.jpg', value: await photo(360, 640) }], { htmx: true });
    const before = await clipsOf(project.id);
    expect(offerOn((await b.get(`/projects/${project.id}`)).body)).toBe('720:1280');
    expect((await b.post(`/projects/${project.id}/shape`, { ratio: '1280:720' })).statusCode).toBe(303);
    expect(await clipsOf(project.id)).toEqual(before);
    const page = decoded((await b.get(`/projects/${project.id}`)).body);
    expect(offerOn(page)).toBeNull();
    expect(page).toContain('The film stays Landscape 16:9.');
    // More portrait photos later: asked once, not again.
    const more = await postPhotos(b, project.id, [{ name: 'q.jpg', value: await photo(360, 640) }], { htmx: true });
    expect(offerOn(more.body)).toBeNull();
  }, 90_000);

  it('makes no offer once a clip is animated with AI, and refuses to change the shape then; bad input is a 400, another person\'s project a 404', async () => {
    const { project, b } = await creator(t, 0);
    await postPhotos(b, project.id, [{ name: 'p.jpg', value: await photo(360, 640) }, { name: 'q.jpg', value: await photo(360, 640) }], { htmx: true });
    const [first] = await clipsOf(project.id);
    await t.ctx.db.updateTable('clips').set({ status: 'ready', attempt: 1 }).where('id', '=', first!.id).execute();
    expect(offerOn((await b.get(`/projects/${project.id}`)).body)).toBeNull();
    const refused = await b.post(`/projects/${project.id}/shape`, { ratio: '720:1280' });
    expect(refused.statusCode).toBe(409);
    expect(decoded(refused.body)).toContain('already animated with AI');
    expect((await t.ctx.db.selectFrom('projects').select('ratio').where('id', '=', project.id).executeTakeFirstOrThrow()).ratio).toBe('1280:720');

    const bad = await b.post(`/projects/${project.id}/shape`, { ratio: '4:3' });
    expect(bad.statusCode).toBe(400);
    expect(decoded(bad.body)).toContain('Choose one of the offered shapes.');

    const other = new TestBrowser(t.app);
    await other.signInDev((await createUser(t.ctx.db)).email);
    expect((await other.post(`/projects/${project.id}/shape`, { ratio: '720:1280' })).statusCode).toBe(404);
  }, 90_000);
});
