import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import sharp from 'sharp';
import { saveSettings } from '../../src/settings/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, latestClip, ledgerFor, testImage, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { renderTemplate } from '../setup/view.js';

let t: TestApp;
beforeAll(async () => {
  t = await createTestApp({ MAX_IMAGE_BYTES: '200000' });
});
afterAll(async () => {
  await t?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

async function objectsUnder(prefix: string): Promise<string[]> {
  const entries = await readdir(path.join(t.dataDir, 'objects', prefix), { recursive: true, withFileTypes: true }).catch(() => []);
  return entries.filter((e) => e.isFile()).map((e) => e.name);
}

describe('POST /projects/:id/clips', () => {
  it('charges, stores the normalised image and thumbnail, and queues the clip (plain form: 303 + flash)', async () => {
    const { user, project, b } = await creator(t, 2, '720:1280');
    const res = await uploadClip(b, project.id, { image: await testImage(450, 300, 'jpeg'), prompt: '  Slow pan  ', duration: 10 });
    expect(res.statusCode).toBe(303);
    expect(res.headers.location).toBe(`/projects/${project.id}`);
    expect(res.cookies.find((c) => c.name === 'flash')).toBeTruthy();
    const clip = await latestClip(t.ctx.db, project.id);
    expect(clip).toMatchObject({ status: 'queued', prompt: 'Slow pan', duration_s: 10, ratio: '720:1280', credits_spent: 2, position: 1, provider: 'local', attempt: 1 });
    expect(clip.request_id).toBe(res.headers['x-request-id']);
    expect(clip.image_key).toBe(`images/${user.id}/${project.id}/${clip.id}.jpg`);
    const meta = await sharp(path.join(t.dataDir, 'objects', clip.image_key)).metadata();
    expect([meta.width, meta.height]).toEqual([720, 1280]);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(0);
    expect(await ledgerFor(t.ctx.db, user.id)).toContainEqual({ amount: -2, type: 'generation', reference_id: `${clip.id}:1` });
    expect(await t.ctx.queues.generation.getJob(clip.id)).toBeTruthy();
  });

  it('answers htmx with the new card, which polls itself and updates the balance', async () => {
    const { project, b } = await creator(t, 3);
    await uploadClip(b, project.id);
    const res = await uploadClip(b, project.id, { htmx: true });
    expect(res.statusCode).toBe(200);
    const clip = await latestClip(t.ctx.db, project.id);
    expect(clip.position).toBe(2);
    expect(res.body).toContain(`data-clip-id="${clip.id}"`);
    expect(res.body).toContain('data-status="queued"');
    expect(res.body).toContain(`hx-get="/clips/${clip.id}" hx-trigger="every 10s" hx-swap="outerHTML"`);
    expect(res.body).toContain('data-credit-balance-update="1"');
    // Media appear only as signed URLs, never as storage keys.
    expect(res.body.replace(/\/media\/[^"]+/g, '')).not.toContain('images/');
  });

  it('without enough credits: 402 with a link to buy credits, and nothing stored or charged', async () => {
    const { user, project, b } = await creator(t, 1);
    const page = await uploadClip(b, project.id, { duration: 10 });
    expect(page.statusCode).toBe(402);
    expect(page.body).toContain('href="/credits"');
    expect(page.body).toContain('This needs 2 credits and you have 1.');
    const frag = await uploadClip(b, project.id, { duration: 10, htmx: true });
    expect(frag.statusCode).toBe(402);
    expect(frag.body).toContain('href="/credits"');
    expect(frag.body).not.toContain('<html');
    expect(await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).execute()).toEqual([]);
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
  });

  it('refuses a photo under 300 pixels on its short side before charging, naming the minimum', async () => {
    const { user, project, b } = await creator(t, 2);
    const res = await uploadClip(b, project.id, { image: await testImage(10, 10), htmx: true });
    expect(res.statusCode).toBe(422);
    expect(res.body).toContain('at least 300 pixels on its short side');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(2);
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
  });

  it('refuses bad input with a clear 4xx and charges nothing', async () => {
    const { user, project, b } = await creator(t, 5);
    const noImage = await b.postMultipart(`/projects/${project.id}/clips`, [{ name: 'prompt', value: 'x' }]);
    expect(noImage.statusCode).toBe(400);
    expect(noImage.body).toContain('Choose an image');
    const notImage = await uploadClip(b, project.id, { image: Buffer.from('not an image at all') });
    expect(notImage.statusCode).toBe(415);
    const longPrompt = await uploadClip(b, project.id, { prompt: 'x'.repeat(1001) });
    expect(longPrompt.statusCode).toBe(400);
    expect(longPrompt.body).toContain('1000 characters');
    const badLength = await uploadClip(b, project.id, { duration: 7 });
    expect(badLength.statusCode).toBe(400);
    expect(badLength.body).toContain('5 or 10 seconds');
    const tooBig = await uploadClip(b, project.id, { image: Buffer.concat([await testImage(), Buffer.alloc(300_000)]) });
    expect(tooBig.statusCode).toBe(413);
    const form = await b.post(`/projects/${project.id}/clips`, { prompt: 'x' });
    expect(form.statusCode).toBe(400);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(5);
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
  });

  it('uses the admin\'s durations and default length', async () => {
    const { project, b } = await creator(t, 5);
    await saveSettings(t.ctx.db, { allowedDurations: [3, 6], defaultDuration: 6, creditsPer5s: 1 });
    try {
      await uploadClip(b, project.id);
      expect(await latestClip(t.ctx.db, project.id)).toMatchObject({ duration_s: 6, credits_spent: 2 });
      expect((await uploadClip(b, project.id, { duration: 5 })).statusCode).toBe(400);
    } finally {
      await saveSettings(t.ctx.db, { allowedDurations: [5, 10], defaultDuration: 5 });
    }
  });

  it('a store that fails rolls the charge back and leaves no object behind', async () => {
    const { user, project, b } = await creator(t, 1);
    const storage = t.ctx.storage;
    const put = storage.put.bind(storage);
    storage.put = async (key, body, type) => {
      if (key.endsWith('.thumb.webp')) throw new Error('disk full');
      return put(key, body, type);
    };
    try {
      const res = await uploadClip(b, project.id);
      expect(res.statusCode).toBe(503);
      expect(res.body).toContain('could not save your image');
    } finally {
      storage.put = put;
    }
    expect(await balanceOf(t.ctx.db, user.id)).toBe(1);
    expect(await t.ctx.db.selectFrom('clips').select('id').where('project_id', '=', project.id).execute()).toEqual([]);
    expect(await objectsUnder(`images/${user.id}`)).toEqual([]);
  });

  it('404s for a project that is not yours, before reading the upload', async () => {
    const { project } = await creator(t, 1);
    const other = await creator(t, 5);
    const res = await uploadClip(other.b, project.id);
    expect(res.statusCode).toBe(404);
    expect(await balanceOf(t.ctx.db, other.user.id)).toBe(5);
  });
});

describe('the upload form partial', () => {
  const render = (data: object) => renderTemplate(t.app, 'clips/_upload_form', data);

  it('shows the cost of each allowed length and the default choice', async () => {
    const html = await render({ project: { id: 'p1' }, csrfToken: 'tok', settings: { allowedDurations: [5, 10], defaultDuration: 5, creditsPer5s: 2 }, balance: 9 });
    expect(html).toContain('action="/projects/p1/clips?_csrf=tok"');
    expect(html).toContain('<input type="hidden" name="_csrf" value="tok">');
    expect(html).toMatch(/<option value="5" data-cost="2" selected>/);
    expect(html).toMatch(/<option value="10" data-cost="4">/);
    expect(html).toMatch(/data-clip-cost>2</);
    expect(html).not.toMatch(/data-upload-submit disabled/);
    expect(html).toMatch(/data-credits-short hidden/);
  });

  it('is disabled with a link to buy credits when the balance is short', async () => {
    const html = await render({ project: { id: 'p1' }, csrfToken: 'tok', settings: { allowedDurations: [5, 10], defaultDuration: 5, creditsPer5s: 1 }, balance: 0 });
    expect(html).toMatch(/data-upload-submit disabled/);
    expect(html).toContain('href="/credits"');
    expect(html).not.toMatch(/data-credits-short hidden/);
  });
});

describe('the card of an unfinished clip', () => {
  const card = (status: string, progressPct: number) =>
    renderTemplate(t.app, 'clips/_card', {
      clip: { id: 'c1', projectId: 'p1', status, unfinished: true, progressPct, prompt: '', durationS: 5, ratioClass: 'ratio-1280x720', approved: false, attempt: 1, errorMessage: null, refunded: 0, thumbUrl: '/t', imageUrl: '/i', videoUrl: null, videoDomId: null, canApprove: false, regenerateCost: 1, take: null },
      csrfToken: 'x',
      balanceUpdate: null,
    });

  it('says queued, starting and generating apart: a queued clip never shows "Generating 0%" or a bar', async () => {
    const queued = await card('queued', 0);
    expect(queued).toContain('In the queue');
    expect(queued).not.toContain('Generating');
    expect(queued).not.toContain('<progress');
    const starting = await card('generating', 0);
    expect(starting).toContain('Starting');
    expect(starting).not.toContain('0%</strong>');
    const going = await card('generating', 40);
    expect(going).toContain('Generating');
    expect(going).toContain('<strong>40%</strong>');
  });
});
