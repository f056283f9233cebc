import { beforeAll, describe, expect, it } from 'vitest';
import { type Request } from 'playwright-core';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { openProjectPage, pageErrors, useBrowserApp, useTempDir } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';
import { testImage } from '../factories/clips.js';

// Issue 16, item 7: with JavaScript, every upload form (first photo, the htmx new-clip form, music)
// sends its CSRF token as the x-csrf-token header and a URL without it. Only a browser without
// JavaScript posts to the action URL that carries the token.

const app = useBrowserApp();
const dir = useTempDir('echoes-sec-upload-');
let photo: string;
let song: string;

beforeAll(async () => {
  photo = path.join(dir.path, 'photo.png');
  await writeFile(photo, await testImage(540, 304));
  song = path.join(dir.path, 'song.mp3');
  await writeFile(song, Buffer.alloc(2048, 1));
});

function expectTokenInHeaderOnly(request: Request) {
  const url = new URL(request.url());
  expect(url.searchParams.has('_csrf'), url.toString()).toBe(false);
  expect(request.headers()['x-csrf-token']).toMatch(/^[\w-]{20,}$/);
}

describe('upload forms with JavaScript', () => {
  it('send the CSRF token as a header, never in the URL: first photo, htmx photo and music', async () => {
    const user = await createUser(app.t.ctx.db, { email: 'sec-upload@example.com', credits: 5 });
    const project = await createProject(app.t.ctx.db, user.id, { title: 'Header token' });
    const page = await app.browser.newPage();
    const errors = pageErrors(page);
    await openProjectPage(page, app.base, user.email, project.id);
    // The no-JavaScript fallback is still there.
    expect(await page.getAttribute('form.upload-form', 'action')).toContain('?_csrf=');

    const clipPost = () => page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/projects/${project.id}/clips`);

    // First photo: a plain form that upload.js sends itself.
    let sent = clipPost();
    await page.setInputFiles('form.upload-form input[name=image]', photo);
    await page.click('form.upload-form button[type=submit]');
    expectTokenInHeaderOnly(await sent);
    await page.waitForSelector('#clip-grid [data-clip-id]', { timeout: 20_000 });

    // Next photo: htmx posts the form through upload.js's progress fetch.
    sent = clipPost();
    await page.setInputFiles('form.upload-form[hx-post] input[name=image]', photo);
    await page.click('form.upload-form[hx-post] button[type=submit]');
    expectTokenInHeaderOnly(await sent);
    await expect.poll(() => page.locator('#clip-grid [data-clip-id]').count(), { timeout: 20_000 }).toBe(2);

    // Music.
    const musicSent = page.waitForRequest((r) => r.method() === 'POST' && new URL(r.url()).pathname === `/projects/${project.id}/music`);
    await page.setInputFiles('form.music-form input[name=music]', song);
    await page.click('form.music-form button[type=submit]');
    expectTokenInHeaderOnly(await musicSent);

    expect(errors).toEqual([]);
    await page.close();
  }, 90_000);
});
