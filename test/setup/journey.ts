import { expect } from 'vitest';
import type { DB } from '../../src/platform/db.js';
import { HttpBrowser } from './web-processes.js';
import { waitFor } from './wait.js';
import { testImage } from '../factories/clips.js';
import { clickTrack } from '../factories/beats.js';

const attr = (html: string, re: RegExp) => re.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;

/**
 * Every kind of background work, through a product started as its users start it (issue 24, item 2):
 * a photo becomes a clip (free draft, then the local provider's AI take), a song is analysed until its
 * tempo shows, an export renders and downloads, the data ZIP is built and downloads, and the account is
 * deleted by its job. `b` is signed in on the web process at `base` as `email`; `db` is the same database.
 * Waits poll for state with generous limits: a busy 2-core CI machine is slow, never wrong.
 */
export async function runEveryJobKind(base: string, b: HttpBrowser, email: string, db: DB): Promise<void> {
  const created = await b.post(`${base}/projects`, { title: 'Journey' });
  const projectId = /\/projects\/([0-9a-f-]{36})/.exec(created.headers.get('location') ?? '')![1]!;
  await b.page(`${base}/projects/${projectId}`);

  // A photo becomes a clip, rendered by the local provider.
  const photo = new FormData();
  photo.append('image', new Blob([new Uint8Array(await testImage(640, 360, 'jpeg'))], { type: 'image/jpeg' }), 'photo.jpg');
  const added = await b.fetch(`${base}/projects/${projectId}/photos`, { method: 'POST', body: photo, headers: { 'x-csrf-token': b.csrf, 'hx-request': 'true' } });
  expect(added.status).toBe(200);
  const clipId = attr(await added.text(), /data-clip-id="([0-9a-f-]{36})"/)!;
  const card = async () => (await b.fetch(`${base}/clips/${clipId}`)).text();
  // First its free draft (the drafts queue), then, animated with the sign-up credit, its AI take.
  await waitFor(async () => attr(await card(), /data-take="(\w+)"/) === 'draft', 'the free draft to be ready', 180_000, 500);
  const animate = await b.fetch(`${base}/clips/${clipId}/regenerate`, { method: 'POST', body: new URLSearchParams(), headers: { 'x-csrf-token': b.csrf, 'hx-request': 'true' } });
  expect(animate.status).toBeLessThan(400);
  await waitFor(async () => {
    const html = await card();
    return attr(html, /data-status="(\w+)"/) === 'ready' && attr(html, /data-take="(\w+)"/) === 'ai';
  }, 'the clip to be ready with its AI take', 180_000, 500);

  // A song is analysed on a worker thread until its tempo shows.
  const song = new FormData();
  song.append('music', new Blob([new Uint8Array(await clickTrack({ bpm: 120, seconds: 12 }))], { type: 'audio/mpeg' }), 'click.mp3');
  const uploaded = await b.fetch(`${base}/projects/${projectId}/music`, { method: 'POST', body: song, headers: { 'x-csrf-token': b.csrf, 'hx-request': 'true' } });
  expect(uploaded.status).toBeLessThan(400);
  const tempo = await waitFor(async () => {
    const html = await (await b.fetch(`${base}/projects/${projectId}/analysis`, { headers: { 'hx-request': 'true' } })).text();
    expect(attr(html, /data-analysis-status="(\w+)"/)).not.toBe('failed');
    return attr(html, /data-tempo-bpm="([^"]+)"/);
  }, 'the tempo to show', 180_000, 500);
  expect(tempo).toMatch(/\d/);

  // An export of the approved clip renders, and its file downloads.
  expect((await b.post(`${base}/clips/${clipId}/approve`)).status).toBeLessThan(400);
  await b.page(`${base}/projects/${projectId}/export`);
  expect((await b.post(`${base}/projects/${projectId}/export`, { resolution: '720', shape: 'project' })).status).toBeLessThan(400);
  const exportUrl = await waitFor(async () => {
    const html = await (await b.fetch(`${base}/projects/${projectId}/export`)).text();
    expect(attr(html, /data-export-status="(\w+)"/)).not.toBe('error');
    return /data-export-status="ready"/.test(html) ? attr(html, /href="([^"]+)"[^>]*data-export-url/) : null;
  }, 'the export to be ready', 240_000, 1000);
  const video = await b.fetch(new URL(exportUrl, base).href);
  expect(video.status).toBe(200);
  expect((await video.arrayBuffer()).byteLength).toBeGreaterThan(1000);

  // The data ZIP is built and downloads.
  await b.page(`${base}/account`);
  expect((await b.post(`${base}/account/export`)).status).toBeLessThan(400);
  const zipUrl = await waitFor(async () => attr(await (await b.fetch(`${base}/account/export`, { headers: { 'hx-request': 'true' } })).text(), /href="([^"]+)"[^>]*data-download-link/), 'the data ZIP', 180_000, 1000);
  const zipRes = await b.fetch(new URL(zipUrl, base).href);
  expect(zipRes.status).toBe(200);
  expect(Buffer.from(await zipRes.arrayBuffer()).subarray(0, 2).toString()).toBe('PK');

  // The account is deleted, by its job.
  await b.page(`${base}/account`);
  expect((await b.post(`${base}/account/delete`, { confirm_email: email })).status).toBeLessThan(400);
  await waitFor(async () => !(await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()), 'the account to be deleted', 180_000, 1000);
}
