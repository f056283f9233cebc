import { beforeEach, describe, expect, it } from 'vitest';
import { Worker, type Job } from 'bullmq';
import { redisOptions } from '../../src/platform/redis.js';
import { makeGenerationProcessor } from '../../src/generation/process.js';
import { MESSAGES } from '../../src/generation/messages.js';
import type { GenerationJobData } from '../../src/generation/service.js';
import { balanceOf, getClip, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { creator, useWorld, type World } from './world.js';

// Issue 24 item 3 for generations: a failure of ours (the database, Redis, a crash) is tried again
// by BullMQ (8 tries); on the last one the clip ends plainly as ours, refunded, the provider's task
// cancelled, never "try again". Waiting out seven real backoffs would take minutes, so the worker
// here hands the processor each job as its tries have run out: the processor's own rule decides.

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});

function crashingWorker(onLastTry: boolean) {
  const processor = makeGenerationProcessor(w.t.ctx, {
    afterSubmit: () => {
      throw new Error('simulated failure of ours after submitting');
    },
  });
  const worker = new Worker<GenerationJobData>(
    'generation',
    (job: Job<GenerationJobData>, token?: string) => {
      if (onLastTry) job.attemptsMade = (job.opts.attempts ?? 1) - 1;
      return processor(job, token);
    },
    { connection: { ...redisOptions(w.t.ctx.config.REDIS_URL), maxRetriesPerRequest: null }, prefix: w.t.ctx.config.QUEUE_PREFIX, concurrency: 1 },
  );
  worker.on('error', () => {});
  return worker;
}

describe('a generation failing on our side', () => {
  it('is handed back to BullMQ for another try while tries remain (the clip keeps generating, nothing refunded)', async () => {
    const { user, project, b } = await creator(w.t, 2);
    w.fake.plan([{ status: 'RUNNING', progress: 0.3, polls: 1000 }]);
    const worker = crashingWorker(false);
    const failed = new Promise<Job | undefined>((resolve) => worker.once('failed', (job) => resolve(job)));
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    const job = await failed;
    await worker.close();
    expect(job?.opts.attempts).toBe(8);
    expect(job?.attemptsMade).toBe(1);
    const clip = await getClip(w.t.ctx.db, id);
    expect(clip.status).toBe('generating');
    expect((await ledgerFor(w.t.ctx.db, user.id)).some((l) => l.type === 'refund')).toBe(false);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    // Its card says the retry is ours and automatic, never that it failed or to try again.
    const during = (await b.get(`/clips/${id}`)).body;
    expect(during).toContain('data-status="generating"');
    expect(during).toContain('data-retrying');
    expect(during).toContain('on our side, so we are trying again automatically');
    expect(during).not.toContain('badge-danger');
    expect(during).not.toContain('Try again');
    // Finish it for real, so the next test starts clean: the normal workers resume the same task.
    const task = w.fake.tasks.get(clip.provider_task_id!)!;
    task.steps = [{ status: 'SUCCEEDED' }];
    task.index = 0;
    w.startWorkers();
    expect((await waitForClipDone(w.t.ctx.db, id, 20_000)).status).toBe('ready');
    expect((await b.get(`/clips/${id}`)).body).not.toContain('data-retrying');
  });

  it('on its last try ends the clip as ours: plain words, credits refunded, the task cancelled', async () => {
    const { user, project, b } = await creator(w.t, 2);
    w.fake.plan([{ status: 'RUNNING', progress: 0.3, polls: 1000 }]);
    const worker = crashingWorker(true);
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    const clip = await waitForClipDone(w.t.ctx.db, id, 20_000);
    await worker.close();
    expect(clip.status).toBe('error');
    expect(clip.error_message).toBe(MESSAGES.ours);
    expect(clip.error_message).toContain('because of a problem on our side');
    expect(clip.error_message).not.toMatch(/try again/i);
    expect(clip.provider_task_id).toBeTruthy();
    await waitFor(async () => w.fake.deletes.includes(clip.provider_task_id!) || undefined, 'the provider task to be cancelled', 10_000);
    const ledger = await ledgerFor(w.t.ctx.db, user.id);
    expect(ledger.filter((l) => l.type === 'refund' && l.reference_id === `${id}:1`)).toHaveLength(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(2);
  });
});
