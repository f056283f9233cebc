import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { attachMusic, insertClip, insertReadyClips } from '../factories/media.js';
import { createWatchableClip } from '../factories/projects.js';
import { saveSettings } from '../../src/settings/service.js';
import { shareProject } from '../../src/sharing/service.js';
import { SHARED_MEDIA_TTL_S } from '../../src/sharing/routes.js';
import type { User } from '../../src/platform/db-types.js';

let t: TestApp;

beforeAll(async () => {
  t = await createTestApp({ PUBLIC_URL: 'http://127.0.0.1:3000' });
});
afterAll(async () => {
  await t?.close();
});

const clipIds = (html: string) => [...html.matchAll(/data-clip-id="([^"]+)"/g)].map((m) => m[1]);
const meta = (html: string, prop: string) => new RegExp(`<meta (?:property|name)="${prop}" content="([^"]*)"`).exec(html)?.[1];
const tokenOf = async (projectId: string) =>
  (await t.ctx.db.selectFrom('projects').select(['share_token', 'shared_at']).where('id', '=', projectId).executeTakeFirstOrThrow());
const balanceOf = async (userId: string) =>
  (await t.ctx.db.selectFrom('users').select('credit_balance').where('id', '=', userId).executeTakeFirstOrThrow()).credit_balance;
const shareRows = async (userId: string) =>
  t.ctx.db.selectFrom('credit_transactions').selectAll().where('user_id', '=', userId).where('type', '=', 'share').execute();

/** A project with an approved, ready clip: one that can be shared (and earn the reward). */
async function watchableProject(userId: string, values: { title?: string } = {}) {
  const project = await createProject(t.ctx.db, userId, values);
  await createWatchableClip(t.ctx.db, { userId, projectId: project.id });
  return project;
}

async function signedIn(email: string): Promise<{ user: User; b: TestBrowser }> {
  const b = new TestBrowser(t.app);
  await b.signInDev(email);
  await b.get('/');
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  return { user: user as User, b };
}

