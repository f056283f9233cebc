import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { forgetEdits } from '../factories/edits.js';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { LIMIT_FIELDS } from '../../src/admin/settings/service.js';
import { createClip as createClipService } from '../../src/clips/create-and-regenerate.js';
import { normalizeImage } from '../../src/clips/image.js';
import { QuotaExceededError } from '../../src/limits/quota.js';
import { completeGeneration } from '../../src/generation/service.js';
import { backfillStorageSizes } from '../../src/limits/backfill.js';
import { storageUsedBytes } from '../../src/limits/queries.js';
import { replaceMusic } from '../../src/music/service.js';
import { DEFAULT_SETTINGS } from '../../src/settings/service.js';
import { storageKeys } from '../../src/storage/index.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { ADMIN_PASSWORD, adminBrowser } from '../factories/admin.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, createClip, latestClip, testImage, uploadClip } from '../factories/clips.js';
import { creator } from '../generation/world.js';
import { makeTones } from '../music/fixtures.js';
import { setLimits } from './helpers.js';

// The storage quota (sizes recorded on the rows, summed exactly; deletes give space back) and the
// caps on projects and clips, with what the person and the admin see of them.

let t: TestApp;
let tones: Awaited<ReturnType<typeof makeTones>>;
const MB = 1024 * 1024;

beforeAll(async () => {
  tones = await makeTones(1.5);
  t = await createTestApp({ ADMIN_PASSWORD });
});
afterAll(async () => {
  await tones?.cleanup();
  await t?.close();
});
afterEach(async () => {
  await setLimits(t.ctx.db, Object.fromEntries(LIMIT_FIELDS.map((f) => [f.key, DEFAULT_SETTINGS[f.key]])));
  await expectLedgerBalanced(t.ctx.db);
});

const filesUnder = async (prefix: string) =>
  (await readdir(path.join(t.dataDir, 'objects', prefix), { recursive: true, withFileTypes: true }).catch(() => [])).filter((e) => e.isFile()).length;
const sizeOf = async (key: string | null) => (key ? (await t.ctx.storage.size(key)) ?? 0 : 0);
const used = (userId: string) => storageUsedBytes(t.ctx.db, userId);
const uploadMusic = (b: Awaited<ReturnType<typeof creator>>['b'], projectId: string, value = tones.files.wav) =>
  b.postMultipart(`/projects/${projectId}/music`, [{ name: 'music', value, filename: 'song.wav', contentType: 'audio/wav' }]);

/** An export row holding `bytes` of the person's storage, like a finished export. */
async function fillWithExport(userId: string, projectId: string, bytes: number) {
  await t.ctx.db
    .insertInto('exports')
    .values({ user_id: userId, project_id: projectId, status: 'ready', progress: 1, object_key: storageKeys.export(userId, projectId, 'x'), size_bytes: bytes })
    .execute();
}

describe('storage use is counted exactly', () => {
  it('images, videos, music and exports add up to what is stored; deleting gives the space back', async () => {
    const { user, project, b } = await creator(t, 5);
    expect(await used(user.id)).toBe(0);

    expect((await uploadClip(b, project.id, { image: await testImage(450, 300) })).statusCode).toBe(303);
    const clip = await latestClip(t.ctx.db, project.id);
    const imageBytes = (await sizeOf(clip.image_key)) + (await sizeOf(clip.thumb_key)) + (await sizeOf(clip.source_key));
    expect(imageBytes).toBeGreaterThan(0);
    expect(await used(user.id)).toBe(imageBytes);

    const videoKey = storageKeys.clip(user.id, project.id, clip.id);
    await t.ctx.storage.put(videoKey, Buffer.alloc(12_345, 1), 'video/mp4');
    expect(await completeGeneration(t.ctx, clip.id, 1, videoKey)).toBe(true);
    expect(await used(user.id)).toBe(imageBytes + 12_345);

    expect((await uploadMusic(b, project.id)).statusCode).toBe(303);
    const music = tones.files.wav.length;
    expect(await used(user.id)).toBe(imageBytes + 12_345 + music);
    // Replacing the track swaps its size; removing it gives it back.
    expect((await uploadMusic(b, project.id, tones.files.mp3)).statusCode).toBe(303);
    expect(await used(user.id)).toBe(imageBytes + 12_345 + tones.files.mp3.length);
    expect((await b.post(`/projects/${project.id}/music/delete`)).statusCode).toBe(303);
    expect(await used(user.id)).toBe(imageBytes + 12_345);

    await fillWithExport(user.id, project.id, 1000);
    expect(await used(user.id)).toBe(imageBytes + 12_345 + 1000);

    expect((await b.post(`/clips/${clip.id}/delete`)).statusCode).toBe(303);
    // Kept (and counted) while the delete can be undone; given back once its objects are purged.
    expect(await used(user.id)).toBe(imageBytes + 12_345 + 1000);
    await forgetEdits(t.ctx, project.id);
    expect(await used(user.id)).toBe(1000);
    expect((await b.post(`/projects/${project.id}/delete`)).statusCode).toBe(303);
    expect(await used(user.id)).toBe(0);
  });

  it('is shown on the dashboard and the project page', async () => {
    await setLimits(t.ctx.db, { storageQuotaMb: 3 });
    const { user, project, b } = await creator(t, 0);
    await fillWithExport(user.id, project.id, 1.5 * MB);
    const dash = await b.get('/projects');
    expect(dash.body).toContain(`data-storage-used="${1.5 * MB}"`);
    expect(dash.body).toContain('Storage: 1.5 MB of 3.0 MB used');
    const page = await b.get(`/projects/${project.id}`);
    expect(page.body).toContain('Storage: 1.5 MB of 3.0 MB used');
  });
});

