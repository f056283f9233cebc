import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser } from '../factories.js';
import { attachMusic, insertClip } from '../factories/media.js';
import type { Clip, User } from '../../src/platform/db-types.js';

let t: TestApp;
let owner: User;
let browser: TestBrowser;
let projectId: string;
let expected: Clip[];
let hidden: Clip[];

const clipIds = (html: string) => [...html.matchAll(/data-clip-id="([^"]+)"/g)].map((m) => m[1]);
const playlistOf = (html: string) => {
  const m = /<script type="application\/json" id="playlist">([\s\S]*?)<\/script>/.exec(html);
  if (!m) throw new Error('no playlist JSON on the page');
  return JSON.parse(m[1]!) as {
    clips: Array<{ id: string; url: string; startS: number; outS: number }>;
    music: { url: string } | null;
    ratio: { value: string };
    crossfadeS: number;
    musicFadeOutS: number;
    totalS: number;
  };
};

beforeAll(async () => {
  t = await createTestApp();
  owner = await createUser(t.ctx.db, { email: 'player-owner@example.com' });
  browser = new TestBrowser(t.app);
  await browser.signInDev(owner.email);
  const project = await createProject(t.ctx.db, owner.id, { title: 'Summer reel' });
  projectId = project.id;
  const w = t.ctx;
  // Inserted out of order on purpose: the player follows positions, not insertion.
  const third = await insertClip(w, { userId: owner.id, projectId, position: 4 });
  const first = await insertClip(w, { userId: owner.id, projectId, position: 0 });
  const unapproved = await insertClip(w, { userId: owner.id, projectId, position: 1, approved: false });
  const errored = await insertClip(w, { userId: owner.id, projectId, position: 2, status: 'error', approved: true });
  const queued = await insertClip(w, { userId: owner.id, projectId, position: 5, status: 'generating', approved: true });
  const second = await insertClip(w, { userId: owner.id, projectId, position: 3 });
  // Approved, then sent for another attempt: its previous video stays in the film meanwhile.
  const regenerating = await insertClip(w, { userId: owner.id, projectId, position: 6 });
  await t.ctx.db.updateTable('clips').set({ status: 'generating', attempt: 2 }).where('id', '=', regenerating.id).execute();
  expected = [first, second, third, regenerating];
  hidden = [unapproved, errored, queued];
  await attachMusic(w, owner.id, projectId, { durationS: 8, name: 'Night drive.m4a' });
});
afterAll(async () => {
  await t?.close();
});