describe('sharing a project', () => {
  let owner: User;
  let b: TestBrowser;
  let projectId: string;
  let clipOrder: string[];

  beforeAll(async () => {
    ({ user: owner, b } = await signedIn('sharer@example.com'));
    const project = await createProject(t.ctx.db, owner.id, { title: 'Tokyo <nights> & "rain"' });
    projectId = project.id;
    const clips = await insertReadyClips(t.ctx, owner.id, projectId, 2);
    await insertClip(t.ctx, { userId: owner.id, projectId, position: 5, approved: false });
    clipOrder = clips.map((c) => c.id);
    await attachMusic(t.ctx, owner.id, projectId, { durationS: 6 });
  });

  it('creates an unguessable token, earns the reward, and shows the public link with a copy button', async () => {
    const before = await balanceOf(owner.id);
    const res = await b.post(`/projects/${projectId}/share`);
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${projectId}/share`);
    const row = await tokenOf(projectId);
    expect(row.share_token).toMatch(/^[A-Za-z0-9_-]{22,}$/);
    expect(Buffer.from(row.share_token!, 'base64url').length).toBeGreaterThanOrEqual(16);
    expect(row.shared_at).toBeInstanceOf(Date);
    expect(await balanceOf(owner.id)).toBe(before + 1);
    expect(await shareRows(owner.id)).toMatchObject([{ amount: 1, reference_id: projectId }]);

    const page = await b.get(res.headers.location as string);
    expect(page.statusCode).toBe(200);
    expect(page.body).toContain(`value="http://127.0.0.1:3000/s/${row.share_token}"`);
    expect(page.body).toContain('data-copy="#share-url"');
    expect(page.body).toContain('You earned 1 credit for sharing');
    await expectLedgerBalanced(t.ctx.db);
  });

  it('plays the film to anyone signed out, with title, Open Graph tags and no owner controls or prompts', async () => {
    const { share_token: token } = await tokenOf(projectId);
    const res = await t.app.inject({ url: `/s/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('<title>Tokyo &lt;nights&gt; &amp; &quot;rain&quot;</title>');
    expect(meta(res.body, 'og:title')).toBe('Tokyo &lt;nights&gt; &amp; &quot;rain&quot;');
    expect(meta(res.body, 'og:type')).toBe('video.other');
    expect(meta(res.body, 'og:url')).toBe(`http://127.0.0.1:3000/s/${token}`);
    const image = meta(res.body, 'og:image')!;
    expect(image).toBe(`http://127.0.0.1:3000/s/${token}/poster`); // through the share token: unsharing ends it
    const img = await t.app.inject({ url: image.replace('http://127.0.0.1:3000', '') });
    expect(img.statusCode).toBe(200);
    expect(img.headers['content-type']).toBe('image/jpeg');

    expect(clipIds(res.body)).toEqual(clipOrder);
    expect(res.body).not.toContain('secret prompt');
    expect(res.body).not.toMatch(/\/(complete|reopen|unshare|share)"/);
    expect(res.body).not.toContain('Stop sharing');
    expect(res.body).toContain('Made with Echoes');
    expect(res.body).toMatch(/<a class="film-made" href="\/"/);
    expect(res.body).toMatch(/src="\/media\/clips\/[^"]+\?exp=\d+&amp;sig=/);
    expect(res.headers['cache-control']).toBe('no-store');
  });

  it('sharing again keeps the link and does not reward twice', async () => {
    const { share_token: token } = await tokenOf(projectId);
    const before = await balanceOf(owner.id);
    expect((await b.post(`/projects/${projectId}/share`)).statusCode).toBe(303);
    expect((await tokenOf(projectId)).share_token).toBe(token);
    expect(await balanceOf(owner.id)).toBe(before);
  });

  it('unshare kills the link at once; re-sharing makes a new link and never rewards again', async () => {
    const { share_token: old } = await tokenOf(projectId);
    const before = await balanceOf(owner.id);
    const res = await b.post(`/projects/${projectId}/unshare`);
    expect(res.statusCode).toBe(303);
    expect(await tokenOf(projectId)).toMatchObject({ share_token: null, shared_at: null });
    expect((await t.app.inject({ url: `/s/${old}` })).statusCode).toBe(404);

    const htmx = await b.post(`/projects/${projectId}/share`, {}, { 'hx-request': 'true' });
    expect(htmx.statusCode).toBe(200);
    expect(htmx.body).toContain('id="share-panel"');
    expect(htmx.body).not.toContain('data-credit-balance-update');
    const { share_token: fresh } = await tokenOf(projectId);
    expect(fresh).not.toBe(old);
    expect((await t.app.inject({ url: `/s/${fresh}` })).statusCode).toBe(200);
    expect((await t.app.inject({ url: `/s/${old}` })).statusCode).toBe(404);
    expect(await balanceOf(owner.id)).toBe(before);
    expect(await shareRows(owner.id)).toHaveLength(1);
  });

  it('answers 404 for unknown and malformed tokens, and for other people sharing or unsharing', async () => {
    expect((await t.app.inject({ url: '/s/AAAAAAAAAAAAAAAAAAAAAAAA' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/s/x' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: "/s/'%20or%201=1--" })).statusCode).toBe(404);
    const { b: stranger } = await signedIn('stranger@example.com');
    expect((await stranger.post(`/projects/${projectId}/unshare`)).statusCode).toBe(404);
    expect((await stranger.post(`/projects/${projectId}/share`)).statusCode).toBe(404);
    expect((await stranger.get(`/projects/${projectId}/share`)).statusCode).toBe(404);
    expect((await stranger.post('/projects/bad-id/share')).statusCode).toBe(404);
    expect((await tokenOf(projectId)).share_token).not.toBeNull();
  });

  it('a shared project whose clips were all unapproved since still opens, with a friendly message', async () => {
    const bare = await createProject(t.ctx.db, owner.id, { title: 'Soon' });
    const clip = await createWatchableClip(t.ctx.db, { userId: owner.id, projectId: bare.id });
    const { token } = await shareProject(t.ctx.db, owner.id, bare.id);
    await t.ctx.db.updateTable('clips').set({ approved: false }).where('id', '=', clip.id).execute();
    const res = await t.app.inject({ url: `/s/${token}` });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('no clips to show yet');
    expect(meta(res.body, 'og:type')).toBe('video.other');
    expect(meta(res.body, 'og:image')).toBeUndefined();
  });
});

describe('share rewards', () => {
  it('rewards at most maxRewardedShares projects per user', async () => {
    const { user, b } = await signedIn('capped@example.com');
    const start = await balanceOf(user.id);
    const projects = [];
    for (let i = 0; i < 5; i++) projects.push(await watchableProject(user.id, { title: `Film ${i}` }));
    for (const p of projects) expect((await b.post(`/projects/${p.id}/share`)).statusCode).toBe(303);
    expect(await balanceOf(user.id)).toBe(start + 3);
    expect(await shareRows(user.id)).toHaveLength(3);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('concurrent shares of one project reward once; of many projects, exactly up to the cap', async () => {
    const user = await createUser(t.ctx.db);
    const one = await watchableProject(user.id);
    const results = await Promise.all(Array.from({ length: 6 }, () => shareProject(t.ctx.db, user.id, one.id)));
    expect(new Set(results.map((r) => r.token)).size).toBe(1);
    expect(results.reduce((n, r) => n + r.earned, 0)).toBe(1);

    const many = await Promise.all(Array.from({ length: 5 }, (_, i) => watchableProject(user.id, { title: `Many ${i}` })));
    const earned = await Promise.all(many.map((p) => shareProject(t.ctx.db, user.id, p.id)));
    expect(earned.reduce((n, r) => n + r.earned, 0)).toBe(2);
    expect(await balanceOf(user.id)).toBe(3);
    expect(await shareRows(user.id)).toHaveLength(3);
    await expectLedgerBalanced(t.ctx.db);
  });

  it('follows the settings: reward amount, cap, and off', async () => {
    await saveSettings(t.ctx.db, { shareReward: 4, maxRewardedShares: 1 });
    try {
      const user = await createUser(t.ctx.db);
      const [a, b] = [await watchableProject(user.id), await watchableProject(user.id)];
      expect((await shareProject(t.ctx.db, user.id, a.id)).earned).toBe(4);
      expect((await shareProject(t.ctx.db, user.id, b.id)).earned).toBe(0);
      expect(await balanceOf(user.id)).toBe(4);

      await saveSettings(t.ctx.db, { shareReward: 0, maxRewardedShares: 3 });
      const c = await watchableProject(user.id);
      expect((await shareProject(t.ctx.db, user.id, c.id)).earned).toBe(0);
      expect(await balanceOf(user.id)).toBe(4);
    } finally {
      await saveSettings(t.ctx.db, { shareReward: 1, maxRewardedShares: 3 });
    }
    await expectLedgerBalanced(t.ctx.db);
  });

  it('the htmx share answer updates the header balance', async () => {
    const { user, b } = await signedIn('htmx-sharer@example.com');
    const p = await watchableProject(user.id);
    const res = await b.post(`/projects/${p.id}/share`, {}, { 'hx-request': 'true' });
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain(`data-credit-balance-update="${await balanceOf(user.id)}"`);
    expect(res.body).toContain('data-copy="#share-url"');
  });
});

describe('a shared film’s media', () => {
  const playlistOf = (html: string) => JSON.parse(/<script type="application\/json" id="playlist">([\s\S]*?)<\/script>/.exec(html)![1]!);
  const mediaUrls = (data: { clips: Array<{ url: string; thumbUrl: string | null }>; music: { url: string } | null }) =>
    [...data.clips.flatMap((c) => [c.url, c.thumbUrl]), data.music?.url].filter((u): u is string => Boolean(u));
  const expiresIn = (url: string) => Number(new URL(url, 'http://x').searchParams.get('exp')) - Date.now() / 1000;
  const status = async (url: string) => (await t.app.inject({ url })).statusCode;

  it('lasts minutes, is renewed only while shared, and the local-disk driver refuses it once unshared', async () => {
    const { user, b } = await signedIn('media-unshare@example.com');
    const project = await createProject(t.ctx.db, user.id);
    await insertReadyClips(t.ctx, user.id, project.id, 2);
    await attachMusic(t.ctx, user.id, project.id, { durationS: 6 });
    expect((await b.post(`/projects/${project.id}/share`)).statusCode).toBe(303);
    const { share_token: token } = await tokenOf(project.id);

    const data = playlistOf((await t.app.inject({ url: `/s/${token}` })).body);
    const urls = mediaUrls(data);
    expect(urls.length).toBe(5); // two clips and their thumbnails, the music
    for (const url of urls) {
      expect(expiresIn(url)).toBeGreaterThan(0);
      expect(expiresIn(url)).toBeLessThanOrEqual(SHARED_MEDIA_TTL_S + 1);
      expect(await status(url)).toBe(200);
    }
    expect(SHARED_MEDIA_TTL_S).toBeLessThanOrEqual(600);
    // Renewed while shared: the same film, freshly signed URLs that work.
    expect(data.renew).toEqual({ url: `/s/${token}/playlist`, everyS: expect.any(Number) });
    expect(data.renew.everyS).toBeLessThan(SHARED_MEDIA_TTL_S);
    const renewed = await t.app.inject({ url: data.renew.url });
    expect(renewed.statusCode).toBe(200);
    expect(renewed.headers['cache-control']).toBe('no-store');
    const fresh = renewed.json();
    expect(fresh.clips.map((c: { id: string }) => c.id)).toEqual(data.clips.map((c: { id: string }) => c.id));
    for (const url of mediaUrls(fresh)) expect(await status(url)).toBe(200);
    // A scoped URL cannot be passed off as an unscoped one.
    const unscoped = new URL(urls[0]!, 'http://x');
    unscoped.searchParams.delete('scope');
    expect(await status(unscoped.pathname + unscoped.search)).toBe(403);
    // The owner's own player is not the share's: its URLs are not scoped to the link.
    const own = playlistOf((await b.get(`/projects/${project.id}/play`)).body);
    expect(own.renew).toBeNull();

    expect((await b.post(`/projects/${project.id}/unshare`)).statusCode).toBe(303);
    for (const url of [...urls, ...mediaUrls(fresh)]) {
      const res = await t.app.inject({ url });
      expect(res.statusCode).toBe(403);
      expect(res.body).toBe('This film is no longer shared.');
    }
    expect((await t.app.inject({ url: data.renew.url })).statusCode).toBe(404);
    for (const url of mediaUrls(own)) expect(await status(url)).toBe(200);
  });
});
