import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings } from '../../src/settings/service.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { keysUnder, startS3 } from '../setup/s3.js';
import { createProject, createUser, expectLedgerBalanced } from '../factories.js';
import { balanceOf, createClip, ledgerFor, testImage } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { PDF, pngBomb, truncatedJpeg } from '../media/fixtures.js';
import { TestBrowser } from '../setup/browser.js';
import { decoded } from '../setup/html.js';
import { photo, postPhotos } from './fixtures.js';

const MAX_BYTES = 300_000;
let s3: Awaited<ReturnType<typeof startS3>>;
let t: TestApp;
beforeAll(async () => {
  s3 = await startS3();
  t = await createTestApp({ ...s3.env, MAX_IMAGE_BYTES: String(MAX_BYTES) });
});
afterAll(async () => {
  await t?.close();
  await s3?.stop();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

const objectsUnder = (prefix: string) => keysUnder(s3.env, prefix);

const clipsOf = (projectId: string) => t.ctx.db.selectFrom('clips').selectAll().where('project_id', '=', projectId).orderBy('position').execute();

describe('POST /projects/:id/photos', () => {
  it('lands the good photos of a mixed request, names each bad file with its reason, stores nothing else and charges nothing', async () => {
    const { user, project, b } = await creator(t, 3);
    const oversized = Buffer.concat([await photo(), Buffer.alloc(MAX_BYTES)]);
    const res = await postPhotos(
      b,
      project.id,
      [
        { name: 'beach.jpg', value: await photo(640, 480) },
        { name: 'invoice.pdf', value: PDF, type: 'application/pdf' },
        { name: 'cut.jpg', value: await truncatedJpeg(480, 360) },
        { name: 'bomb.png', value: pngBomb(100_000, 100_000), type: 'image/png' },
        { name: 'tiny.png', value: await testImage(10, 10), type: 'image/png' },
        { name: 'huge.jpg', value: oversized },
        { name: 'portrait.png', value: await photo(300, 533, 'png'), type: 'image/png' },
      ],
      { htmx: true },
    );
    expect(res.statusCode).toBe(200);

    const clips = await clipsOf(project.id);
    expect(clips.map((c) => c.position)).toEqual([1, 2]);
    for (const c of clips) {
      expect(c).toMatchObject({ status: 'draft', attempt: 0, credits_spent: 0, approved: true, prompt: '', ratio: '1280:720' });
      expect(res.body).toContain(`data-clip-id="${c.id}"`);
    }
    // In the order the files came, the first photo first.
    expect(res.body.indexOf(clips[0]!.id)).toBeLessThan(res.body.indexOf(clips[1]!.id));

    const reasons = Object.fromEntries(
      [...decoded(res.body).matchAll(/<strong data-photo-name>([^<]+)<\/strong> <span data-photo-reason>([^<]+)<\/span>/g)].map((m) => [m[1], m[2]]),
    );
    expect(Object.keys(reasons).sort()).toEqual(['bomb.png', 'cut.jpg', 'huge.jpg', 'invoice.pdf', 'tiny.png']);
    expect(reasons['invoice.pdf']).toContain('That file is a PDF document, not a photo');
    expect(reasons['cut.jpg']).toContain('damaged or incomplete');
    expect(reasons['bomb.png']).toContain('That image is too large (100000×100000 pixels)');
    expect(reasons['tiny.png']).toContain('too small (10×10 pixels)');
    expect(reasons['tiny.png']).toContain('at least 300 pixels on its short side');
    expect(reasons['huge.jpg']).toContain('too large. The limit is');

    // Exactly the two photos, their thumbnails and their uncropped sources are stored; nothing of the refused files.
    const keys = clips.flatMap((c) => [c.image_key, c.thumb_key!, c.source_key!]).sort();
    expect(await objectsUnder(`images/${user.id}/`)).toEqual(keys);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(3);
    expect((await ledgerFor(t.ctx.db, user.id)).filter((r) => r.type === 'generation' || r.type === 'refund')).toEqual([]);
    // Each photo's free draft take is queued on the drafts queue (the local render), none on generation.
    for (const c of clips) {
      const takes = await t.ctx.db.selectFrom('takes').selectAll().where('clip_id', '=', c.id).execute();
      expect(takes.map((tk) => [tk.kind, tk.status, tk.credits_spent])).toEqual([['draft', 'queued', 0]]);
      expect(await t.ctx.queues.drafts.getJob(takes[0]!.id)).toBeTruthy();
      expect(await t.ctx.queues.generation.getJob(c.id)).toBeFalsy();
    }
  });

  it('a plain form lands the photos and says what it did; a request with only bad files is refused as its file was', async () => {
    const { project, b } = await creator(t, 0);
    const ok = await postPhotos(b, project.id, [
      { name: 'a.jpg', value: await photo() },
      { name: 'b.jpg', value: await photo(500, 500) },
    ]);
    expect(ok.statusCode).toBe(303);
    expect(ok.headers.location).toBe(`/projects/${project.id}`);
    expect(decodeURIComponent(ok.cookies.find((c) => c.name === 'flash')!.value)).toContain('Added 2 photos');
    expect(await clipsOf(project.id)).toHaveLength(2);

    const pdf = await postPhotos(b, project.id, [{ name: 'x.pdf', value: PDF, type: 'application/pdf' }]);
    expect(pdf.statusCode).toBe(415);
    expect(pdf.body).toContain('x.pdf: That file is a PDF document');
    const frag = await postPhotos(b, project.id, [{ name: 'small.png', value: await testImage(200, 120), type: 'image/png' }], { htmx: true });
    expect(frag.statusCode).toBe(422);
    expect(frag.body).toContain('at least 300 pixels');
    const none = await b.postMultipart(`/projects/${project.id}/photos`, [{ name: 'title', value: 'x' }]);
    expect(none.statusCode).toBe(400);
    expect(none.body).toContain('Choose one or more photos');
    expect(await clipsOf(project.id)).toHaveLength(2);
  });

  it('counts every photo against the hourly upload limit, refusing those past it before they are read', async () => {
    await saveSettings(t.ctx.db, { imageUploadsPerHour: 3 });
    try {
      const { project, b } = await creator(t, 0);
      const files = await Promise.all([1, 2, 3, 4, 5].map(async (i) => ({ name: `p${i}.jpg`, value: await photo(400, 300 + i) })));
      const res = await postPhotos(b, project.id, files, { htmx: true });
      expect(res.statusCode).toBe(200);
      expect(await clipsOf(project.id)).toHaveLength(3);
      expect(res.body).toMatch(/p4\.jpg<\/strong> <span data-photo-reason>You have reached the limit of 3 image uploads an hour/);
      expect(res.body).toContain('p5.jpg');
      const again = await postPhotos(b, project.id, [files[0]!], { htmx: true });
      expect(again.statusCode).toBe(429);
    } finally {
      await saveSettings(t.ctx.db, { imageUploadsPerHour: 60 });
    }
  });

  it('counts every photo against the storage quota: the one that does not fit is refused and leaves nothing', async () => {
    const { user, project, b } = await creator(t, 0);
    const first = await postPhotos(b, project.id, [{ name: 'one.jpg', value: await photo() }], { htmx: true });
    expect(first.statusCode).toBe(200);
    const [one] = await clipsOf(project.id);
    // Room for one more photo of the same size, not two.
    const quota = 2048 * 1024 * 1024;
    await t.ctx.db.updateTable('users').set({ storage_bytes: quota - one!.image_bytes! - 10 }).where('id', '=', user.id).execute();
    const res = await postPhotos(b, project.id, [{ name: 'two.jpg', value: await photo() }, { name: 'three.jpg', value: await photo() }], { htmx: true });
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/three\.jpg<\/strong> <span data-photo-reason>This upload does not fit in your storage/);
    const clips = await clipsOf(project.id);
    expect(clips).toHaveLength(2);
    expect(await objectsUnder(`images/${user.id}/${project.id}/`)).toHaveLength(6); // image, thumbnail and source of each
    // Full: refused before the body is read.
    const full = await postPhotos(b, project.id, [{ name: 'four.jpg', value: await photo() }], { htmx: true });
    expect(full.statusCode).toBe(413);
  });

  it('takes at most 30 photos a request and names the ones past it', async () => {
    const { project, b } = await creator(t, 0);
    const image = await photo(300, 300);
    const files = Array.from({ length: 31 }, (_, i) => ({ name: `p${i + 1}.jpg`, value: image }));
    const res = await postPhotos(b, project.id, files, { htmx: true });
    expect(res.statusCode).toBe(200);
    expect(await clipsOf(project.id)).toHaveLength(30);
    expect(res.body).toMatch(/p31\.jpg<\/strong> <span data-photo-reason>At most 30 photos can be added at once/);
  }, 60_000);

  it('refuses a project at its clip cap before reading, and one that is not yours with a 404', async () => {
    await saveSettings(t.ctx.db, { maxClipsPerProject: 1 });
    try {
      const { user, project, b } = await creator(t, 1);
      await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id });
      const capped = await postPhotos(b, project.id, [{ name: 'a.jpg', value: await photo() }], { htmx: true });
      expect(capped.statusCode).toBe(409);
      expect(capped.body).toContain('limit of 1 clip');
    } finally {
      await saveSettings(t.ctx.db, { maxClipsPerProject: 100 });
    }
    const owner = await createUser(t.ctx.db);
    const theirs = await createProject(t.ctx.db, owner.id);
    const b = new TestBrowser(t.app);
    await b.signInDev((await createUser(t.ctx.db)).email);
    const res = await postPhotos(b, theirs.id, [{ name: 'a.jpg', value: await photo() }], { htmx: true });
    expect(res.statusCode).toBe(404);
    expect(await clipsOf(theirs.id)).toEqual([]);
    expect(await objectsUnder(`images/${owner.id}/`)).toEqual([]);
  });
});
