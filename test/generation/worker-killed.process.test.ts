import { afterEach, describe, expect, it } from 'vitest';
import type { ChildProcess } from 'node:child_process';
import { balanceOf, latestClip, ledgerFor, uploadClip, waitFor, waitForClipDone } from '../factories/clips.js';
import { creator, useWorld, type World } from './world.js';
import { exited, forkWorker, stopAll } from './worker-fork.js';

// A worker process killed with SIGKILL in the middle of a job (downloading the finished video):
// another worker takes the job back once its lock lapses and finishes the clip, with the same
// provider task and one charge.

const world = useWorld();
const children: ChildProcess[] = [];
const startWorkerProcess = (w: World) => forkWorker(w.t.env, children);

afterEach(async () => {
  await stopAll(children);
});

describe('a worker killed with SIGKILL mid-job', () => {
  it('has its job picked up by another worker: the clip finishes, one provider task, one charge', async () => {
    const w = world();
    const { user, project, b } = await creator(w.t, 2);
    w.fake.plan([{ status: 'PENDING' }, { status: 'SUCCEEDED' }]);
    w.fake.failNext('output', { status: 200, hold: true });
    const submittedBefore = w.fake.submissions.length;

    const first = await startWorkerProcess(w);
    expect((await uploadClip(b, project.id)).statusCode).toBe(303);
    const clipId = (await latestClip(w.t.ctx.db, project.id)).id;
    await waitFor(async () => w.fake.requests.some((r) => r.path.startsWith('/outputs/') && r.status === -1), 'the worker to start downloading the video', 20_000);
    first.kill('SIGKILL');
    await exited(first);
    expect((await latestClip(w.t.ctx.db, project.id)).status).toBe('generating');

    await startWorkerProcess(w);
    const clip = await waitForClipDone(w.t.ctx.db, clipId, 30_000);
    expect(clip.status).toBe('ready');
    expect(w.fake.submissions.length - submittedBefore).toBe(1);
    expect(clip.provider_task_id).toBe(w.fake.submissions.at(-1)!.id);
    expect(w.fake.requests.filter((r) => r.path.startsWith('/outputs/') && r.status === 200)).toHaveLength(1);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'generation')).toHaveLength(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  }, 60_000);
});
