import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { saveSettings } from '../../src/settings/service.js';
import { breakerFor } from '../../src/generation/submit.js';
import { registry } from '../../src/platform/metrics.js';
import { expectLedgerBalanced } from '../factories.js';
import { balanceOf, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { SAFETY_STEPS } from '../fakes/runway.js';
import { MESSAGES } from '../../src/generation/messages.js';
import { creator } from './world.js';
import { startProvidersWorld, type ProvidersWorld } from './luma-world.js';
import { forkWorker, stopAll } from './worker-fork.js';

// Runway primary, Luma fallback. The breaker opens after 2 refusals and cools down after 30 s: long
// enough that the third clip of the breaker test reaches the other worker while it is still open on a
// loaded machine (with 12 s, a CI run at load 20 closed it first and the clip went to Runway).
let w: ProvidersWorld;
const children: ChildProcess[] = [];
beforeAll(async () => {
  w = await startProvidersWorld({ ACTIVE_AI_PROVIDER: 'runway', PROVIDER_BREAKER_FAILURES: '2', PROVIDER_BREAKER_COOLDOWN_MS: '30000' });
  await saveSettings(w.t.ctx.db, { provider: 'runway', fallbackProvider: 'luma' });
});
afterAll(async () => {
  await stopAll(children);
  await w?.close();
});
afterEach(async () => {
  await stopAll(children);
  await w.stopWorkers();
  w.runway.clearFailures();
  await expectLedgerBalanced(w.t.ctx.db);
  const keys = await w.t.ctx.redis.keys(`${w.t.ctx.config.QUEUE_PREFIX}:breaker:*`);
  if (keys.length) await w.t.ctx.redis.del(...keys);
});

async function submissions(clipId: string) {
  return w.t.ctx.db.selectFrom('provider_submissions').select(['provider', 'status', 'reason']).where('clip_id', '=', clipId).orderBy('created_at').execute();
}

async function failovers(reason: string): Promise<number> {
  const m = (await registry.getSingleMetric('echoes_provider_failovers_total')!.get()).values.find((v) => v.labels.reason === reason && v.labels.from === 'runway');
  return m?.value ?? 0;
}

describe('failover from Runway to Luma', () => {
  it('Runway answering 503 to every create: the clip is made by Luma, charged once at the price shown', async () => {
    w.startWorkers();
    const { user, project, b } = await creator(w.t, 3);
    const runwayBefore = w.runway.submissions.length;
    const metricBefore = await failovers('server_error');
    w.runway.failNext('submit', { status: 503 }, 20);
    // Luma costs more here: the creator still pays the Runway price they were shown.
    await saveSettings(w.t.ctx.db, { providerCosts: { 'luma:ray-2': 3 } });
    try {
      await uploadClip(b, project.id, { duration: 5 });
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id, 20_000);
      expect(clip.status).toBe('ready');
      expect(clip).toMatchObject({ provider: 'luma', model: 'ray-2', failover_from: 'runway', failover_reason: 'server_error' });
      expect(w.luma.generations.filter((g) => g.id === clip.provider_task_id)).toHaveLength(1);
      expect(w.runway.submissions.length).toBe(runwayBefore);
      expect(await submissions(clip.id)).toEqual([
        { provider: 'runway', status: 'refused', reason: 'server_error' },
        { provider: 'luma', status: 'accepted', reason: null },
      ]);
      expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation' || l.type === 'refund')).toEqual([{ amount: -1, type: 'generation', reference_id: `${clip.id}:1` }]);
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
      expect(await failovers('server_error')).toBe(metricBefore + 1);
    } finally {
      w.runway.clearFailures();
      await saveSettings(w.t.ctx.db, { providerCosts: {} });
    }
  }, 30_000);

  it('fails over on a 429 with no room soon and on Runway being out of credits, naming the reason', async () => {
    w.startWorkers();
    const { project, b } = await creator(w.t, 2);
    w.runway.failNext('submit', { status: 429, retryAfter: 3600 });
    await uploadClip(b, project.id);
    const limited = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(limited).toMatchObject({ status: 'ready', provider: 'luma', failover_reason: 'rate_limited' });

    w.runway.failNext('submit', { status: 400, error: 'You do not have enough credits to run this task.' });
    await uploadClip(b, project.id);
    const broke = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(broke).toMatchObject({ status: 'ready', provider: 'luma', failover_reason: 'out_of_credits' });
    expect((await submissions(broke.id))[0]).toMatchObject({ provider: 'runway', status: 'refused', reason: 'out_of_credits' });
  });

  it('a Runway SAFETY failure is the creator’s outcome: no failover, refunded', async () => {
    w.startWorkers();
    const { user, project, b } = await creator(w.t, 1);
    const lumaBefore = w.luma.generations.length;
    w.runway.plan(SAFETY_STEPS);
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip).toMatchObject({ status: 'error', provider: 'runway', failover_from: null, error_message: MESSAGES.safety });
    expect(w.luma.generations.length).toBe(lumaBefore);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund')).toEqual([{ amount: 1, type: 'refund', reference_id: `${clip.id}:1` }]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('a bad request at Runway never fails over', async () => {
    w.startWorkers();
    const { project, b } = await creator(w.t, 1);
    const lumaBefore = w.luma.generations.length;
    w.runway.failNext('submit', { status: 400, error: 'Validation of body failed' });
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    expect(clip).toMatchObject({ status: 'error', provider: 'runway', failover_from: null });
    expect(w.luma.generations.length).toBe(lumaBefore);
  });

  it('the breaker opens after 2 refusals, sends the next clip straight to Luma in another worker process, and closes after the cool-down', async () => {
    // Another worker process, started first (it takes a while): it will take the third clip.
    await forkWorker(w.t.env, children);
    w.startWorkers();
    const { project, b } = await creator(w.t, 10);
    w.runway.failNext('submit', { status: 503 }, 6); // each create is tried 3 times (2 retries)
    for (let i = 0; i < 2; i++) {
      await uploadClip(b, project.id);
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id, 20_000);
      expect(clip).toMatchObject({ status: 'ready', provider: 'luma', failover_reason: 'server_error' });
    }
    expect(await breakerFor(w.t.ctx).isOpen('runway')).toBe(true);
    await w.stopWorkers();

    // Only the other process is left, over the same Redis: it sees the open breaker and never calls Runway.
    const runwayCalls = w.runway.requests.filter((r) => r.method === 'POST').length;
    await uploadClip(b, project.id);
    const third = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id, 20_000);
    expect(third).toMatchObject({ status: 'ready', provider: 'luma', failover_from: 'runway', failover_reason: 'breaker_open' });
    expect(w.runway.requests.filter((r) => r.method === 'POST').length).toBe(runwayCalls);
    expect(await submissions(third.id)).toEqual([
      { provider: 'runway', status: 'refused', reason: 'breaker_open' },
      { provider: 'luma', status: 'accepted', reason: null },
    ]);

    // After the cool-down the primary is tried again, and a success closes the breaker for good.
    await waitFor(async () => !(await breakerFor(w.t.ctx).isOpen('runway')), 'the cool-down to pass', 45_000);
    await uploadClip(b, project.id);
    const fourth = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id, 20_000);
    expect(fourth).toMatchObject({ status: 'ready', provider: 'runway', failover_from: null });
  }, 150_000);

  it('a provider the admin marks down is skipped at once', async () => {
    w.startWorkers();
    await saveSettings(w.t.ctx.db, { providersDown: ['runway'] });
    try {
      const { project, b } = await creator(w.t, 1);
      const runwayCalls = w.runway.requests.filter((r) => r.method === 'POST').length;
      await uploadClip(b, project.id);
      const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
      expect(clip).toMatchObject({ status: 'ready', provider: 'luma', failover_reason: 'marked_down' });
      expect(w.runway.requests.filter((r) => r.method === 'POST').length).toBe(runwayCalls);
    } finally {
      await saveSettings(w.t.ctx.db, { providersDown: [] });
    }
  });
});
