import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createProject, createUser } from '../factories.js';
import { insertReadyClips } from '../factories/media.js';
import { shareProject, unshareProject } from '../../src/sharing/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';

// Issue 31 item 3: a shared link plays inline where platforms allow: og:video (the latest
// export, through the token) and the Twitter player card (an embeddable player page).

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ PUBLIC_URL: 'https://echoes.example' });
});
afterAll(async () => {
  await t?.close();
});

const meta = (html: string, prop: string) => new RegExp(`<meta (?:property|name)="${prop}" content="([^"]*)"`).exec(html)?.[1];

async function sharedFilm() {
  const user = await createUser(t.ctx.db);
  const project = await createProject(t.ctx.db, user.id, { title: 'Inline' });
  await insertReadyClips(t.ctx, user.id, project.id, 2);
  const { token } = await shareProject(t.ctx.db, user.id, project.id);
  return { user, project, token };
}

describe('link preview video', () => {
  it('offers the Twitter player always, og:video once the film has been exported', async () => {
    const { user, project, token } = await sharedFilm();
    let html = (await t.app.inject(`/s/${token}`)).body;
    expect(meta(html, 'twitter:card')).toBe('player');
    expect(meta(html, 'twitter:player')).toBe(`https://echoes.example/s/${token}/embed`);
    expect(meta(html, 'twitter:player:width')).toBe('1280');
    expect(meta(html, 'twitter:player:height')).toBe('720');
    expect(meta(html, 'twitter:image')).toBe(`https://echoes.example/s/${token}/poster`);
    expect(meta(html, 'og:video')).toBeUndefined();
    expect((await t.app.inject(`/s/${token}/film.mp4`)).statusCode).toBe(404);

    const key = `exports/${user.id}/${project.id}/film.mp4`;
    await t.ctx.storage.put(key, Buffer.alloc(2048, 1), 'video/mp4');
    await t.ctx.db.insertInto('exports').values({ project_id: project.id, user_id: user.id, status: 'ready', progress: 1, object_key: key, size_bytes: 2048, duration_s: 4 }).execute();
    html = (await t.app.inject(`/s/${token}`)).body;
    expect(meta(html, 'og:video')).toBe(`https://echoes.example/s/${token}/film.mp4`);
    expect(meta(html, 'og:video:secure_url')).toBe(`https://echoes.example/s/${token}/film.mp4`);
    expect(meta(html, 'og:video:type')).toBe('video/mp4');
    expect(meta(html, 'twitter:player:stream')).toBe(`https://echoes.example/s/${token}/film.mp4`);
    const film = await t.app.inject(`/s/${token}/film.mp4`);
    expect(film.statusCode).toBe(302);
    expect(film.headers.location).toContain('film.mp4');
    expect(film.headers['cache-control']).toBe('no-store');

    // Unshared: the page, the player and the file are gone at once.
    await unshareProject(t.ctx.db, user.id, project.id);
    for (const path of ['', '/embed', '/film.mp4']) expect((await t.app.inject(`/s/${token}${path}`)).statusCode, path).toBe(404);
  });

  it('lets other sites frame the embed player only, never the share page or anything else', async () => {
    const { token } = await sharedFilm();
    const embed = await t.app.inject(`/s/${token}/embed`);
    expect(embed.statusCode).toBe(200);
    expect(embed.headers['content-security-policy']).toContain('frame-ancestors https:');
    expect(embed.headers['x-frame-options']).toBeUndefined();
    expect(embed.body).toContain('data-player');
    expect(embed.body).not.toContain('film-cta');
    const page = await t.app.inject(`/s/${token}`);
    expect(page.headers['content-security-policy']).toContain("frame-ancestors 'none'");
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    // The headers are worked out once for every request: the embed's change must not leak.
    const landing = await t.app.inject('/');
    expect(landing.headers['content-security-policy']).toContain("frame-ancestors 'none'");
  });

  it('plays nothing before play: preload none, a poster, picture-in-picture and casting allowed', async () => {
    const { token } = await sharedFilm();
    const html = (await t.app.inject(`/s/${token}`)).body;
    const videos = html.match(/<video [^>]*>/g)!;
    expect(videos).toHaveLength(2);
    for (const v of videos) {
      expect(v).toContain('preload="none"');
      expect(v).not.toContain('disablepictureinpicture');
      expect(v).not.toContain('disableremoteplayback');
    }
    expect(videos[0]).toContain(`poster="/s/${token}/poster"`);
  });
});
