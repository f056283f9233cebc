import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import sharp from 'sharp';
import { createProject, createUser } from '../factories.js';
import { insertReadyClips } from '../factories/media.js';
import { shareProject, unshareProject } from '../../src/sharing/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';

// Issue 16, item 9 (second half): a shared film's og:image was a media link signed for 7 days,
// still valid after the project was unshared. It is now served through the share token.

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ PUBLIC_URL: 'https://echoes.example' });
});
afterAll(async () => {
  await t?.close();
});

const ogImage = (html: string) => /<meta property="og:image" content="([^"]*)"/.exec(html)?.[1];

describe('og:image of a shared film', () => {
  it('shows the first clip’s still while shared, and answers 404 once unshared', async () => {
    const user = await createUser(t.ctx.db);
    const project = await createProject(t.ctx.db, user.id, { title: 'Poster' });
    const [first] = await insertReadyClips(t.ctx, user.id, project.id, 2);
    const { token } = await shareProject(t.ctx.db, user.id, project.id);

    const page = await t.app.inject({ url: `/s/${token}` });
    const image = ogImage(page.body)!;
    expect(image).toBe(`https://echoes.example/s/${token}/poster`);
    expect(page.body).toContain(`<meta name="twitter:image" content="${image}">`);
    expect(page.body).not.toMatch(/og:image" content="[^"]*\/media\//);

    const path = new URL(image).pathname;
    const shared = await t.app.inject({ url: path });
    expect(shared.statusCode).toBe(200);
    expect(shared.headers['content-type']).toBe('image/jpeg');
    expect(shared.headers['cache-control']).toBe('no-store');
    // The still in the film's frame (16:9 here), small enough for a phone (issue 31 item 3).
    const poster = await sharp(Buffer.from(shared.rawPayload)).metadata();
    expect(poster.format).toBe('jpeg');
    expect([poster.width, poster.height]).toEqual([960, 540]);
    expect(shared.rawPayload.length).toBeLessThanOrEqual(100 * 1024);
    expect(page.body).toContain('<meta property="og:image:width" content="960">');
    expect(first).toBeTruthy();

    await unshareProject(t.ctx.db, user.id, project.id);
    expect((await t.app.inject({ url: path })).statusCode).toBe(404);
    // Sharing again makes a new link; the old poster stays dead.
    const again = await shareProject(t.ctx.db, user.id, project.id);
    expect((await t.app.inject({ url: path })).statusCode).toBe(404);
    expect((await t.app.inject({ url: `/s/${again.token}/poster` })).statusCode).toBe(200);
  });

  it('answers 404 for an unknown or malformed token', async () => {
    expect((await t.app.inject({ url: '/s/AAAAAAAAAAAAAAAAAAAAAAAA/poster' })).statusCode).toBe(404);
    expect((await t.app.inject({ url: '/s/x/poster' })).statusCode).toBe(404);
  });
});
