import { createHash } from 'node:crypto';
import type { AppContext } from '../platform/context.js';
import type { ExportRow, Project } from '../platform/db-types.js';
import { ConflictError, UnprocessableError, isUniqueViolation } from '../platform/errors.js';
import type { CutPlan } from '../film/plan.js';
import { planFilm } from '../film/service.js';
import { listPlayableClips, type PlayableClip } from '../film/queries.js';
import { findRunningExport, insertExport } from './queries.js';
import { dispatchNext, releaseIfStuck } from './dispatch.js';
import { DEFAULT_OPTIONS, type ExportOptions } from './options.js';


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
export async function exportSource(ctx: Pick<AppContext, 'db'>, project: Project): Promise<{ clips: PlayableClip[]; plan: CutPlan; hash: string }> {
  const clips = await listPlayableClips(ctx.db, project.id);
  const plan = await planFilm(ctx.db, project, clips);
  return { clips, plan, hash: sourceHash(clips, project.music_key, plan) };
}

export async function currentSourceHash(ctx: AppContext, project: Project): Promise<{ hash: string; clipCount: number; draftNumbers: number[]; totalS: number }> {
  const { clips, hash, plan } = await exportSource(ctx, project);
  // Which clips of the film (1 = the first) play a free draft: an export with drafts says so.
  const draftNumbers = clips.flatMap((c, i) => (c.take_kind === 'draft' ? [i + 1] : []));
  return { hash, clipCount: clips.length, draftNumbers, totalS: plan.totalS };
}

/**
 * Queues an export of the project (already loaded through its owner) with these options. Refuses
 * with a UserError when there is nothing to export (422) or an export of it is already running
 * (409). It waits in the database until the person's earlier exports are done (dispatch.ts).
 */
export async function startExport(ctx: AppContext, project: Project, options: ExportOptions = DEFAULT_OPTIONS): Promise<ExportRow> {
  const { clips, hash } = await exportSource(ctx, project);
  if (clips.length === 0) {
    throw new UnprocessableError('Approve at least one finished clip before exporting.', 'nothing_to_export');
  }
  const running = await findRunningExport(ctx.db, project.id);
  if (running) await releaseIfStuck(ctx, running);

  let row: ExportRow;
  try {
    row = await insertExport(ctx.db, { project_id: project.id, user_id: project.user_id, source_hash: hash, resolution: options.resolution, shape: options.shape });
  } catch (err) {
    if (isUniqueViolation(err, 'exports_one_running')) {
      throw new ConflictError('An export of this project is already in progress. Wait for it to finish, then export again.', 'export_running');
    }
    throw err;
  }
  ctx.logger.info({ exportId: row.id, projectId: project.id, clips: clips.length, ...options }, 'export queued');
  const dispatched = await dispatchNext(ctx, project.user_id);
  return dispatched?.id === row.id ? dispatched : row;
}
