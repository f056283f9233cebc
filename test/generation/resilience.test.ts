import { beforeEach, describe, expect, it } from 'vitest';
import { Worker } from 'bullmq';
import { createQueues } from '../../src/platform/queues.js';
import { redisOptions } from '../../src/platform/redis.js';
import { makeGenerationProcessor } from '../../src/generation/process.js';
import { sweepGenerations } from '../../src/generation/sweeper.js';
import { enqueueGeneration } from '../../src/generation/service.js';
import { balanceOf, createClip, getClip, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { creator, useWorld, type World } from './world.js';

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});

function workerWith(processor: ReturnType<typeof makeGenerationProcessor>) {
  const worker = new Worker('generation', processor, {
    connection: { ...redisOptions(w.t.ctx.config.REDIS_URL), maxRetriesPerRequest: null },
    prefix: w.t.ctx.config.QUEUE_PREFIX,
    concurrency: 5,
  });
  worker.on('error', () => {});
  return worker;
}

describe('generation survives crashes and outages', () => {
  it('a worker that dies right after submitting: on restart it resumes the same task (one task, one charge)', async () => {
    const { user, project, b } = await creator(w.t, 2);
    w.fake.plan([{ status: 'PENDING' }, { status: 'RUNNING', progress: 0.5, polls: 3 }, { status: 'SUCCEEDED' }]);
    const crashing = workerWith(
      makeGenerationProcessor(w.t.ctx, {
        afterSubmit: () => {
          throw new Error('simulated crash after submit');
        },
      }),
    );
    const failed = new Promise((resolve) => crashing.once('failed', resolve));
    const before = w.fake.submissions.length;
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    await failed;
    await crashing.close();
    const mid = await getClip(w.t.ctx.db, id);
    expect(mid.status).toBe('generating');
    expect(mid.provider_task_id).toBeTruthy();

    w.startWorkers();
    const clip = await waitForClipDone(w.t.ctx.db, id, 20_000);
    expect(clip.status).toBe('ready');
    expect(clip.provider_task_id).toBe(mid.provider_task_id);
    expect(w.fake.submissions.length - before).toBe(1);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation')).toHaveLength(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('workers stopped mid-generation and started again finish the clip without a second task', async () => {
    const { project, b } = await creator(w.t, 1);
    w.fake.plan([{ status: 'RUNNING', progress: 0.2, polls: 6 }, { status: 'SUCCEEDED' }]);
    const before = w.fake.submissions.length;
    w.startWorkers();
    await uploadClip(b, project.id);
    const id = (await latestClip(w.t.ctx.db, project.id)).id;
    await waitFor(async () => (await getClip(w.t.ctx.db, id)).progress > 0, 'running');
    await w.stopWorkers();
    expect((await getClip(w.t.ctx.db, id)).status).toBe('generating');
    w.startWorkers();
    expect((await waitForClipDone(w.t.ctx.db, id)).status).toBe('ready');
    expect(w.fake.submissions.length - before).toBe(1);
  });

  it('a submitter that vanished before recording its task is replaced after the claim goes stale', async () => {
    const { user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'generating' });
    await w.t.ctx.db.updateTable('clips').set({ submitted_at: new Date(Date.now() - 3 * 60_000), take_id: null }).where('id', '=', clip.id).execute();
    w.startWorkers();
    await enqueueGeneration(w.t.ctx, clip);
    expect((await waitForClipDone(w.t.ctx.db, clip.id)).status).toBe('ready');
  });

  it('Redis down at submit: the clip stays queued, nothing is lost, and the sweeper enqueues it later', async () => {
    const { user, project, b } = await creator(w.t, 1);
    const working = w.t.ctx.queues;
    const dead = createQueues('redis://127.0.0.1:1', w.t.ctx.config.QUEUE_PREFIX);
    w.t.ctx.queues = dead;
    try {
      const res = await uploadClip(b, project.id);
      expect(res.statusCode).toBe(303);
      const clip = await latestClip(w.t.ctx.db, project.id);
      expect(clip.status).toBe('queued');
      expect(await balanceOf(w.t.ctx.db, user.id)).toBe(0);
      expect(await sweepGenerations(w.t.ctx, { olderThanMs: 0 }).catch(() => 0)).toBe(0);
    } finally {
      w.t.ctx.queues = working;
      await dead.close();
    }
    const clip = await latestClip(w.t.ctx.db, project.id);
    expect(await working.generation.getJob(clip.id)).toBeUndefined();
    // Too fresh for the sweeper (it leaves clips younger than 30 s to their own enqueue).
    expect(await sweepGenerations(w.t.ctx)).toBe(0);
    await w.t.ctx.db.updateTable('clips').set({ updated_at: new Date(Date.now() - 60_000) }).where('id', '=', clip.id).execute();
    expect(await sweepGenerations(w.t.ctx)).toBe(1);
    expect(await sweepGenerations(w.t.ctx, { olderThanMs: 0 })).toBe(0); // the job exists now
    w.startWorkers();
    expect((await waitForClipDone(w.t.ctx.db, clip.id)).status).toBe('ready');
  });

  it('a job that failed for good (our own outage) is replaced by the sweeper', async () => {
    const { user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued' });
    await w.t.ctx.db.updateTable('clips').set({ take_id: null }).where('id', '=', clip.id).execute();
    const broken = workerWith(async () => {
      throw new Error('database unavailable');
    });
    const failed = new Promise((resolve) => broken.once('failed', resolve));
    await w.t.ctx.queues.generation.add('generate', { clipId: clip.id, attempt: 1 }, { jobId: clip.id, attempts: 1 });
    await failed;
    await broken.close();
    expect(await (await w.t.ctx.queues.generation.getJob(clip.id))!.getState()).toBe('failed');
    expect(await sweepGenerations(w.t.ctx, { olderThanMs: 0 })).toBe(1);
    w.startWorkers();
    expect((await waitForClipDone(w.t.ctx.db, clip.id)).status).toBe('ready');
  });

  it('a duplicate job for a finished clip does nothing', async () => {
    const { user, project, b } = await creator(w.t, 1);
    w.startWorkers();
    await uploadClip(b, project.id);
    const clip = await waitForClipDone(w.t.ctx.db, (await latestClip(w.t.ctx.db, project.id)).id);
    const requests = w.fake.requests.length;
    await w.t.ctx.queues.generation.add('generate', { clipId: clip.id, attempt: 1 }, { jobId: `${clip.id}.dup` });
    await waitFor(async () => (await w.t.ctx.queues.generation.getJob(`${clip.id}.dup`))?.finishedOn, 'duplicate job');
    expect(w.fake.requests.length).toBe(requests);
    const after = await getClip(w.t.ctx.db, clip.id);
    expect(after.finished_at).toEqual(clip.finished_at);
    expect((await ledgerFor(w.t.ctx.db, user.id)).length).toBe(2);
  });
});
