import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { saveSettings } from '../../src/settings/service.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, getClip, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { MESSAGES } from '../../src/generation/messages.js';
import { listPlayableClips } from '../../src/film/queries.js';
import { exportSource } from '../../src/export/service.js';
import { creator } from './world.js';
import { startProvidersWorld, type ProvidersWorld } from './luma-world.js';

let w: ProvidersWorld;
beforeAll(async () => {
  w = await startProvidersWorld();
  w.startWorkers();
});
afterAll(async () => {
  await w?.close();
});
afterEach(async () => {
  await expectLedgerBalanced(w.t.ctx.db);
});

describe('generation against Luma', () => {
  it('hands Luma a start image it can fetch, maps the request, and stores the 9 s video of a 10 s clip with one charge', async () => {
    const { user, project, b } = await creator(w.t, 5, '720:1280');
    await saveSettings(w.t.ctx.db, { systemPrompt: 'Cinematic light.', lumaModel: 'ray-flash-2' });
    try {
      expect((await uploadClip(b, project.id, { prompt: 'Waves roll in', duration: 10 })).statusCode).toBe(303);
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
      expect(clip.status).toBe('ready');
      expect(clip.provider).toBe('luma');
      expect(clip.model).toBe('ray-flash-2');

      const mine = w.luma.generations.filter((g) => g.id === clip.provider_task_id);
      expect(mine).toHaveLength(1);
      const g = mine[0]!;
      expect(g.body).toMatchObject({
        model: 'ray-flash-2',
        prompt: 'Waves roll in. Cinematic light.',
        aspect_ratio: '9:16',
        duration: '9s',
        resolution: '720p',
        callback_url: `${w.publicUrl}/webhooks/luma`,
        keyframes: { frame0: { type: 'image' } },
      });
      const frameUrl = (g.body.keyframes as { frame0: { url: string } }).frame0.url;
      expect(frameUrl.startsWith(`${w.publicUrl}/media/images/${user.id}/`)).toBe(true);
      expect(Number(new URL(frameUrl).searchParams.get('exp')) - Date.now() / 1000).toBeGreaterThanOrEqual(3600);
      // The fake fetched it over HTTP from outside the session (no cookie), and got the image.
      expect(g.frameFetch).toMatchObject({ status: 200 });
      expect(g.frameFetch!.contentType).toMatch(/^image\//);
      expect(g.frameFetch!.bytes).toBeGreaterThan(0);

      expect(clip.duration_s).toBe(10);
      expect(clip.video_duration_s).toBeGreaterThan(8.5);
      expect(clip.video_duration_s).toBeLessThan(9.5);
      expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation')).toEqual([{ amount: -2, type: 'generation', reference_id: `${clip.id}:1` }]);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(3);

      // Creators see a clip, not a vendor.
      const card = await b.get(`/clips/${clip.id}`);
      expect(card.statusCode).toBe(200);
      expect(card.body).not.toMatch(/luma|ray-flash|dream machine/i);

      // The player and the export plan the film on the video's real length.
      await b.post(`/clips/${clip.id}/approve`, {});
      const [playable] = await listPlayableClips(w.t.ctx.db, project.id);
      expect(playable!.duration_s).toBe(clip.video_duration_s);
      const [exportable] = (await exportSource(w.t.ctx, project)).clips;
      expect(exportable!.duration_s).toBe(clip.video_duration_s);
      const play = await b.get(`/projects/${project.id}/play`);
      expect(play.body).toContain('0:09');
    } finally {
      await saveSettings(w.t.ctx.db, { systemPrompt: '', lumaModel: 'ray-2' });
    }
  });

  it('a generation Luma fails for its content is refunded once and told plainly', async () => {
    const { user, project, b } = await creator(w.t, 1);
    w.luma.plan([{ state: 'queued', ms: 20 }, { state: 'dreaming', ms: 40 }, { state: 'failed', failure_reason: 'The prompt or image was flagged by our content moderation policy' }]);
    await uploadClip(b, project.id, { prompt: 'Something' });
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip.status).toBe('error');
    expect(clip.error_code).toBe('SAFETY.LUMA');
    expect(clip.error_message).toBe(MESSAGES.safety);
    expect(clip.error_message).not.toMatch(/luma/i);
    const ledger = await ledgerFor(w.t.ctx.db, user.id);
    expect(ledger.filter((l) => l.type === 'refund')).toEqual([{ amount: 1, type: 'refund', reference_id: `${clip.id}:1` }]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    expect(w.luma.generations.filter((g) => g.id === clip.provider_task_id)).toHaveLength(1);
  });
});

describe('Luma fetching the start image', () => {
  it('a start image Luma cannot fetch fails the generation plainly and refunds it', async () => {
    await w.stopWorkers();
    try {
      const { user, project, b } = await creator(w.t, 1);
      await uploadClip(b, project.id);
      const queued = await latestClip(w.t.ctx.db, project.id);
      await w.t.ctx.storage.delete(queued.image_key); // the signed URL now answers 404
      w.startWorkers();
      const clip = await waitForClipDone(w.t.ctx.db, queued.id);
      expect(clip).toMatchObject({ status: 'error', error_code: 'ASSET.LUMA', error_message: MESSAGES.asset });
      expect(w.luma.find(clip.provider_task_id!)!.frameFetch!.status).toBe(404);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    } finally {
      if (!w.workers) w.startWorkers();
    }
  });
});

describe('Luma callbacks', () => {
  it('a callback that arrives before the poll makes the clip ready within a second of it', async () => {
    await w.stopWorkers();
    // Polls far apart: only the callback can finish the clip in time.
    const slow = await startProvidersWorld({ LUMA_POLL_INTERVAL_MS: '60000' });
    try {
      slow.startWorkers();
      const { project, b } = await creator(slow.t, 1);
      slow.luma.plan([{ state: 'queued', ms: 100 }, { state: 'dreaming', ms: 400 }, { state: 'completed' }]);
      await uploadClip(b, project.id);
      const clipId = (await latestClip(slow.t.ctx.db, project.id)).id;
      const done = await waitFor(async () => slow.luma.callbacks.find((c) => c.state === 'completed'), 'the completed callback', 10_000);
      expect(done.status).toBe(200);
      const clip = await waitForClipDone(slow.t.ctx.db, clipId, 5_000);
      expect(clip.status).toBe('ready');
      expect(clip.finished_at!.getTime() - done.at).toBeLessThan(1000);
      // The route looked the generation up with the key before believing it.
      expect(slow.luma.requests.some((r) => r.method === 'GET' && r.path === `/generations/${clip.provider_task_id}` && r.at >= done.at - 1000)).toBe(true);
      await expectLedgerBalanced(slow.t.ctx.db);
    } finally {
      await slow.close();
      w.startWorkers();
    }
  });

  it('a forged callback claiming a dreaming generation completed changes nothing', async () => {
    const { project, b } = await creator(w.t, 1);
    w.luma.plan([{ state: 'queued', ms: 20 }, { state: 'dreaming', ms: 60_000 }, { state: 'completed' }]);
    await uploadClip(b, project.id);
    const clipId = (await latestClip(w.t.ctx.db, project.id)).id;
    const running = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, clipId);
      return c.provider_task_id && w.luma.find(c.provider_task_id)?.state === 'dreaming' ? c : null;
    }, 'the generation to be dreaming');
    const taskId = running.provider_task_id!;
    const videosBefore = w.luma.requests.filter((r) => r.path.startsWith('/videos/')).length;
    const forged = await fetch(`${w.publicUrl}/webhooks/luma`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: taskId, state: 'completed', assets: { video: `${w.luma.url}/videos/${taskId}-5.mp4?token=forged` } }),
    });
    expect(forged.status).toBe(200);
    const after = await getClip(w.t.ctx.db, clipId);
    expect(after.status).toBe('generating');
    expect(after.video_key).toBeNull();
    expect(w.luma.requests.filter((r) => r.path.startsWith('/videos/')).length).toBe(videosBefore);
    // Clean up: cancel the clip (refund) and see Luma told with DELETE.
    await b.post(`/clips/${clipId}/cancel`, {});
    await waitFor(async () => w.luma.deletes.includes(taskId), 'the generation to be deleted at Luma');
  });

  it('refuses a callback without an id and answers unknown ids without touching anything', async () => {
    const bad = await fetch(`${w.publicUrl}/webhooks/luma`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    expect(bad.status).toBe(400);
    const unknown = await fetch(`${w.publicUrl}/webhooks/luma`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: '00000000-0000-4000-8000-000000000000', state: 'completed' }) });
    expect(unknown.status).toBe(200);
  });
});
