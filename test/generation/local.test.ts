import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import sharp from 'sharp';
import { ffprobePath } from '../../src/platform/ffmpeg.js';
import { saveSettings } from '../../src/settings/service.js';
import { providerFor } from '../../src/generation/providers/index.js';
import { startWorkers, type RunningWorkers } from '../../src/worker.js';
import { createTestApp, type TestApp } from '../setup/context.js';
import { expectLedgerBalanced } from '../factories.js';
import { getClip, latestClip, testImage, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { creator } from './world.js';

let t: TestApp;
let workers: RunningWorkers | undefined;
beforeAll(async () => {
  t = await createTestApp({ ACTIVE_AI_PROVIDER: 'local', RUNWAY_POLL_INTERVAL_MS: '100' });
  await saveSettings(t.ctx.db, { allowedDurations: [2, 5], defaultDuration: 2 });
});
afterAll(async () => {
  await workers?.close();
  await t?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(t.ctx.db);
});

async function probe(file: string) {
  const { stdout } = await promisify(execFile)(ffprobePath(), ['-v', 'error', '-show_entries', 'format=duration:stream=codec_name,pix_fmt,width,height', '-of', 'json', file]);
  return JSON.parse(stdout) as { format: { duration: string }; streams: Array<{ codec_name: string; pix_fmt: string; width: number; height: number }> };
}

/** A stored image and the render input for it, as the job would build it. */
async function renderInput(name: string, ratio: '960:960' | '1280:720', durationS: number) {
  const { user, project } = await creator(t, 0);
  const imageKey = `images/${user.id}/${project.id}/${name}.jpg`;
  await t.ctx.storage.put(imageKey, await sharp(await testImage(80, 80)).jpeg().toBuffer(), 'image/jpeg');
  const [width, height] = ratio.split(':').map(Number) as [number, number];
  return { clipId: name, attempt: 1, imageKey, outputKey: `clips/${user.id}/${project.id}/${name}.mp4`, prompt: '', systemPrompt: '', model: 'x', ratio, width, height, durationS };
}

describe('the local provider', () => {
  it('renders a real H.264 MP4 of the clip\'s length and ratio size, reporting progress', async () => {
    workers = startWorkers(t.ctx, { periodic: false });
    const { user, project, b } = await creator(t, 1, '960:960');
    expect((await uploadClip(b, project.id, { image: await testImage(500, 300, 'jpeg') })).statusCode).toBe(303);
    const id = (await latestClip(t.ctx.db, project.id)).id;
    let seen = 0;
    const clip = await waitFor(async () => {
      const c = await getClip(t.ctx.db, id);
      if (c.status === 'generating') seen = Math.max(seen, c.progress);
      return c.status === 'ready' || c.status === 'error' ? c : undefined;
    }, 'render', 25_000, 20);
    expect(seen).toBeGreaterThan(0);
    expect(clip.status).toBe('ready');
    expect(clip.provider).toBe('local');
    expect(clip.provider_task_id).toMatch(/^local_/);
    expect(clip.video_key).toBe(`clips/${user.id}/${project.id}/${clip.id}.mp4`);
    const info = await probe(path.join(t.dataDir, 'objects', clip.video_key!));
    expect(info.streams[0]).toMatchObject({ codec_name: 'h264', pix_fmt: 'yuv420p', width: 960, height: 960 });
    expect(Number(info.format.duration)).toBeCloseTo(2, 1);
    // The stored length is the one ffprobe reads.
    expect(clip.video_duration_s).toBeCloseTo(Number(info.format.duration), 1);
  }, 40_000);

  it('a render whose process died is picked up again by the next status call', async () => {
    const local = providerFor(t.ctx, 'local');
    const input = await renderInput('orphan', '960:960', 2);
    // What a dead renderer leaves: a running task in Redis and no lease.
    const taskId = 'local_orphan';
    await t.ctx.redis.hset(`${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`, { state: 'running', progress: '0.3', input: JSON.stringify(input) });
    expect((await local.status(taskId)).state).toMatch(/running|pending/);
    const done = await waitFor(async () => {
      const s = await local.status(taskId);
      return s.state === 'succeeded' ? s : undefined;
    }, 'render to finish', 25_000, 200);
    expect(done.outputKey).toBe(input.outputKey);
    expect(await t.ctx.storage.size(input.outputKey)).toBeGreaterThan(1000);
  }, 40_000);

  it("closing the workers stops this process's renders and frees their leases for another worker", async () => {
    const running = startWorkers(t.ctx, { periodic: false });
    const local = providerFor(t.ctx, 'local');
    const input = await renderInput('shutdown', '1280:720', 20); // far longer to render than this test waits
    const { taskId } = await local.submit(input);
    const task = `${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}`;
    await waitFor(async () => ((await t.ctx.redis.hget(task, 'state')) === 'running' ? true : undefined), 'render to start', 10_000, 50);
    expect(await t.ctx.redis.exists(`${task}:lease`)).toBe(1);
    await running.close();
    await waitFor(async () => ((await t.ctx.redis.exists(`${task}:lease`)) === 0 ? true : undefined), 'lease released', 5_000, 50);
    // The task stays open: the next status() call, from any worker, renders it again.
    expect(await t.ctx.redis.hget(task, 'state')).toBe('running');
  }, 30_000);

  it('cancel stops a render and stores nothing', async () => {
    const local = providerFor(t.ctx, 'local');
    const input = await renderInput('c', '1280:720', 10);
    const outputKey = input.outputKey;
    const { taskId } = await local.submit(input);
    await local.cancel(taskId);
    expect((await local.status(taskId)).state).toBe('cancelled');
    // The render releases its lease once it has stopped (and removed anything it stored): from
    // then on nothing can write the output, so its absence is final.
    const lease = `${t.ctx.config.QUEUE_PREFIX}:local-render:${taskId}:lease`;
    await waitFor(async () => (await t.ctx.redis.exists(lease)) === 0 || undefined, 'render to stop', 10_000, 50);
    expect(await t.ctx.storage.size(outputKey)).toBeNull();
  });

  it('a clip whose provider is no longer configured ends in a refunded error', async () => {
    const { user, project } = await creator(t, 1);
    const { createClip } = await import('../factories/clips.js');
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued', provider: 'runway' });
    const { enqueueGeneration } = await import('../../src/generation/service.js');
    workers ??= startWorkers(t.ctx, { periodic: false });
    await enqueueGeneration(t.ctx, clip);
    const done = await waitForClipDone(t.ctx.db, clip.id);
    expect(done.status).toBe('error');
    expect(done.error_code).toBe('NOT_CONFIGURED');
    expect((await getClip(t.ctx.db, clip.id)).error_message).toMatch(/not responding/);
  });
});
