import { beforeEach, describe, expect, it } from 'vitest';
import { access } from 'node:fs/promises';
import path from 'node:path';
import { balanceOf, createClip, getClip, ledgerFor, waitFor, waitForClipDone } from '../factories/clips.js';
import { takesOf } from '../factories/takes.js';
import { SAFETY_STEPS, sampleMp4 } from '../fakes/runway.js';
import { creator, useWorld, type World } from '../generation/world.js';
import { decoded } from '../setup/html.js';
import { forgetEdits } from '../factories/edits.js';

const world = useWorld();
let w: World;
beforeEach(() => {
  w = world();
});
const htmx = { 'hx-request': 'true' };

const exists = (key: string) => access(path.join(w.t.dataDir, 'objects', key)).then(() => true, () => false);

async function readyClip(credits = 3) {
  const c = await creator(w.t, credits);
  const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id, status: 'ready', video: await sampleMp4() });
  return { ...c, clip };
}

describe('approve and unapprove', () => {
  it('approves only ready clips; htmx gets the card, a plain form goes back to the project', async () => {
    const { b, clip, user, project } = await readyClip();
    const res = await b.post(`/clips/${clip.id}/approve`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-status="ready"');
    expect(decoded(res.body)).toContain('✓ Approved');
    expect((await getClip(w.t.ctx.db, clip.id)).approved).toBe(true);
    const plain = await b.post(`/clips/${clip.id}/unapprove`);
    expect(plain.statusCode).toBe(303);
    expect(plain.headers.location).toBe(`/projects/${project.id}#clip-${clip.id}`);
    expect((await getClip(w.t.ctx.db, clip.id)).approved).toBe(false);

    const queued = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued' });
    const refused = await b.post(`/clips/${queued.id}/approve`, {}, htmx);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('Only a finished clip');
    expect((await getClip(w.t.ctx.db, queued.id)).approved).toBe(false);
  });
});

describe('the card', () => {
  it('a ready card shows the video (muted looping preview) and stops polling', async () => {
    const { b, clip } = await readyClip();
    const res = await b.get(`/clips/${clip.id}`, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toMatch(/<video [^>]*src="\/media\/[^"]+"[^>]*muted loop playsinline/);
    expect(res.body).not.toMatch(/hx-trigger="[^"]*every/); // no polling; panels opened on demand may have their own trigger
    expect(res.body).toContain('Regenerate');
    expect(res.body).toContain(`action="/clips/${clip.id}/delete"`);
    expect(res.body).toContain('data-confirm=');
  });
});

describe('regenerate', () => {
  it('charges a new attempt, keeps the old video until the new one replaces it, then deletes the old object', async () => {
    const { b, clip, user } = await readyClip(3);
    w.fake.plan([{ status: 'RUNNING', progress: 0.3, polls: 8 }, { status: 'SUCCEEDED' }]);
    const res = await b.post(`/clips/${clip.id}/regenerate`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-status="queued"');
    expect(res.body).toMatch(/<video /); // the old video stays visible meanwhile
    expect(res.body).toContain('hx-trigger="every 10s');
    expect(res.body).toContain('data-credit-balance-update="1"');
    const queued = await getClip(w.t.ctx.db, clip.id);
    expect(queued).toMatchObject({ attempt: 2, status: 'queued', video_key: clip.video_key, credits_spent: 1, provider_task_id: null });
    expect(await ledgerFor(w.t.ctx.db, user.id)).toContainEqual({ amount: -1, type: 'generation', reference_id: `${clip.id}:2` });
    expect(await w.t.ctx.queues.generation.getJob(`${clip.id}.2`)).toBeTruthy();

    w.startWorkers();
    const running = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, clip.id);
      return c.progress > 0 ? c : undefined;
    }, 'regeneration running');
    expect(running.video_key).toBe(clip.video_key);
    expect(await exists(clip.video_key!)).toBe(true);

    const done = await waitForClipDone(w.t.ctx.db, clip.id);
    expect(done.status).toBe('ready');
    expect(done.video_key).toMatch(new RegExp(`${clip.id}\\.v2\\.mp4$`));
    expect(await exists(done.video_key!)).toBe(true);
    // The first take stays (design: takes are kept until the clip is deleted); the film uses the new one.
    expect(await exists(clip.video_key!)).toBe(true);
    expect((await takesOf(w.t.ctx.db, clip.id)).map((t) => [t.attempt, t.status, t.video_key])).toEqual([
      [1, 'ready', clip.video_key],
      [2, 'ready', done.video_key],
    ]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('a failed regeneration refunds that attempt and keeps the previous video', async () => {
    const { b, clip, user } = await readyClip(2);
    w.fake.plan(SAFETY_STEPS);
    w.startWorkers();
    await b.post(`/clips/${clip.id}/regenerate`);
    const done = await waitForClipDone(w.t.ctx.db, clip.id);
    expect(done).toMatchObject({ status: 'error', attempt: 2, video_key: clip.video_key });
    expect(await exists(clip.video_key!)).toBe(true);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund')).toEqual([{ amount: 1, type: 'refund', reference_id: `${clip.id}:2` }]);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    const card = await b.get(`/clips/${clip.id}`, htmx);
    expect(card.body).toContain('Try again');
  });

  it('refuses while unfinished (409) and without credits (402 with a link), changing nothing', async () => {
    const { b, clip, user, project } = await readyClip(1); // the clip took the only credit
    const broke = await b.post(`/clips/${clip.id}/regenerate`, {}, htmx);
    expect(broke.statusCode).toBe(402);
    expect(broke.body).toContain('href="/credits"');
    expect(await getClip(w.t.ctx.db, clip.id)).toMatchObject({ attempt: 1, status: 'ready' });
    const queued = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued', credits: 0 });
    expect((await b.post(`/clips/${queued.id}/regenerate`, {}, htmx)).statusCode).toBe(409);
  });
});

describe('cancel', () => {
  it('stops a running generation at Runway, marks it Cancelled and refunds once', async () => {
    const { b, user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued' });
    w.fake.plan([{ status: 'RUNNING', progress: 0.2, polls: 100000 }, { status: 'SUCCEEDED' }]);
    w.startWorkers();
    const { enqueueGeneration } = await import('../../src/generation/service.js');
    await enqueueGeneration(w.t.ctx, clip);
    const running = await waitFor(async () => {
      const c = await getClip(w.t.ctx.db, clip.id);
      return c.provider_task_id && c.progress > 0 ? c : undefined;
    }, 'running');
    const res = await b.post(`/clips/${clip.id}/cancel`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-status="error"');
    expect(res.body).toContain('Cancelled');
    expect(res.body).toContain('data-credit-balance-update="1"');
    expect(await getClip(w.t.ctx.db, clip.id)).toMatchObject({ status: 'error', error_code: 'CANCELLED', error_message: 'Cancelled' });
    await waitFor(async () => w.fake.statusOf(running.provider_task_id!) === 'DELETED', 'DELETE at the provider');
    expect((await b.post(`/clips/${clip.id}/cancel`, {}, htmx)).statusCode).toBe(409);
    expect((await ledgerFor(w.t.ctx.db, user.id)).filter((l) => l.type === 'refund')).toHaveLength(1);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });

  it('a cancelled queued clip is never submitted', async () => {
    const { b, user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'queued' });
    expect((await b.post(`/clips/${clip.id}/cancel`)).statusCode).toBe(303);
    const before = w.fake.submissions.length;
    const { enqueueGeneration } = await import('../../src/generation/service.js');
    await enqueueGeneration(w.t.ctx, clip);
    w.startWorkers();
    await waitFor(async () => (await w.t.ctx.queues.generation.getJob(clip.id))?.finishedOn, 'job to run');
    expect(w.fake.submissions.length).toBe(before);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
  });
});

describe('delete', () => {
  it('removes the row, keeps its objects while it can be undone, then deletes them; htmx gets a marker that updates the balance', async () => {
    const { b, clip, project } = await readyClip(2);
    const res = await b.post(`/clips/${clip.id}/delete`, {}, htmx);
    expect(res.statusCode).toBe(200);
    expect(res.body).toContain('data-credit-balance-update="1"'); // a finished clip is not refunded
    expect(decodeURIComponent(String(res.headers['x-undo-label']))).toBe('Clip deleted');
    expect(await w.t.ctx.db.selectFrom('clips').select('id').where('id', '=', clip.id).executeTakeFirst()).toBeUndefined();
    expect(await exists(clip.image_key)).toBe(true);
    expect(await exists(clip.video_key!)).toBe(true);
    await forgetEdits(w.t.ctx, project.id);
    expect(await exists(clip.image_key)).toBe(false);
    expect(await exists(clip.video_key!)).toBe(false);
  });

  it('deleting an unfinished clip refunds it', async () => {
    const { b, user, project } = await creator(w.t, 1);
    const clip = await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: user.id, projectId: project.id, status: 'generating' });
    expect((await b.post(`/clips/${clip.id}/delete`)).statusCode).toBe(303);
    expect(await balanceOf(w.t.ctx.db, user.id)).toBe(1);
    expect(await ledgerFor(w.t.ctx.db, user.id)).toContainEqual({ amount: 1, type: 'refund', reference_id: `${clip.id}:1` });
  });
});

describe('order', () => {
  async function threeClips() {
    const c = await creator(w.t, 5);
    const clips = [];
    for (let i = 0; i < 3; i++) clips.push(await createClip(w.t.ctx.db, w.t.ctx.storage, { userId: c.user.id, projectId: c.project.id }));
    return { ...c, ids: clips.map((x) => x.id) };
  }
  const positions = async (projectId: string) =>
    (await w.t.ctx.db.selectFrom('clips').select(['id', 'position']).where('project_id', '=', projectId).orderBy('position').execute()).map((r) => r.id);

  it('accepts a permutation of the project\'s own clips', async () => {
    const { b, project, ids } = await threeClips();
    const res = await b.post(`/projects/${project.id}/order`, { clip_ids: [ids[2]!, ids[0]!, ids[1]!] }, htmx);
    expect(res.statusCode).toBe(204);
    expect(await positions(project.id)).toEqual([ids[2], ids[0], ids[1]]);
    const plain = await b.post(`/projects/${project.id}/order`, { clip_ids: ids });
    expect(plain.statusCode).toBe(303);
    expect(await positions(project.id)).toEqual(ids);
  });

  it('refuses anything else with a 400 and leaves the order alone', async () => {
    const { b, project, ids } = await threeClips();
    const foreign = await threeClips();
    const bad = [[ids[0]!, ids[1]!], [...ids, ids[0]!], [ids[0]!, ids[1]!, foreign.ids[0]!], [ids[0]!, ids[0]!, ids[1]!], [...ids, 'nope'], []];
    for (const clip_ids of bad) {
      const res = await b.post(`/projects/${project.id}/order`, { clip_ids }, htmx);
      expect(res.statusCode).toBe(400);
    }
    expect(await positions(project.id)).toEqual(ids);
    expect(await positions(foreign.project.id)).toEqual(foreign.ids);
  });

  it('moves one step up or down without JavaScript', async () => {
    const { b, project, ids } = await threeClips();
    const res = await b.post(`/clips/${ids[2]}/move`, { dir: 'up' });
    expect(res.statusCode).toBe(303);
    expect(await positions(project.id)).toEqual([ids[0], ids[2], ids[1]]);
    await b.post(`/clips/${ids[0]}/move`, { dir: 'up' }); // already first: no change
    await b.post(`/clips/${ids[0]}/move`, { dir: 'down' });
    expect(await positions(project.id)).toEqual([ids[2], ids[0], ids[1]]);
    expect((await b.post(`/clips/${ids[0]}/move`, { dir: 'sideways' })).statusCode).toBe(400);
  });
});
