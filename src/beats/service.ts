import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AppContext } from '../platform/context.js';
import type { Conn } from '../platform/db.js';
import type { CutMode, MusicAnalysis, Project } from '../platform/db-types.js';
import { enqueue } from '../platform/queues.js';
import { analyseFile } from './dsp/analyse-file.js';
import { gaveUpMessage, RETRY_OURS, RETRYING_MESSAGE } from '../platform/job-retry.js';
import { findAnalysis, findProjectMusic, markRetrying, markRunning, saveError, saveResult, updateBeatSync, upsertQueued } from './queries.js';
import { DecodeError } from './dsp/decode.js';

export const ANALYSIS_GAVE_UP = gaveUpMessage('We could not analyse this track');

/** BullMQ ids may not contain ':'; one job per (project, track). */
export function analysisJobId(projectId: string, musicKey: string): string {
  return `${projectId}_${createHash('sha1').update(musicKey).digest('hex').slice(0, 16)}`;
}

/**
 * Starts the beat analysis of the project's current track: the row becomes `queued` for that
 * music_key, then a job is enqueued. Call it after the track is stored and projects.music_key
 * saved (outside the transaction). Returns false when there is no track or Redis did not take
 * the job; the row stays `queued` and the analysis fragment enqueues it again when polled.
 */
export async function enqueueAnalysis(ctx: Pick<AppContext, 'db' | 'queues'>, projectId: string): Promise<boolean> {
  const project = await findProjectMusic(ctx.db, projectId);
  if (!project?.music_key) return false;
  await upsertQueued(ctx.db, projectId, project.music_key);
  return requeue(ctx, project.user_id, projectId, project.music_key);
}

/** Enqueues the job for a row that is already `queued` (idempotent: same id, same job). */
export function requeue(ctx: Pick<AppContext, 'queues'>, userId: string, projectId: string, musicKey: string): Promise<boolean> {
  return enqueue(
    ctx.queues.analysis,
    'analyse',
    { projectId, musicKey, userId },
    {
      jobId: analysisJobId(projectId, musicKey),
      ...RETRY_OURS,
      // Gone when done, so the same track can be analysed again later; the row keeps the outcome.
      removeOnComplete: true,
      removeOnFail: true,
    },
  );
}

// A row queued this long without being picked up lost its job (Redis was away): enqueue again.
const LOST_AFTER_MS = 30_000;

/**
 * Heals a missing analysis when the fragment is polled: a track without a row (uploaded before
 * the upload route enqueued, or Redis was down) or a row queued too long is (re)enqueued.
 */
export async function ensureAnalysis(ctx: Pick<AppContext, 'db' | 'queues'>, project: Pick<Project, 'id' | 'user_id' | 'music_key'>): Promise<void> {
  if (!project.music_key) return;
  const row = await findAnalysis(ctx.db, project.id);
  if (!row || row.music_key !== project.music_key) {
    await enqueueAnalysis(ctx, project.id);
  } else if (row.status === 'queued' && Date.now() - row.updated_at.getTime() > LOST_AFTER_MS) {
    await requeue(ctx, project.user_id, project.id, row.music_key);
  }
}

export type AnalysisOutcome = 'done' | 'stale' | 'error';

/**
 * The job: analyse the track at `musicKey` for the project, unless the project has another track
 * by now or this one is already done (safe to run twice). An unreadable file ends as `error` with
 * what to change, and is not retried; a failure of ours (storage, database, a crash) is thrown for
 * BullMQ to retry, the panel saying so meanwhile, and on the last try it ends as `error` saying
 * plainly that it was ours.
 */
export async function runAnalysis(ctx: AppContext, projectId: string, musicKey: string, lastAttempt: boolean): Promise<AnalysisOutcome> {
  const project = await findProjectMusic(ctx.db, projectId);
  if (!project || project.music_key !== musicKey) return 'stale';
  if (!(await markRunning(ctx.db, projectId, musicKey))) return 'stale';
  const dir = await mkdtemp(path.join(os.tmpdir(), 'echoes-analysis-'));
  try {
    // Named with the stored track's extension: the decoder forces the demuxer it calls for.
    const file = path.join(dir, `track${path.extname(musicKey)}`);
    await pipeline(await ctx.storage.get(musicKey), createWriteStream(file));
    const result = await analyseFile(ctx.ffmpeg.ffmpeg, file);
    await saveResult(ctx.db, projectId, musicKey, result);
    ctx.logger.info({ projectId, status: result.status, tempo: result.tempoBpm, beats: result.beats.length }, 'track analysed');
    return 'done';
  } catch (err) {
    if (err instanceof DecodeError) {
      ctx.logger.warn({ projectId, detail: err.detail }, 'track could not be decoded');
      await saveError(ctx.db, projectId, musicKey, err.message);
      return 'error';
    }
    ctx.logger.warn({ projectId, err, lastAttempt }, 'track analysis failed on our side');
    if (lastAttempt) await saveError(ctx.db, projectId, musicKey, ANALYSIS_GAVE_UP);
    else await markRetrying(ctx.db, projectId, musicKey, RETRYING_MESSAGE);
    throw err;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** The analysis that describes the project's current track, or undefined. */
export async function currentAnalysis(db: Conn, project: Pick<Project, 'id' | 'music_key'>): Promise<MusicAnalysis | undefined> {
  if (!project.music_key) return undefined;
  const row = await findAnalysis(db, project.id);
  return row && row.music_key === project.music_key ? row : undefined;
}

export function setBeatSync(db: Conn, projectId: string, cutOnBeat: boolean, cutMode: CutMode) {
  return updateBeatSync(db, projectId, cutOnBeat, cutMode);
}
