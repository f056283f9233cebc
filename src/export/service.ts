import { createHash } from 'node:crypto';
import type { AppContext } from '../platform/context.js';
import type { ExportRow, Project } from '../platform/db-types.js';
import { ConflictError, UnprocessableError, UserError, isUniqueViolation } from '../platform/errors.js';
import { enqueue } from '../platform/queues.js';
import { RETRY_OURS } from '../platform/job-retry.js';
import type { CutPlan } from '../film/plan.js';
import { planFilm } from '../film/service.js';
import { findRunningExport, insertExport, listExportableClips, markError } from './queries.js';

/**
 * Exports come after generation in three ways: their own queue with one slot per worker process
 * (src/worker.ts), ffmpeg at a lower CPU priority (EXPORT_NICENESS), and this job priority,
 * which orders exports among themselves (higher = later).
 */
export const EXPORT_JOB_PRIORITY = 10;
/** A rendering export writes progress every second or so; this long without a write, it died. */
const STALE_AFTER_MS = 10 * 60_000;
const QUEUE_DOWN = 'The render queue is unavailable right now. Please try again in a minute.';

type ExportableClip = Awaited<ReturnType<typeof listExportableClips>>[number];

/**
 * What an export is made of: the approved clips (ids, files, order), the music, and the cut plan
 * (how much of each clip is shown: beat sync, its setting and the track's analysis change it). An
 * export whose hash differs from the project's current one is out of date.
 */
export function sourceHash(clips: Array<{ id: string; video_key: string; position: number }>, musicKey: string | null, plan: Pick<CutPlan, 'segments' | 'crossfadeS'>): string {
  const h = createHash('sha256');
  for (const c of clips) h.update(`${c.id}\n${c.video_key}\n${c.position}\n`);
  h.update(`music:${musicKey ?? ''}\n`);
  h.update(`fade:${plan.crossfadeS}\n`);
  // A trim's in point, and a transition other than the film's crossfade, count only when there is
  // one, so exports made before trims and transitions existed stay current.
  const last = plan.segments.length - 1;
  for (const [i, s] of plan.segments.entries()) {
    const t = s.transition;
    const own = i < last && t && !(t.kind === 'crossfade' && t.s === plan.crossfadeS) ? `:into:${t.kind}:${t.s}` : '';
    h.update(`cut:${s.clipId}:${s.outS}${s.inS ? `:from:${s.inS}` : ''}${own}\n`);
  }
  return h.digest('hex').slice(0, 32);
}

/** The project's exportable clips and the cut plan the export follows (the player's too). */
export async function exportSource(ctx: Pick<AppContext, 'db'>, project: Project): Promise<{ clips: ExportableClip[]; plan: CutPlan; hash: string }> {
  const clips = await listExportableClips(ctx.db, project.user_id, project.id);
  const plan = await planFilm(ctx.db, project, clips);
  return { clips, plan, hash: sourceHash(clips, project.music_key, plan) };
}

export async function currentSourceHash(ctx: AppContext, project: Project): Promise<{ hash: string; clipCount: number; draftNumbers: number[] }> {
  const { clips, hash } = await exportSource(ctx, project);
  // Which clips of the film (1 = the first) play a free draft: an export with drafts says so.
  const draftNumbers = clips.flatMap((c, i) => (c.take_kind === 'draft' ? [i + 1] : []));
  return { hash, clipCount: clips.length, draftNumbers };
}

/**
 * A queued/rendering row left behind by a crash (no job in the queue, or no progress for a long
 * time) would block the project forever because of the one-running-export index; mark it failed.
 */
async function releaseIfStuck(ctx: AppContext, running: ExportRow): Promise<void> {
  const idle = Date.now() - running.updated_at.getTime();
  if (idle < STALE_AFTER_MS) return;
  if (running.status === 'queued') {
    const job = await ctx.queues.export.getJob(running.id).catch(() => 'unknown' as const);
    if (job) return; // still waiting its turn (or Redis is unreachable: assume it is)
  }
  ctx.logger.warn({ exportId: running.id, projectId: running.project_id }, 'export stuck; marking it failed');
  await markError(ctx.db, running.id, 'This export stopped responding. Please try again.');
}

/**
 * Queues an export of the project (already loaded through its owner). Refuses with a UserError when
 * there is nothing to export (422) or an export is already running (409).
 */
export async function startExport(ctx: AppContext, project: Project): Promise<ExportRow> {
  const { clips, hash } = await exportSource(ctx, project);
  if (clips.length === 0) {
    throw new UnprocessableError('Approve at least one finished clip before exporting.', 'nothing_to_export');
  }
  const running = await findRunningExport(ctx.db, project.id);
  if (running) await releaseIfStuck(ctx, running);

  let row: ExportRow;
  try {
    row = await insertExport(ctx.db, { project_id: project.id, user_id: project.user_id, source_hash: hash });
  } catch (err) {
    if (isUniqueViolation(err, 'exports_one_running')) {
      throw new ConflictError('An export of this project is already in progress.', 'export_running');
    }
    throw err;
  }

  const queued = await enqueue(ctx.queues.export, 'export', { exportId: row.id, userId: project.user_id }, { jobId: row.id, priority: EXPORT_JOB_PRIORITY, ...RETRY_OURS });
  if (!queued) {
    // No sweeper for exports: fail it now so the person can simply try again.
    await markError(ctx.db, row.id, QUEUE_DOWN);
    ctx.logger.warn({ exportId: row.id, projectId: project.id }, 'export could not be enqueued');
    return { ...row, status: 'error', error_message: QUEUE_DOWN };
  }
  ctx.logger.info({ exportId: row.id, projectId: project.id, clips: clips.length }, 'export queued');
  return row;
}
