import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import type { Job } from 'bullmq';
import type { AppContext } from '../../src/platform/context.js';
import { analysisProcessor } from '../../src/beats/jobs.js';
import { planForProject } from '../../src/film/service.js';
import { upsertQueued } from '../../src/beats/queries.js';
import { CROSSFADE_S, type CutPlan } from '../../src/film/plan.js';
import { attachMusic, clickTrack } from '../factories/beats.js';
import { insertClip } from '../factories/media.js';

// A beat-synced project played in a real Chromium (beat-player.ts) and exported (beat-export.ts),
// each measured against the one cut plan. Shared by the tests in test/beats/ and bench/beat-drift.ts
// (so no vitest here).

export const DRIFT_FILE = path.resolve('.tmp/beat-drift.json');

/**
 * Clip lengths in seconds. Lengths are whole seconds in the database, so every one is a multiple of
 * a 120 BPM beat (0.5 s): the click track starts off the half-second grid (FIRST_BEAT_S) and every
 * natural cut (a clip shown whole, midway through the crossfade) falls between beats, so each cut is
 * moved, by a different amount, onto the music.
 */
export const CLIP_SECONDS = [3, 4, 2, 3];
export const BPM = 120;
export const FIRST_BEAT_S = 0.37;

export interface BeatProject {
  project: { id: string; user_id: string };
  clipIds: string[];
  plan: CutPlan;
  beats: number[];
}

/**
 * A project of solid-colour clips (red, green, blue, amber…) and a 120 BPM click track a few seconds
 * longer than the film, analysed by the real analysis job processor; cut on the beat is on (the
 * default). Returns the plan the player and the export both follow.
 */
export async function seedBeatProject(ctx: AppContext, userId: string, clipSeconds = CLIP_SECONDS): Promise<BeatProject> {
  const project = await ctx.db.insertInto('projects').values({ user_id: userId, title: 'Beat sync', ratio: '1280:720' }).returning(['id', 'user_id']).executeTakeFirstOrThrow();
  const clips = [];
  for (const [position, durationS] of clipSeconds.entries()) clips.push(await insertClip(ctx, { userId, projectId: project.id, position, durationS }));
  const filmS = clipSeconds.reduce((a, b) => a + b, 0) - CROSSFADE_S * (clipSeconds.length - 1);
  const musicS = Math.ceil(filmS) + 3;
  const musicKey = await attachMusic(ctx, project, await clickTrack({ bpm: BPM, seconds: musicS, firstBeatS: FIRST_BEAT_S }), musicS, 'click-120.mp3');

  await upsertQueued(ctx.db, project.id, musicKey);
  const job = { data: { projectId: project.id, musicKey }, attemptsMade: 0, opts: { attempts: 1 } } as unknown as Job;
  const outcome = await analysisProcessor(ctx)(job);
  const analysis = await ctx.db.selectFrom('music_analyses').selectAll().where('project_id', '=', project.id).executeTakeFirstOrThrow();
  if (outcome !== 'done' || analysis.status !== 'ready') throw new Error(`analysis ended ${String(outcome)} / ${analysis.status}`);

  const row = await ctx.db.selectFrom('projects').selectAll().where('id', '=', project.id).executeTakeFirstOrThrow();
  const plan = await planForProject(ctx.db, row, clips.map((c) => ({ id: c.id, durationS: c.duration_s })));
  if (!plan.aligned) throw new Error(`plan not aligned: ${plan.note ?? ''}`);
  return { project, clipIds: clips.map((c) => c.id), plan, beats: analysis.beats };
}

/** One transition: where the plan puts it and where it was seen, on the music's clock (seconds). */
export interface CutError {
  to: number;
  plannedS: number;
  seenS: number | null;
  errorMs: number | null;
}

export function cutErrors(planned: number[], seen: Array<number | null>): CutError[] {
  return planned.map((p, i) => {
    const s = seen[i] ?? null;
    return { to: i + 1, plannedS: p, seenS: s, errorMs: s === null ? null : Math.round((s - p) * 10_000) / 10 };
  });
}

export function worstMs(errors: CutError[]): number {
  return Math.max(0, ...errors.map((e) => (e.errorMs === null ? Infinity : Math.abs(e.errorMs))));
}

/** Merges one part ('player' or 'export') into .tmp/beat-drift.json, keeping the other's last figures. */
export async function writeDrift(part: 'player' | 'export', data: unknown): Promise<void> {
  await mkdir(path.dirname(DRIFT_FILE), { recursive: true });
  let all: Record<string, unknown> = {};
  try {
    all = JSON.parse(await readFile(DRIFT_FILE, 'utf8')) as Record<string, unknown>;
  } catch {
    /* first write */
  }
  all[part] = { measuredAt: new Date().toISOString(), ...(data as object) };
  await writeFile(DRIFT_FILE, JSON.stringify(all, null, 2));
}