describe('GET /projects/:id/play', () => {
  it('lists the approved clips that have a video (one being regenerated keeps its old one) in position order, with signed URLs and no prompts', async () => {
    const res = await browser.get(`/projects/${projectId}/play`);
    expect(res.statusCode).toBe(200);
    expect(clipIds(res.body)).toEqual(expected.map((c) => c.id));
    for (const c of hidden) expect(res.body).not.toContain(c.id);
    expect(res.body).not.toContain('secret prompt');
    const playlist = playlistOf(res.body);
    expect(playlist.clips.map((c) => c.id)).toEqual(expected.map((c) => c.id));
    expect(playlist.ratio.value).toBe('1280:720');
    for (const c of playlist.clips) {
      expect(c.url).toMatch(/^\/media\/clips\/.+\.mp4\?exp=\d+&sig=/);
      expect(res.body).not.toContain(`"clips/${owner.id}`); // never a bare storage key
    }
    expect(playlist.music?.url).toMatch(/^\/media\/music\/.+\?exp=\d+&sig=/);
    // The timeline comes computed (src/film/): each clip's start and out point, the crossfade, the fades.
    expect(playlist.crossfadeS).toBe(0.3);
    expect(playlist.clips[0]!.startS).toBe(0);
    playlist.clips.slice(1).forEach((c, i) => {
      const before = playlist.clips[i]!;
      expect(c.startS).toBeCloseTo(before.startS + before.outS - playlist.crossfadeS, 6);
    });
    const last = playlist.clips.at(-1)!;
    expect(playlist.totalS).toBeCloseTo(last.startS + last.outS, 6);
    expect(playlist.musicFadeOutS).toBe(1.5);
    expect(res.body).toContain('Night drive.m4a');
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('serves the clips it lists, seekable (Range)', async () => {
    const res = await browser.get(`/projects/${projectId}/play`);
    const { clips, music } = playlistOf(res.body);
    const full = await t.app.inject({ url: clips[0]!.url });
    expect(full.statusCode).toBe(200);
    expect(full.headers['content-type']).toBe('video/mp4');
    const part = await t.app.inject({ url: clips[0]!.url, headers: { range: 'bytes=0-99' } });
    expect(part.statusCode).toBe(206);
    expect((await t.app.inject({ url: music!.url })).statusCode).toBe(200);
  });

  it('has no inline script or handler (CSP) and double-buffers two videos', async () => {
    const res = await browser.get(`/projects/${projectId}/play`);
    const scripts = [...res.body.matchAll(/<script\b([^>]*)>/g)].map((m) => m[1]!);
    for (const attrs of scripts) expect(attrs.includes('src=') || attrs.includes('type="application/json"')).toBe(true);
    expect(res.body).not.toMatch(/\son[a-z]+\s*=/i);
    expect(res.body).not.toMatch(/\sstyle="/);
    expect(res.body.match(/<video\b/g)).toHaveLength(2);
    expect(res.body).toContain('preload="auto"');
    expect(res.body).toContain('type="module" src="/assets/js/player/main.js"');
  });

  it('answers 404 for another user, a malformed id and an unknown id; signs out to the login page', async () => {
    const other = await createUser(t.ctx.db, { email: 'player-other@example.com' });
    const b = new TestBrowser(t.app);
    await b.signInDev(other.email);
    expect((await b.get(`/projects/${projectId}/play`)).statusCode).toBe(404);
    expect((await browser.get('/projects/not-a-uuid/play')).statusCode).toBe(404);
    expect((await browser.get('/projects/00000000-0000-4000-8000-000000000000/play')).statusCode).toBe(404);
    const anon = await t.app.inject({ url: `/projects/${projectId}/play` });
    expect(anon.statusCode).toBe(303);
    expect(anon.headers.location).toContain('/login?next=');
  });

  it('shows a helpful empty state when nothing is approved', async () => {
    const empty = await createProject(t.ctx.db, owner.id, { title: 'Nothing yet' });
    await insertClip(t.ctx, { userId: owner.id, projectId: empty.id, position: 0, approved: false });
    const res = await browser.get(`/projects/${empty.id}/play`);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('Nothing to play yet');
    expect(res.body).toContain(`href="/projects/${empty.id}"`);
    expect(clipIds(res.body)).toEqual([]);
    expect(res.body).not.toContain('id="playlist"');
  });
});

describe('completing a project', () => {
  it('marks completed and back in progress, for the owner only', async () => {
    const res = await browser.post(`/projects/${projectId}/complete`, { next: `/projects/${projectId}/play` });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${projectId}/play`);
    const row = () => t.ctx.db.selectFrom('projects').select('status').where('id', '=', projectId).executeTakeFirstOrThrow();
    expect((await row()).status).toBe('completed');
    const page = await browser.get(`/projects/${projectId}/play`);
    expect(page.body).toContain('data-project-status="completed"');
    expect(page.body).toContain(`action="/projects/${projectId}/reopen"`);

    const htmx = await browser.post(`/projects/${projectId}/reopen`, {}, { 'hx-request': 'true' });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('data-project-status="in_progress"');
    expect(htmx.body).not.toContain('<html');
    expect((await row()).status).toBe('in_progress');

    const other = new TestBrowser(t.app);
    await other.signInDev('player-stranger@example.com');
    await other.get('/'); // a page, for the CSRF token
    expect((await other.post(`/projects/${projectId}/complete`)).statusCode).toBe(404);
    expect((await other.post('/projects/nope/reopen')).statusCode).toBe(404);
    expect((await row()).status).toBe('in_progress');
  });

  it('refuses a completion without the CSRF token', async () => {
    const res = await t.app.inject({
      method: 'POST',
      url: `/projects/${projectId}/complete`,
      headers: { cookie: browser.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
      payload: '',
    });
    expect(res.statusCode).toBe(403);
  });
});
