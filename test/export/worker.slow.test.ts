import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import type { User } from '../../src/platform/db-types.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { startS3 } from '../setup/s3.js';
import { createUser } from '../factories.js';
import { seedExportProject } from '../factories/export-media.js';
import { ffprobeJson, leftoverTempDirs } from './helpers.js';
import { waitFor } from '../setup/wait.js';

const HTMX = { 'hx-request': 'true' };
/** The page with its character references read (the templates escape "×" and "·"). */
const text = (html: string) => html.replace(/&#x([0-9a-f]+);/gi, (_, hex: string) => String.fromCodePoint(parseInt(hex, 16)));

/** The whole path on S3 storage: the button, a real BullMQ worker on Redis, the polled fragment, the download. */
describe('export through the worker (S3 storage)', () => {
  let s3: Awaited<ReturnType<typeof startS3>>;
  let t: TestApp;
  let workers: RunningWorkers;
  let owner: User;
  let browser: TestBrowser;

  beforeAll(async () => {
    s3 = await startS3();
    t = await createTestApp(s3.env);
    workers = startWorkers(t.ctx, { periodic: false });
    owner = await createUser(t.ctx.db, { email: 'worker-export@example.com' });
    browser = new TestBrowser(t.app);
    await browser.signInDev(owner.email);
  });
  afterAll(async () => {
    await workers?.close();
    await t?.close();
    await s3?.stop();
  });

  function pollUntilDone(projectId: string): Promise<string> {
    return waitFor(async () => {
      const res = await browser.get(`/projects/${projectId}/export`, HTMX);
      const status = /data-export-status="(\w+)"/.exec(res.body)![1]!;
      if (status === 'ready' || status === 'error') return res.body;
      expect(res.body).toContain('hx-trigger="every 10s');
      return undefined;
    }, 'the export to finish', 60_000, 200);
  }

  it('renders, stores and offers the file for download under the project title', async () => {
    const seeded = await seedExportProject(t.ctx, owner.id, {
      clips: [{ width: 320, height: 180, durationS: 1.5 }, { width: 240, height: 240, durationS: 1.5 }],
      musicS: 1, // shorter than the film: padded with silence
      title: 'Road movie',
    });
    const before = text((await browser.get(`/projects/${seeded.project.id}/export`)).body);
    expect(before).toContain('Export MP4');
    // The specs and a time estimate of every choice before starting (the page shows the checked pair's).
    expect(before).toMatch(/data-spec="1080 project"><span data-spec-frame>1920 × 1080<\/span>[^<]*8\.0 Mb\/s[^<]*<span data-spec-time>about \d+ seconds<\/span>/);
    expect(before).toContain('data-spec="720 1:1"><span data-spec-frame>720 × 720</span>');
    const start = await browser.post(`/projects/${seeded.project.id}/export`, { resolution: '720', shape: '1:1' }, HTMX);
    expect(start.statusCode).toBe(200);
    expect(start.body).toMatch(/data-export-status="(queued|rendering)"/);

    const body = text(await pollUntilDone(seeded.project.id));
    expect(body).toContain('data-export-status="ready"');
    expect(body).not.toContain('hx-trigger');
    // The file's real properties, read by ffprobe after the render.
    expect(body).toMatch(/data-export-properties><span>720 × 720<\/span><span>24 fps<\/span><span>H\.264 High, [\d.]+ Mb\/s<\/span><span>AAC stereo, 48 kHz<\/span>/);
    expect(body).toContain('720p · Square 1:1');
    const row = await t.ctx.db.selectFrom('exports').selectAll().where('project_id', '=', seeded.project.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ status: 'ready', progress: 1 });
    // The row turns ready just before the runner removes its temp folder: wait for that, briefly.
    await expect.poll(() => leftoverTempDirs(row.id), { timeout: 5000, interval: 50 }).toEqual([]);

    const href = /href="([^"]+)"[^>]*data-export-url/.exec(body)![1]!.replaceAll('&amp;', '&');
    expect(href.startsWith(s3.env.S3_ENDPOINT)).toBe(true);
    const res = await fetch(href);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain('attachment; filename="Road movie.mp4"');
    const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-dl-'));
    try {
      const file = path.join(dir, 'dl.mp4');
      await writeFile(file, Buffer.from(await res.arrayBuffer()));
      const probe = await ffprobeJson(file);
      expect(probe.streams.map((s) => s.codec_type).sort()).toEqual(['audio', 'video']);
      expect(probe.streams.find((s) => s.codec_type === 'video')).toMatchObject({ width: 720, height: 720, r_frame_rate: '24/1' });
      expect(Math.abs(Number(probe.format.duration) - 2.7)).toBeLessThan(0.2);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
