import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type Browser, type Request } from 'playwright-core';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { TestApp } from '../setup/context.js';
import { signInThroughForm, startBrowserApp } from '../setup/chromium.js';
import { createProject, createUser } from '../factories.js';
import { testImage } from '../factories/clips.js';

// Issue 16, item 7: with JavaScript, every upload form (first photo, the htmx new-clip form, music)
// sends its CSRF token as the x-csrf-token header and a URL without it. Only a browser without
// JavaScript posts to the action URL that carries the token.

let t: TestApp;
let browser: Browser;
let base: string;
let close = async () => {};
let dir: string;
let photo: string;
let song: string;

beforeAll(async () => {
  ({ t, browser, base, close } = await startBrowserApp());
  dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-sec-upload-'));
  photo = path.join(dir, 'photo.png');
  await writeFile(photo, await testImage(540, 304));
  song = path.join(dir, 'song.mp3');
  await writeFile(song, Buffer.alloc(2048, 1));
});
afterAll(async () => {
  await close();
  await rm(dir, { recursive: true, force: true });
});

function expectTokenInHeaderOnly(request: Request) {
  const url = new URL(request.url());
  expect(url.searchParams.has('_csrf'), url.toString()).toBe(false);
  expect(request.headers()['x-csrf-token']).toMatch(/^[\w-]{20,}$/);
}

describe('upload forms with JavaScript', () => {
  it('send the CSRF token as a header, never in the URL: first photo, htmx photo and music', async () => {
    const user = await createUser(t.ctx.db, { email: 'sec-upload@example.com', credits: 5 });
    const project = await createProject(t.ctx.db, user.id, { title: 'Header token' });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await signInThroughForm(page, base, user.email);
    await page.goto(`${base}/projects/${project.id}`);
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
