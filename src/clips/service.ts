import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Clip, Project, Take } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { videoKeyFor } from '../generation/video-key.js';
import { MESSAGES } from '../generation/messages.js';
import { providerFor } from '../generation/providers/index.js';
import { failGeneration, refundDeletedAttempt, stopDeletedTasks } from '../generation/service.js';
import * as q from './queries.js';
import { listTakes } from '../takes/queries.js';
import { recordEdit, type ClipSnapshot } from '../undo/record.js';
import { writePositions } from '../undo/queries.js';

const unfinished = (c: Clip) => c.status === 'queued' || c.status === 'generating';

async function mustFind(ctx: AppContext, userId: string, clipId: string): Promise<Clip> {
  const clip = await q.findClipForUser(ctx.db, userId, clipId);
  if (!clip) throw new NotFoundError();
  return clip;
}

/** Asks the provider to stop a task without making the request wait for it (the job asks again). */
function stopTaskSoon(ctx: AppContext, clip: Clip): void {
  if (!clip.provider_task_id) return;
  const taskId = clip.provider_task_id;
  const log = ctx.logger.child({ clipId: clip.id, requestId: clip.request_id, taskId });
  Promise.resolve()
    .then(() => providerFor(ctx, clip.provider).cancel(taskId, log))
    .catch((err) => log.warn({ err: (err as Error).message }, 'provider cancel failed'));
}

/** `clip` is the person's own (ownClip), as are the other clips handed to these functions. */
export async function approveClip(ctx: AppContext, clip: Clip, approved: boolean): Promise<Clip> {
  const updated = await q.setApproved(ctx.db, clip.user_id, clip.id, approved);
  if (!updated) throw new ConflictError('Only a finished clip can be approved.', 'clip_not_ready');
  return updated;
}

/** Stops an unfinished generation: `error` with "Cancelled" and the credits refunded, once. */
export async function cancelClip(ctx: AppContext, clip: Clip): Promise<Clip> {
  if (!unfinished(clip)) throw new ConflictError('This clip has already finished.', 'clip_finished');
  const ended = await failGeneration(ctx, clip.id, clip.attempt, { code: 'CANCELLED', message: MESSAGES.cancelled, detail: 'cancelled by the creator' }, 'cancelled');
  if (ended) stopTaskSoon(ctx, ended);
  return mustFind(ctx, clip.user_id, clip.id);
}

/**
 * Removes the clip, undoably (docs/decisions/0031-edit-log-and-undo.md): its rows go, its objects
 * stay while the edit log can bring it back (their bytes still count against the quota), and the
 * edit records the rows to insert again. An unfinished one is refunded in the same transaction and
 * its task stopped; brought back, it is a cancelled attempt (refunded, its finished takes kept). A
 * worker finishing it later finds no row (or a cancelled one) and drops its output.
 */
export async function deleteClip(ctx: AppContext, userId: string, clipId: string): Promise<Clip> {
  const clip = await withTx(ctx.db, async (tx) => {
    const row = await q.lockClipForUser(tx, userId, clipId);
    if (!row) throw new NotFoundError();
    await refundDeletedAttempt(tx, row);
    const takes = await listTakes(tx, row.id);
    await q.deleteClipRow(tx, row.id);
    const held = [row.image_key, row.thumb_key, row.source_key, ...takes.map((t) => t.video_key)].filter((k): k is string => Boolean(k));
    const bytes = (row.image_bytes ?? 0) + takes.reduce((sum, t) => sum + (t.video_bytes ?? 0), 0);
    await recordEdit(tx, { projectId: row.project_id, userId, kind: 'delete', clipId: row.id, label: 'Clip deleted', undo: { restore: asRestorable(row, takes) }, held: { keys: [...new Set(held)], bytes } });
    return { ...row, held };
  });
  await stopDeletedTasks(ctx, [clip]);
  // The unfinished attempt's output, if its task wrote one after all: nobody will own it.
  const orphan = unfinished(clip) ? videoKeyFor(clip, clip.attempt) : null;
  if (orphan && !clip.held.includes(orphan)) await ctx.storage.deleteMany([orphan]).catch((err) => ctx.logger.error({ clipId, err }, 'clip output not deleted'));
  return clip;
}

/** The rows to insert again on undo; an attempt that was running comes back cancelled (it was refunded). */
function asRestorable(clip: Clip, takes: Take[]): ClipSnapshot {
  if (!unfinished(clip)) return { clip: { ...clip }, takes: takes.map((t) => ({ ...t })) };
  const cancelled = { status: 'error', error_code: 'CANCELLED', error_message: MESSAGES.cancelled, progress: 0, provider_task_id: null };
  return {
    clip: { ...clip, ...cancelled, error_detail: 'deleted while unfinished, then brought back', finished_at: new Date() },
    takes: takes.map((t) => (t.status === 'queued' || t.status === 'generating' ? { ...t, status: 'error', error_code: 'CANCELLED', error_message: MESSAGES.cancelled, finished_at: new Date() } : { ...t })),
  };
}

/** Accepts only a permutation of the project's own clips, and writes it in one transaction. */
/** True when the order changed (an edit to undo). */
export async function reorderClips(ctx: AppContext, project: Project, orderedIds: string[]): Promise<boolean> {
  return withTx(ctx.db, async (tx) => {
    const current = await q.lockClipIdsForProject(tx, project.user_id, project.id);
    const known = new Set(current);
    const given = new Set(orderedIds);
    if (orderedIds.length !== current.length || given.size !== orderedIds.length || !orderedIds.every((id) => known.has(id))) {
      throw new UserError('The new order must list every clip of this project exactly once. Reload the page and try again.', 400, 'bad_order');
    }
    if (current.join() === orderedIds.join()) return false;
    await writePositions(tx, project.id, orderedIds);
    await recordEdit(tx, { projectId: project.id, userId: project.user_id, kind: 'reorder', label: 'Clips reordered', undo: { order: current } });
    return true;
  });
}

/** The no-JavaScript fallback for drag and drop: one step up or down. */
export async function moveClip(ctx: AppContext, clip: Clip, dir: 'up' | 'down'): Promise<Clip> {
  await withTx(ctx.db, async (tx) => {
    const ids = await q.lockClipIdsForProject(tx, clip.user_id, clip.project_id);
    const i = ids.indexOf(clip.id);
    const j = dir === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= ids.length) return;
    const before = [...ids];
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    await writePositions(tx, clip.project_id, ids);
    await recordEdit(tx, { projectId: clip.project_id, userId: clip.user_id, kind: 'reorder', clipId: clip.id, label: 'Clip moved', undo: { order: before } });
  });
  return clip;
}
