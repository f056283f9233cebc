import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawn, type ChildProcess } from 'node:child_process';
import { createTestContext, type TestContext } from '../setup/context.js';
import { HttpBrowser, stopProcesses } from '../setup/web-processes.js';
import { freePort } from '../setup/ports.js';
import { waitFor } from '../setup/wait.js';
import { WEB_ARGS, WORKER_ARGS } from '../setup/start-commands.js';
import { testImage } from '../factories/clips.js';
import { clickTrack } from '../factories/beats.js';

// `npm start` as its users run it (package.json's command, workers in the web process), with one
// more V8 flag in front, as an operator might add: every kind of background work runs through it.
// A V8 flag reaching the analysis threads broke every beat analysis once (issue 24).

const EXTRA_V8_FLAG = '--max-old-space-size=1024';
let t: TestContext;
const children: ChildProcess[] = [];

beforeAll(async () => {
  t = await createTestContext({ ACTIVE_AI_PROVIDER: 'local' });
}, 60_000);
afterAll(async () => {
  await stopProcesses(children);
  await t?.close();
}, 60_000);

const attr = (html: string, re: RegExp) => re.exec(html)?.[1]?.replace(/&amp;/g, '&') ?? null;

// (a) `npm start` alone, workers in-process; (b) `RUN_WORKERS=false npm start` plus `npm run worker`.
describe.each([
  { mode: 'npm start with an extra V8 flag, workers in-process', separateWorker: false, email: 'journey-a@example.com' },
  { mode: 'RUN_WORKERS=false npm start (extra V8 flag) plus npm run worker', separateWorker: true, email: 'journey-b@example.com' },
])('$mode', ({ separateWorker, email }) => {
  it('makes a clip, analyses a song, renders an export, builds the data ZIP and deletes the account', async () => {
    const port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const env = { ...process.env, ...t.env, PORT: String(port), RUN_WORKERS: String(!separateWorker), LOG_LEVEL: 'warn' };
    children.push(spawn(process.execPath, [EXTRA_V8_FLAG, ...WEB_ARGS], { env, stdio: ['ignore', 'ignore', 'inherit'] }));
    if (separateWorker) children.push(spawn(process.execPath, WORKER_ARGS, { env, stdio: ['ignore', 'ignore', 'inherit'] }));
    // Generous: a busy 2-core CI machine starts slowly; readiness is the signal, not a clock.
    await waitFor(async () => (await fetch(`${base}/healthz`).catch(() => null))?.status === 200, 'npm start to answer /healthz', 120_000, 200);

    const b = new HttpBrowser();
    await b.signInDev(base, email, 'Journey');
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
    const zip = Buffer.from(await (await b.fetch(new URL(zipUrl, base).href)).arrayBuffer());
    expect(zip.subarray(0, 2).toString()).toBe('PK');

    // The account is deleted, by its job.
    await b.page(`${base}/account`);
    expect((await b.post(`${base}/account/delete`, { confirm_email: email })).status).toBeLessThan(400);
    await waitFor(async () => !(await t.ctx.db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst()), 'the account to be deleted', 180_000, 1000);
    // Stopped here, so the next mode's jobs cannot be picked up by this one's workers.
    await stopProcesses(children.splice(0));
  }, 900_000);
});
