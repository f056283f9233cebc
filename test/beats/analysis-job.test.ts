import { Worker } from 'bullmq';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { analysisProcessor } from '../../src/beats/jobs.js';
import { enqueueAnalysis, runAnalysis } from '../../src/beats/service.js';
import { planForProject } from '../../src/film/service.js';
import { findAnalysis } from '../../src/beats/queries.js';
import { redisOptions } from '../../src/platform/redis.js';
import type { MusicAnalysis } from '../../src/platform/db-types.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { createProject, createUser } from '../factories.js';
import { attachMusic, clickTimes, clickTrack, noBeatTrack } from '../factories/beats.js';
import { waitFor } from '../setup/wait.js';

let tc: TestContext;
let worker: Worker;

beforeAll(async () => {
  tc = await createTestContext();
  // The real processor on the real queue, as src/worker.ts runs it.
  worker = new Worker('analysis', analysisProcessor(tc.ctx), {
    connection: { ...redisOptions(tc.ctx.config.REDIS_URL), maxRetriesPerRequest: null },
    prefix: tc.ctx.config.QUEUE_PREFIX,
    concurrency: 2,
  });
});

afterAll(async () => {
  await worker?.close();
  await tc?.close();
});

function settled(projectId: string, timeoutMs = 25_000): Promise<MusicAnalysis> {
  return waitFor(async () => {
    const row = await findAnalysis(tc.ctx.db, projectId);
    return row && !['queued', 'running'].includes(row.status) ? row : undefined;
  }, 'the analysis to settle', timeoutMs, 100);
}

async function projectWith(bytes: Buffer, durationS: number) {
  const user = await createUser(tc.ctx.db);
  const project = await createProject(tc.ctx.db, user.id);
  const key = await attachMusic(tc.ctx, project, bytes, durationS);
  return { project, key };
}

describe('beat analysis job', () => {
  it('finds 120 BPM, every beat within 20 ms and the bar starts of a click track', async () => {
    const opts = { bpm: 120, seconds: 24, firstBeatS: 0.25, accentPhase: 2 };
    const { project } = await projectWith(await clickTrack(opts), 24);
    expect(await enqueueAnalysis(tc.ctx, project.id)).toBe(true);
    const row = await settled(project.id);

    expect(row.status).toBe('ready');
    expect(row.tempo_bpm).toBeGreaterThanOrEqual(119);
    expect(row.tempo_bpm).toBeLessThanOrEqual(121);
    const truth = clickTimes(opts);
    expect(row.beats).toHaveLength(truth.length);
    const errors = truth.map((t, i) => Math.abs(row.beats[i]! - t));
    expect(Math.max(...errors)).toBeLessThan(0.02);
    // Accented clicks: the third of every four, from 1.25 s.
    const bars = truth.filter((_, i) => i % 4 === 2);
    expect(row.downbeats).toHaveLength(bars.length);
    row.downbeats.forEach((d, i) => expect(Math.abs(d - bars[i]!)).toBeLessThan(0.02));
    expect(row.waveform).toHaveLength(240); // ten a second
    expect(Math.max(...row.waveform)).toBe(1);
    expect(row.duration_s).toBeCloseTo(24, 0);
  });

  it.each(['noise', 'sine'] as const)('marks %s as no_beat with a note', async (kind) => {
    const { project } = await projectWith(await noBeatTrack(kind, 12), 12);
    await enqueueAnalysis(tc.ctx, project.id);
    const row = await settled(project.id);
    expect(row.status).toBe('no_beat');
    expect(row.beats).toEqual([]);
    expect(row.tempo_bpm).toBeNull();
    expect(row.note).toMatch(/cut evenly/);
  });

  it('records a corrupt file as an error with a clear message, without failing the worker', async () => {
    const junk = Buffer.concat([Buffer.from('ID3'), Buffer.alloc(4000, 0x5a)]);
    const { project } = await projectWith(junk, 10);
    await enqueueAnalysis(tc.ctx, project.id);
    const row = await settled(project.id);
    expect(row.status).toBe('error');
    expect(row.error_message).toMatch(/could not read this audio file/);
    expect(await worker.isRunning()).toBe(true);
  });

  it('skips a track the project no longer has, and is safe to run twice', async () => {
    const { project, key } = await projectWith(await clickTrack({ seconds: 10 }), 10);
    await enqueueAnalysis(tc.ctx, project.id);
    const first = await settled(project.id);
    expect(first.status).toBe('ready');
    // Run again for the same track: already done, nothing changes.
    expect(await runAnalysis(tc.ctx, project.id, key, true)).toBe('stale');
    expect((await findAnalysis(tc.ctx.db, project.id))?.finished_at).toEqual(first.finished_at);
    // The project moved on to another track: the old job does nothing.
    await tc.ctx.db.updateTable('projects').set({ music_key: `${key}.new` }).where('id', '=', project.id).execute();
    expect(await runAnalysis(tc.ctx, project.id, key, true)).toBe('stale');
  });

  it('does nothing for a project without music', async () => {
    const user = await createUser(tc.ctx.db);
    const project = await createProject(tc.ctx.db, user.id);
    expect(await enqueueAnalysis(tc.ctx, project.id)).toBe(false);
    expect(await findAnalysis(tc.ctx.db, project.id)).toBeUndefined();
  });

  it('plans a project from its analysis and its setting, for the player and the export alike', async () => {
    const { project } = await projectWith(await clickTrack({ seconds: 16 }), 16);
    const clips = [{ id: 'a', durationS: 5 }, { id: 'b', durationS: 4 }, { id: 'c', durationS: 5 }];
    const row = () => tc.ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();

    const early = await planForProject(tc.ctx.db, await row(), clips, 0.3);
    expect(early).toMatchObject({ aligned: false, note: expect.stringMatching(/still being analysed/) });

    await enqueueAnalysis(tc.ctx, project.id);
    await settled(project.id);
    const plan = await planForProject(tc.ctx.db, await row(), clips, 0.3);
    expect(plan.aligned).toBe(true);
    expect(plan.segments.map((s) => s.cutS)).toEqual([expect.closeTo(4.75, 1), expect.closeTo(8.25, 1), null]);

    await tc.ctx.db.updateTable('projects').set({ cut_on_beat: false }).where('id', '=', project.id).execute();
    const off = await planForProject(tc.ctx.db, await row(), clips, 0.3);
    expect(off.aligned).toBe(false);
    expect(off.segments.map((s) => s.outS)).toEqual([5, 4, 5]);
  });
});
