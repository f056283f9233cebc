import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Clip, Project } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UserError } from '../platform/errors.js';
import { videoKeyFor } from '../generation/keys.js';
import { MESSAGES } from '../generation/messages.js';
import { providerFor } from '../generation/providers/index.js';
import { failGeneration, refundDeletedAttempt, stopDeletedTasks } from '../generation/service.js';
import * as q from './queries.js';
import { takeVideoKeys } from '../takes/queries.js';

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
 * Removes the clip and its objects. An unfinished one is refunded in the same transaction as the
 * delete and its task stopped before the objects go; a worker finishing it later finds no row and
 * drops its output.
 */
export async function deleteClip(ctx: AppContext, userId: string, clipId: string): Promise<Clip> {
  const clip = await withTx(ctx.db, async (tx) => {
    const row = await q.lockClipForUser(tx, userId, clipId);
    if (!row) throw new NotFoundError();
    await refundDeletedAttempt(tx, row);
    const videos = await takeVideoKeys(tx, row.id);
    await q.deleteClipRow(tx, row.id);
    return { ...row, videos };
  });
  await stopDeletedTasks(ctx, [clip]);
  const keys = [clip.image_key, clip.thumb_key, ...clip.videos, videoKeyFor(clip, clip.attempt)].filter((k): k is string => Boolean(k));
  await ctx.storage.deleteMany([...new Set(keys)]).catch((err) => ctx.logger.error({ clipId, err }, 'clip objects not deleted'));
  return clip;
}

/** Accepts only a permutation of the project's own clips, and writes it in one transaction. */
export async function reorderClips(ctx: AppContext, project: Project, orderedIds: string[]): Promise<void> {
  await withTx(ctx.db, async (tx) => {
    const current = await q.lockClipIdsForProject(tx, project.user_id, project.id);
    const known = new Set(current);
    const given = new Set(orderedIds);
    if (orderedIds.length !== current.length || given.size !== orderedIds.length || !orderedIds.every((id) => known.has(id))) {
      throw new UserError('The new order must list every clip of this project exactly once. Reload the page and try again.', 400, 'bad_order');
    }
    await q.setPositions(tx, project.id, orderedIds);
  });
}

/** The no-JavaScript fallback for drag and drop: one step up or down. */
export async function moveClip(ctx: AppContext, clip: Clip, dir: 'up' | 'down'): Promise<Clip> {
  await withTx(ctx.db, async (tx) => {
    const ids = await q.lockClipIdsForProject(tx, clip.user_id, clip.project_id);
    const i = ids.indexOf(clip.id);
    const j = dir === 'up' ? i - 1 : i + 1;
    if (i < 0 || j < 0 || j >= ids.length) return;
    [ids[i], ids[j]] = [ids[j]!, ids[i]!];
    await q.setPositions(tx, clip.project_id, ids);
  });
  return clip;
}
