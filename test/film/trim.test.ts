import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { attachMusic, insertClip } from '../factories/media.js';
import type { ClipWithTake } from '../../src/clips/queries.js';
import { loadFilm } from '../../src/film/service.js';

let t: TestApp;
let owner: TestBrowser;
let stranger: TestBrowser;
let projectId: string;
let clips: ClipWithTake[];
let waiting: ClipWithTake;

const htmx = { 'hx-request': 'true' };

/** Each block of the timeline: its clip and where it starts and ends in the film (data-start-s, data-out-s). */
const blocksOf = (html: string) =>
  [...html.matchAll(/<li class="tl-block[^"]*" data-clip-id="([^"]+)" data-start-s="([^"]+)" data-out-s="([^"]+)"/g)].map((m) => ({ id: m[1]!, startS: Number(m[2]), endS: Number(m[3]) }));

async function trims() {
  const rows = await t.ctx.db.selectFrom('clips').select(['id', 'trim_in_s', 'trim_out_s', 'updated_at']).where('project_id', '=', projectId).orderBy('position').execute();
  return rows;
}
async function project() {
  return t.ctx.db.selectFrom('projects').selectAll().where('id', '=', projectId).executeTakeFirstOrThrow();
}

beforeAll(async () => {
  t = await createTestApp();
  const user = await createUser(t.ctx.db, { email: 'trim-owner@example.com' });
  await createUser(t.ctx.db, { email: 'trim-stranger@example.com' });
  projectId = (await createProject(t.ctx.db, user.id, { title: 'Trims' })).id;
  const w = t.ctx;
  clips = [
    await insertClip(w, { userId: user.id, projectId, position: 0, durationS: 5 }),
    await insertClip(w, { userId: user.id, projectId, position: 1, durationS: 2 }),
    await insertClip(w, { userId: user.id, projectId, position: 2, durationS: 2 }),
  ];
  waiting = await insertClip(w, { userId: user.id, projectId, position: 3, status: 'generating' });
  const musicKey = await attachMusic(w, user.id, projectId, { durationS: 12 });
  // An analysed track with beats at 1, 4, 7 and 10 s: the first clip's natural cut (4.85 s) lands on 4.
  await t.ctx.db
    .insertInto('music_analyses')
    .values({ project_id: projectId, music_key: musicKey, status: 'ready', tempo_bpm: 20, beats: JSON.stringify([1, 4, 7, 10]), downbeats: JSON.stringify([1, 7]), waveform: JSON.stringify(Array.from({ length: 120 }, (_, i) => (i % 10) / 10)), duration_s: 12 })
    .execute();
  owner = new TestBrowser(t.app);
  await owner.signInDev('trim-owner@example.com');
  stranger = new TestBrowser(t.app);
  await stranger.signInDev('trim-stranger@example.com');
});
afterAll(async () => {
  await t?.close();
});

describe('the timeline on the project page', () => {
  it('shows one block per clip in film order, at the film plan’s start and end, with the waveform and the film’s length', async () => {
    const res = await owner.get(`/projects/${projectId}`);
    expect(res.statusCode).toBe(200);
    expect(res.body.match(/data-timeline\b/g)).toHaveLength(1);
    const film = await loadFilm(t.ctx, await project());
    const blocks = blocksOf(res.body);
    expect(blocks.map((b) => b.id)).toEqual(clips.map((c) => c.id));
    expect(blocks).toEqual(film.plan.segments.map((s) => ({ id: s.clipId, startS: s.startS, endS: s.endS })));
    // The first clip's cut lands on the beat at 4 s: shown 4.15 s of 5.
    expect(film.plan.segments[0]).toMatchObject({ outS: 4.15, cutS: 4 });
    expect(res.body).toContain('class="tl-wave"');
    expect(res.body).toContain('0.85 s cut to land on the beat');
    expect(res.body).toContain(`data-film-total>${film.plan.totalS.toFixed(2)} s`);
    expect(res.body).not.toContain(waiting.id + '" data-start-s');
  });

  it('serves the timeline as a fragment for htmx, and sends others to the page', async () => {
    const frag = await owner.get(`/projects/${projectId}/timeline`, htmx);
    expect(frag.statusCode).toBe(200);
    expect(frag.body).toContain('id="timeline"');
    expect(frag.body).not.toContain('<html');
    const plain = await owner.get(`/projects/${projectId}/timeline`);
    expect(plain.statusCode).toBe(303);
    expect((await stranger.get(`/projects/${projectId}/timeline`, htmx)).statusCode).toBe(404);
  });
});

describe('POST /clips/:id/trim', () => {
  it('trims the clip: the timeline, the players and the export all follow the one plan', async () => {
    const res = await owner.post(`/clips/${clips[1]!.id}/trim`, { in_s: '0.5', out_s: '1.75' }, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.headers['x-undo-label']).toBe('Clip%20trimmed');
    // Undo puts the trim back as it was.
    const undone = await owner.post(`/projects/${projectId}/undo`, {}, htmx);
    expect(undone.statusCode).toBeLessThan(400);
    expect((await trims())[1]).toMatchObject({ trim_in_s: 0, trim_out_s: null });
    await owner.post(`/clips/${clips[1]!.id}/trim`, { in_s: '0.5', out_s: '1.75' }, htmx);
    const row = (await trims())[1]!;
    expect(row).toMatchObject({ trim_in_s: 0.5, trim_out_s: 1.75 });
    const film = await loadFilm(t.ctx, await project());
    const seg = film.plan.segments[1]!;
    expect(seg).toMatchObject({ inS: 0.5, trimInS: 0.5, trimOutS: 1.75 });
    expect(seg.outS).toBeLessThanOrEqual(1.25);
    expect(blocksOf(res.body)[1]).toEqual({ id: seg.clipId, startS: seg.startS, endS: seg.endS });
    // The player's playlist carries the in point and the same out.
    const play = await owner.get(`/projects/${projectId}/play`);
    const json = JSON.parse(/<script type="application\/json" id="playlist">([\s\S]*?)<\/script>/.exec(play.body)![1]!);
    expect(json.clips[1]).toMatchObject({ id: seg.clipId, startS: seg.startS, inS: 0.5, outS: seg.outS });
  });

  it('stores a trim to the end of the take as "to the end", and a plain form is sent back to the page', async () => {
    const res = await owner.post(`/clips/${clips[1]!.id}/trim`, { in_s: '0', out_s: '2' });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${projectId}#timeline`);
    expect((await trims())[1]).toMatchObject({ trim_in_s: 0, trim_out_s: null });
  });

  it.each([
    [{ in_s: '-0.5', out_s: '1' }, 422, 'before the start of the take'],
    [{ in_s: '0', out_s: '2.5' }, 422, 'after the end of the take (2.00 s)'],
    [{ in_s: '1.5', out_s: '1' }, 422, 'in point must come before the out point'],
    [{ in_s: '1', out_s: '1' }, 422, 'in point must come before the out point'],
    [{ in_s: '1', out_s: '1.2' }, 422, 'Keep at least 0.5 s'],
    [{ in_s: 'soon', out_s: '1' }, 400, 'Give the in point in seconds'],
    [{ in_s: '0' }, 400, 'Give the out point in seconds'],
  ])('refuses %o with %i and words, changing nothing', async (form, status, words) => {
    const before = await trims();
    const res = await owner.post(`/clips/${clips[2]!.id}/trim`, form, htmx);
    expect(res.statusCode).toBe(status);
    expect(res.body).toContain(words);
    expect(await trims()).toEqual(before);
  });

  it('answers 404 for another person’s clip and 409 for a clip with no video yet, changing nothing', async () => {
    const before = await trims();
    const theirs = await stranger.post(`/clips/${clips[0]!.id}/trim`, { in_s: '0', out_s: '1' }, htmx);
    expect(theirs.statusCode).toBe(404);
    const none = await owner.post(`/clips/${waiting.id}/trim`, { in_s: '0', out_s: '1' }, htmx);
    expect(none.statusCode).toBe(409);
    expect(none.body).toContain('no video yet');
    expect(await trims()).toEqual(before);
  });

  it('offers to extend a clip the beat cut would mostly drop to the next beat, with footage the take still has', async () => {
    // Trimmed to 3.5 s, the first clip's cut would fall back to the beat at 1 s: most of it lost.
    await owner.post(`/clips/${clips[0]!.id}/trim`, { in_s: '0', out_s: '3.5' }, htmx);
    let film = await loadFilm(t.ctx, await project());
    expect(film.plan.segments[0]).toMatchObject({ outS: 1.15, cutS: 1 });
    const page = await owner.get(`/projects/${projectId}/timeline`, htmx);
    expect(page.body).toContain('2.35 s cut to land on the beat');
    expect(page.body).toContain('Extend to the next beat');
    const m = /name="in_s" value="([^"]+)">\s*<input type="hidden" name="out_s" value="([^"]+)">\s*<button[^>]*data-extend/.exec(page.body)!;
    expect([Number(m[1]), Number(m[2])]).toEqual([0, 4.15]);
    await owner.post(`/clips/${clips[0]!.id}/trim`, { in_s: m[1]!, out_s: m[2]! }, htmx);
    film = await loadFilm(t.ctx, await project());
    expect(film.plan.segments[0]).toMatchObject({ outS: 4.15, cutS: 4 });
  });

  it('says so when the take is too short to reach the next beat', async () => {
    await t.ctx.db.updateTable('music_analyses').set({ beats: JSON.stringify([1, 5.5, 10]) }).where('project_id', '=', projectId).execute();
    await owner.post(`/clips/${clips[0]!.id}/trim`, { in_s: '0', out_s: '5' }, htmx);
    const page = await owner.get(`/projects/${projectId}/timeline`, htmx);
    expect(page.body).toContain('The take is too short to reach the next beat.');
    expect(page.body).not.toContain('Extend to the next beat');
  });
});