describe('rows stored before sizes were recorded', () => {
  it('count as 0 until the worker task asks storage for their sizes, once', async () => {
    const { user, project } = await creator(t, 3);
    const video = Buffer.alloc(5000, 2);
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, video });
    // A take stored before sizes were recorded: its video's size is unknown.
    await t.ctx.db.updateTable('takes').set({ video_bytes: null }).where('clip_id', '=', clip.id).execute();
    const musicKey = storageKeys.music(user.id, project.id, 'old.wav');
    await t.ctx.storage.put(musicKey, tones.files.wav, 'audio/wav');
    await t.ctx.db.updateTable('projects').set({ music_key: musicKey, music_name: 'Old' }).where('id', '=', project.id).execute();
    expect(await used(user.id)).toBe(0);

    expect(await backfillStorageSizes(t.ctx)).toBeGreaterThanOrEqual(2);
    expect(await used(user.id)).toBe((await sizeOf(clip.image_key)) + 5000 + tones.files.wav.length);
    expect(await backfillStorageSizes(t.ctx)).toBe(0);
  });
});

describe('the storage quota', () => {
  it('refuses an image that does not fit before it is stored: nothing charged, no clip, no object', async () => {
    await setLimits(t.ctx.db, { storageQuotaMb: 1 });
    const { user, project, b } = await creator(t, 5);
    await fillWithExport(user.id, project.id, MB - 1000); // room for less than any normalised image
    const res = await uploadClip(b, project.id, { image: await testImage(450, 300) });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('This upload does not fit in your storage: you use 1023 KB of your 1.0 MB.');
    expect(res.body).toContain('Delete clips, music or projects you no longer need to make room.');
    expect(await filesUnder(`images/${user.id}`)).toBe(0);
    expect(await balanceOf(t.ctx.db, user.id)).toBe(5);
    expect(await t.ctx.db.selectFrom('clips').select('id').where('user_id', '=', user.id).execute()).toEqual([]);
  });

  it('two uploads at once into room for one: one is stored and charged, the other refused in its transaction and its objects deleted', async () => {
    await setLimits(t.ctx.db, { storageQuotaMb: 1 });
    const { user, project } = await creator(t, 5);
    const image = await normalizeImage(await testImage(450, 300), { width: 1280, height: 720, maxPixels: 60_000_000 });
    const bytes = image.image.length + image.thumb.length + image.source.length;
    await fillWithExport(user.id, project.id, MB - Math.floor(bytes * 1.5));
    // Straight into the service, both at once: both pass the check before storing, so only the
    // claim inside the transaction (under the person's row lock) can refuse one.
    const make = () => createClipService(t.ctx, { userId: user.id, project, image, prompt: '', durationS: 5, requestId: 'race' });
    const results = await Promise.allSettled([make(), make()]);
    expect(results.map((r) => r.status).sort()).toEqual(['fulfilled', 'rejected']);
    const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
    expect(refused.reason).toBeInstanceOf(QuotaExceededError);
    expect(await t.ctx.db.selectFrom('clips').select('id').where('user_id', '=', user.id).execute()).toHaveLength(1);
    expect(await filesUnder(`images/${user.id}`)).toBe(3); // image, thumbnail, source
    expect(await balanceOf(t.ctx.db, user.id)).toBe(4);
    expect(await used(user.id)).toBeLessThanOrEqual(MB);
  });

  it('with storage full, refuses an upload before reading it, and the pages say the storage is full', async () => {
    await setLimits(t.ctx.db, { storageQuotaMb: 1 });
    const { user, project, b } = await creator(t, 5);
    await fillWithExport(user.id, project.id, MB);
    const res = await uploadClip(b, project.id, { image: await testImage(), htmx: true });
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('does not fit in your storage');
    expect(res.body).not.toContain('<html');
    expect((await b.get('/projects')).body).toContain('Your storage is full');
    // An export would add a file: refused too, on the export page.
    const exp = await b.post(`/projects/${project.id}/export`);
    expect(exp.statusCode).toBe(413);
    expect(exp.body).toContain('does not fit in your storage');
  });

  it('refuses a track by its declared length before it is stored, and lets a replacement use the space of the track it replaces', async () => {
    const { user, project, b } = await creator(t, 0);
    expect((await uploadMusic(b, project.id)).statusCode).toBe(303);
    const wav = tones.files.wav.length;
    await setLimits(t.ctx.db, { storageQuotaMb: 1 });
    await fillWithExport(user.id, project.id, MB - wav - 100);
    // The same track again fits: the old one's space comes back in the same transaction.
    expect((await uploadMusic(b, project.id)).statusCode).toBe(303);
    const other = await t.ctx.db.insertInto('projects').values({ user_id: user.id, title: 'Other', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const res = await uploadMusic(b, other.id);
    expect(res.statusCode).toBe(413);
    expect(res.body).toContain('This upload does not fit in your storage: you use'); // by its Content-Length
    // Without a declared length, the byte count holds the stream to the room left.
    const streamed = replaceMusic(t.ctx, user.id, other.id, { stream: Readable.from([tones.files.wav]), filename: 'song.wav' });
    await expect(streamed).rejects.toThrow('That track does not fit in your storage (100 bytes left).');
    expect(await filesUnder(`music/${user.id}/${other.id}`)).toBe(0);
    expect(await used(user.id)).toBe(MB - 100);
  });
});

describe('caps on projects and clips', () => {
  it('refuses a project past the cap with a clear message; the create form says so', async () => {
    await setLimits(t.ctx.db, { maxProjects: 2 });
    const { user, b } = await creator(t, 0); // has one project
    expect((await b.post('/projects', { title: 'Second' })).statusCode).toBe(303);
    const res = await b.post('/projects', { title: 'Third' });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('You have reached the limit of 2 projects. Delete a project you no longer need to start a new one.');
    expect(res.body).toContain('data-project-cap');
    expect(res.body).toMatch(/<button class="button" type="submit" disabled>Create project<\/button>/);
    const rows = await t.ctx.db.selectFrom('projects').select('id').where('user_id', '=', user.id).execute();
    expect(rows).toHaveLength(2);
  });

  it('refuses a clip past the project cap before the image is read; the upload form says so', async () => {
    await setLimits(t.ctx.db, { maxClipsPerProject: 1 });
    const { user, project, b } = await creator(t, 5);
    expect((await uploadClip(b, project.id)).statusCode).toBe(303);
    const res = await uploadClip(b, project.id, { image: Buffer.from('not even an image') });
    expect(res.statusCode).toBe(409);
    expect(res.body).toContain('This project has reached the limit of 1 clip. Delete a clip, or start a new project.');
    expect(await balanceOf(t.ctx.db, user.id)).toBe(4);
    const page = await b.get(`/projects/${project.id}`);
    expect(page.body).toContain('data-clip-cap');
    expect(page.body).not.toContain('data-upload-submit');
  });
});

describe('/admin/settings', () => {
  it('sets the limits, refusing values out of range with a message', async () => {
    const admin = await adminBrowser(t.app);
    const page = await admin.get('/admin/settings');
    expect(page.body).toContain('name="storageQuotaMb" value="2048"');
    const form = { ...DEFAULT_SETTINGS, allowedDurations: DEFAULT_SETTINGS.allowedDurations.map(String), provider: '' } as Record<string, unknown>;
    const bad = await admin.post('/admin/settings', { ...(form as Record<string, string>), maxProjects: '0' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('Projects per person must be a whole number from 1 to 10000.');
    const ok = await admin.post('/admin/settings', { ...(form as Record<string, string>), storageQuotaMb: '512', maxProjects: '7' });
    expect(ok.statusCode).toBe(303);
    const saved = await admin.get('/admin/settings');
    expect(saved.body).toContain('name="storageQuotaMb" value="512"');
    expect(saved.body).toContain('name="maxProjects" value="7"');
  });
});

describe('/admin/users/:id', () => {
  it('shows storage use, projects against the cap, and this hour\'s use of each limit', async () => {
    await setLimits(t.ctx.db, { storageQuotaMb: 10, imageUploadsPerHour: 7 });
    const { user, project, b } = await creator(t, 5);
    expect((await uploadClip(b, project.id)).statusCode).toBe(303);
    const admin = await adminBrowser(t.app);
    const res = await admin.get(`/admin/users/${user.id}`);
    expect(res.statusCode).toBe(200);
    const usedBytes = await used(user.id);
    expect(res.body).toContain(`data-admin-storage="${usedBytes}"`);
    expect(res.body).toMatch(/of 10\.0 MB \(0 %\)/);
    expect(res.body).toContain('data-admin-projects="1">1 of 50');
    const row = /<tr data-admin-rate="image-upload">([\s\S]*?)<\/tr>/.exec(res.body)![1]!;
    expect(row).toMatch(/<td class="num">1<\/td>\s*<td class="num">7<\/td>/);
    expect(row).toMatch(/resets in (60 minutes|1 hour|\d+ minutes)/);
  });
});
