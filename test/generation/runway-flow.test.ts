import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import path from 'node:path';
import { ffprobePath } from '../../src/platform/ffmpeg.js';
import { getSettings, saveSettings } from '../../src/settings/service.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, getClip, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { SAFETY_STEPS } from '../fakes/runway.js';
import { creator, startWorld, type World } from './world.js';

let w: World;
beforeAll(async () => {
  w = await startWorld();
  w.startWorkers();
});
afterAll(async () => {
  await w?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(w.t.ctx.db);
});

describe('generation against Runway', () => {
  it('takes an upload to a stored MP4: ready, one task, one charge', async () => {
    const { user, project, b } = await creator(w.t, 3);
    await saveSettings(w.t.ctx.db, { systemPrompt: 'Cinematic light.' });
    const res = await uploadClip(b, project.id, { prompt: 'Waves roll in', duration: 5 });
    expect(res.statusCode).toBe(303);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('ready');
    expect(clip.progress).toBe(1);
    expect(clip.finished_at).toBeTruthy();
    expect(clip.video_key).toBe(`clips/${user.id}/${project.id}/${clip.id}.mp4`);

    const task = w.fake.submissions.find((s) => s.id === clip.provider_task_id)!;
    expect(w.fake.submissions.filter((s) => s.id === clip.provider_task_id)).toHaveLength(1);
    expect(task.body).toMatchObject({ model: 'gen4_turbo', ratio: '1280:720', duration: 5, promptText: 'Waves roll in. Cinematic light.' });
    expect(String(task.body.promptImage)).toMatch(/^data:image\/jpeg;base64,/);

    const file = path.join(w.t.dataDir, 'objects', clip.video_key!);
    const probe = JSON.parse((await promisify(execFile)(ffprobePath(), ['-v', 'error', '-show_entries', 'stream=codec_name', '-of', 'json', file])).stdout);
    expect(probe.streams[0].codec_name).toBe('h264');

    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
    const ledger = await ledgerFor(w.t.ctx.db, user.id);
    expect(ledger.filter((l) => l.type === 'generation')).toEqual([{ amount: -1, type: 'generation', reference_id: `${clip.id}:1` }]);
    expect(ledger.filter((l) => l.type === 'refund')).toEqual([]);
  });

  it('the next generation uses the model the admin chose; one already made keeps its own', async () => {
    const { project, b } = await creator(w.t, 3);
    await uploadClip(b, project.id);
    const first = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    try {
      await saveSettings(w.t.ctx.db, { model: 'gen4.5' });
      await uploadClip(b, project.id);
      const second = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
      expect(w.fake.submissions.find((s) => s.id === second.provider_task_id)!.body.model).toBe('gen4.5');
      expect(second.model).toBe('gen4.5');
      expect((await getClip(w.t.ctx.db, first.id)).model).toBe('gen4_turbo');
      expect(w.fake.submissions.find((s) => s.id === first.provider_task_id)!.body.model).toBe('gen4_turbo');
    } finally {
      await saveSettings(w.t.ctx.db, { model: 'gen4_turbo' });
    }
  });

  it('an output URL that has expired is fetched afresh from the task, with no second task', async () => {
    const { project, b } = await creator(w.t, 1);
    const before = w.fake.submissions.length;
    w.fake.failNext('output', { status: 403, error: 'Request has expired' });
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('ready');
    expect(w.fake.submissions.length - before).toBe(1);
    const outputs = w.fake.requests.filter((r) => r.path === `/outputs/${clip.provider_task_id}.mp4`);
    expect(outputs.map((r) => r.status)).toEqual([403, 200]);
  });

  it('charges by length: 10 s costs twice the 5 s price', async () => {
    const { user, project, b } = await creator(w.t, 3);
    await uploadClip(b, project.id, { duration: 10 });
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.credits_spent).toBe(2);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    expect(w.fake.submissions.find((s) => s.id === clip.provider_task_id)!.body.duration).toBe(10);
  });

  it('passes THROTTLED and RUNNING, writing progress to the row', async () => {
    const { project, b } = await creator(w.t);
    w.fake.plan([{ status: 'PENDING' }, { status: 'THROTTLED', polls: 3 }, { status: 'RUNNING', progress: 0.25, polls: 2 }, { status: 'RUNNING', progress: 0.75, polls: 15 }, { status: 'SUCCEEDED' }]);
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    const mid = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, id);
      return c.progress >= 0.7 ? c : undefined;
    }, 'progress');
    expect(mid.status).toBe('generating');
    expect(mid.progress).toBeCloseTo(0.75);
    const card = await b.get(`/clips/${id}`, { 'hx-request': 'true' });
    expect(card.body).toMatch(/<progress[^>]*value="75"/);
    expect((await waitForClipDone(w.t.ctx.db, id)).status).toBe('ready');
  });

  it('refuses a safety failure plainly and refunds exactly once', async () => {
    const { user, project, b } = await creator(w.t, 1);
    w.fake.plan(SAFETY_STEPS);
    await uploadClip(b, project.id, { prompt: 'something' });
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('error');
    expect(clip.error_code).toBe('SAFETY.INPUT.IMAGE');
    expect(clip.error_message).toMatch(/refused by the content filter/);
    expect(clip.error_detail).toMatch(/content moderation/);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    const refunds = (await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund');
    expect(refunds).toEqual([{ amount: 1, type: 'refund', reference_id: `${clip.id}:1` }]);

    // Running the job again (a retry after a crash) changes nothing.
    await w.t.ctx.queues.generation.add('generate', { clipId: clip.id, attempt: 1 }, { jobId: `${clip.id}.again` });
    await waitFor(async () => (await w.t.ctx.queues.generation.getJob(`${clip.id}.again`))?.finishedOn, 'second run');
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund')).toHaveLength(1);

    const card = await b.get(`/clips/${clip.id}`, { 'hx-request': 'true' });
    expect(card.body).toContain('data-status="error"');
    expect(card.body).toContain('Try again');
    expect(card.body).toContain('data-credit-balance-update="1"');
    expect(card.body).not.toContain('hx-trigger="every');
    expect(card.body).not.toContain('SAFETY.INPUT');
  });

  it('waits out a 429 with Retry-After on submit, then succeeds with one task', async () => {
    const { project, b } = await creator(w.t);
    w.fake.failNext('submit', { status: 429, retryAfter: 1 });
    const before = w.fake.submissions.length;
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('ready');
    expect(w.fake.submissions.length - before).toBe(1);
    const refused = w.fake.requests.filter((r) => r.status === 429);
    const accepted = w.fake.requests.find((r) => r.path === '/v1/image_to_video' && r.status === 200 && r.at >= refused.at(-1)!.at)!;
    expect(accepted.at - refused.at(-1)!.at).toBeGreaterThanOrEqual(900);
  });

  it('rides out 503s and dropped connections while polling', async () => {
    const { project, b } = await creator(w.t);
    w.fake.failNext('status', { status: 503 }, 2);
    w.fake.failNext('status', { status: 0 });
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('ready');
  });

  it('does not retry a 400: the clip fails with a plain message and is refunded', async () => {
    const { user, project, b } = await creator(w.t, 1);
    w.fake.failNext('submit', { status: 400, error: 'You do not have enough credits to run this task.' });
    const before = w.fake.requests.filter((r) => r.path === '/v1/image_to_video').length;
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('error');
    expect(clip.error_code).toBe('HTTP_400');
    expect(clip.error_message).not.toMatch(/credits to run/);
    expect(w.fake.requests.filter((r) => r.path === '/v1/image_to_video').length - before).toBe(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('times out: cancels the task at Runway and refunds', async () => {
    const { user, project, b } = await creator(w.t, 1);
    w.fake.plan([{ status: 'RUNNING', progress: 0.1, polls: 100000 }, { status: 'SUCCEEDED' }]);
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    const running = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, id);
      return c.provider_task_id && c.progress > 0 ? c : undefined;
    }, 'task running');
    // Pretend it was submitted long ago rather than waiting 15 minutes.
    await w.t.ctx.db.updateTable('clips').set({ submitted_at: new Date(Date.now() - 16 * 60_000) }).where('id', '=', id).execute();
    const clip = await waitForClipDone(w.t.ctx.db, id);
    expect(clip.status).toBe('error');
    expect(clip.error_code).toBe('TIMEOUT');
    expect(clip.error_message).toMatch(/took too long/);
    expect(w.fake.deletes).toContain(running.provider_task_id);
    expect(w.fake.statusOf(running.provider_task_id!)).toBe('DELETED');
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('a running generation keeps the timeout it was submitted under when the admin changes it', async () => {
    const { project, b } = await creator(w.t, 1);
    w.fake.plan([{ status: 'RUNNING', progress: 0.1, polls: 100000 }, { status: 'SUCCEEDED' }]);
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, id);
      return c.provider_task_id && c.progress > 0 ? c : undefined;
    }, 'task running');
    const before = (await getSettings(w.t.ctx.db)).generationTimeoutMin;
    try {
      // Submitted 5 minutes ago under the default timeout; the admin now allows only 1 minute.
      await saveSettings(w.t.ctx.db, { generationTimeoutMin: 1 });
      await w.t.ctx.db.updateTable('clips').set({ submitted_at: new Date(Date.now() - 5 * 60_000) }).where('id', '=', id).execute();
      const polls = w.fake.requests.length;
      await waitFor(async () => w.fake.requests.length >= polls + 5, 'a few more polls');
      expect((await getClip(w.t.ctx.db, id)).status).toBe('generating');
    } finally {
      await saveSettings(w.t.ctx.db, { generationTimeoutMin: before });
    }
    await w.t.ctx.db.updateTable('clips').set({ submitted_at: new Date(Date.now() - (before + 1) * 60_000) }).where('id', '=', id).execute();
    expect((await waitForClipDone(w.t.ctx.db, id)).error_code).toBe('TIMEOUT');
  });
});
