import { beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import sharp from 'sharp';
import { writeFile } from 'node:fs/promises';
import path from 'node:path';
import { signInThroughForm } from '../setup/chromium.js';
import { pageErrors, useBrowserApp, useTempDir } from '../setup/pages.js';
import { createProject, createUser } from '../factories.js';

// The new-clip form in a real browser: htmx posts it, but a big photo is shrunk in a canvas
// first and the upload shows its progress; the new card lands in the grid.

const app = useBrowserApp();
const dir = useTempDir('echoes-upload-browser-');
let photo: string;
let big: Buffer;

beforeAll(async () => {
  // 4000×3000 of noise: several MB as a JPEG, well over the 3 MB above which the page shrinks.
  photo = path.join(dir.path, 'big.jpg');
  big = await sharp({ create: { width: 4000, height: 3000, channels: 3, background: '#808080', noise: { type: 'gaussian', mean: 128, sigma: 60 } } }).jpeg({ quality: 95 }).toBuffer();
  await writeFile(photo, big);
});

async function signedInPage(email: string) {
  const page = await app.browser.newPage();
  // Note the size of the image each upload carries (the request body itself is not visible to
  // Playwright when it holds a file).
  await page.addInitScript(() => {
    const send = XMLHttpRequest.prototype.send;
    XMLHttpRequest.prototype.send = function (body) {
      const image = body instanceof FormData ? body.get('image') : null;
      if (image instanceof File) sessionStorage.setItem('sentImageBytes', String(image.size));
      return send.call(this, body);
    };
  });
  const errors = pageErrors(page);
  await signInThroughForm(page, app.base, email);
  return { page, errors };
}

/** Records every text the upload status line shows. */
async function watchStatus(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as { __labels: string[] };
    w.__labels = [];
    new MutationObserver(() => {
      const label = document.querySelector('.upload-status .upload-label')?.textContent;
      if (label && w.__labels.at(-1) !== label) w.__labels.push(label);
    }).observe(document.body, { subtree: true, childList: true, characterData: true });
  });
}

const sentImageBytes = (page: Page) => page.evaluate(() => Number(sessionStorage.getItem('sentImageBytes') ?? Infinity));
const statusLabels = (page: Page) => page.evaluate(() => (window as unknown as { __labels: string[] }).__labels);
const clipsOf = (projectId: string) => app.t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', projectId).execute();

describe('the new-clip form in a browser', () => {
  it('first photo (no grid yet): shrunk before sending, then the project shows its first card', async () => {
    const user = await createUser(app.t.ctx.db, { email: 'first-photo@example.com', credits: 2 });
    const project = await createProject(app.t.ctx.db, user.id, { title: 'First photo' });
    const { page, errors } = await signedInPage(user.email);
    await page.goto(`${app.base}/projects/${project.id}`);
    expect(await page.locator('form.upload-form[hx-post]').count()).toBe(0);

    await page.setInputFiles('form.upload-form input[name=image]', photo);
    await page.click('form.upload-form button[type=submit]');
    await page.waitForSelector('#clip-grid [data-clip-id]', { timeout: 20_000 });

    expect(await sentImageBytes(page)).toBeLessThan(big.length / 2);
    const clips = await clipsOf(project.id);
    expect(clips).toHaveLength(1);
    expect(await page.locator(`#clip-grid [data-clip-id="${clips[0]!.id}"]`).count()).toBe(1);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);

  it('next photos: htmx adds the card in place, after the same shrink and progress', async () => {
    const user = await createUser(app.t.ctx.db, { email: 'next-photo@example.com', credits: 3 });
    const project = await createProject(app.t.ctx.db, user.id, { title: 'Next photo' });
    const { page, errors } = await signedInPage(user.email);
    await page.goto(`${app.base}/projects/${project.id}`);
    await page.setInputFiles('form.upload-form input[name=image]', photo);
    await page.click('form.upload-form button[type=submit]');
    await page.waitForSelector('#clip-grid [data-clip-id]', { timeout: 20_000 });
    const pageUrl = page.url();

    const sent = page.waitForRequest((r) => r.method() === 'POST' && r.url().includes(`/projects/${project.id}/clips`));
    await page.setInputFiles('form.upload-form[hx-post] input[name=image]', photo);
    await watchStatus(page);
    await page.click('form.upload-form[hx-post] button[type=submit]');
    const request = await sent;
    await expect.poll(() => page.locator('#clip-grid [data-clip-id]').count(), { timeout: 20_000 }).toBe(2);

    expect(request.headers()['hx-request']).toBe('true');
    expect(await sentImageBytes(page)).toBeLessThan(big.length / 2);
    const labels = await statusLabels(page);
    expect(labels[0]).toBe('Preparing…');
    expect(labels.some((l) => /Uploading|Processing|Uploaded/.test(l))).toBe(true);
    expect(page.url()).toBe(pageUrl); // no page load: the card was swapped in
    // The form is ready for the next photo: no file, and no stale preview beside "No file chosen".
    await expect.poll(() => page.locator('form.upload-form[hx-post] .upload-preview').count()).toBe(0);
    expect(await page.locator('form.upload-form[hx-post] input[name=image]').evaluate((i) => (i as HTMLInputElement).files?.length ?? 0)).toBe(0);
    expect(await clipsOf(project.id)).toHaveLength(2);
    expect(errors).toEqual([]);
    await page.close();
  }, 60_000);
});
