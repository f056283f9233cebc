import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { recordEdit } from '../undo/record.js';
import { stableUrl } from '../storage/stable-url.js';
import * as q from './queries.js';
import { toTakeViews, type TakeView } from './view.js';

// The creator's takes of a clip: list them, choose the one the film uses, delete the others.
// Ownership by scoping: the clip is looked up through the person, the take through the clip, so a
// take of another clip or of another person is a 404 like any record that is not theirs.

export interface TakesOfClip {
  clip: NonNullable<Awaited<ReturnType<typeof q.findClipOfTakes>>>;
  takes: TakeView[];
  /** The clip's photo, shown before a take plays and where a take has no video. */
  posterUrl: string;
}

export async function takesOfClip(ctx: AppContext, userId: string, clipId: string): Promise<TakesOfClip> {
  const clip = await q.findClipOfTakes(ctx.db, userId, clipId);
  if (!clip) throw new NotFoundError();
  const rows = await q.listTakesWithRefunds(ctx.db, [clip.id]);
  const ttl = ctx.config.SIGNED_URL_TTL_S;
  const [takes, posterUrl] = await Promise.all([toTakeViews(ctx.storage, rows, clip.take_id, ttl), stableUrl(ctx.storage, clip.thumb_key ?? clip.image_key, ttl)]);
  return { clip, takes, posterUrl };
}

/**
 * The film uses this take from now on: the players, the timeline, the share page and the export
 * all read the clip's chosen take. Only a finished take with its video can be chosen. True when
 * the choice changed (an undoable edit).
 */
export async function selectTake(ctx: AppContext, userId: string, clipId: string, takeId: string): Promise<boolean> {
  return withTx(ctx.db, async (tx) => {
    const clip = await q.lockClipOfTakes(tx, userId, clipId);
    if (!clip) throw new NotFoundError();
    const take = await q.findTakeOfClip(tx, clip.id, takeId);
    if (!take) throw new NotFoundError();
    if (take.status === 'error') throw new ConflictError('This take failed, so it has no video to use. Choose a finished take.', 'take_failed');
    if (take.status !== 'ready') throw new ConflictError('This take is still being made. Choose it once it is ready.', 'take_unfinished');
    if (clip.take_id === take.id) return false;
    await q.chooseTake(tx, clip.id, take.id);
    await recordEdit(tx, { projectId: clip.project_id, userId, kind: 'take', clipId: clip.id, label: 'Take chosen', undo: { set: [{ clipId: clip.id, columns: { take_id: clip.take_id } }] } });
    return true;
  });
}

/**
 * Deletes a take that is neither the one the film uses nor still being made: its row first (the
 * storage trigger frees its bytes from the quota), then its video. A video left behind by a failed
 * delete is logged; the row, and so the quota, are already right.
 */
export async function deleteTake(ctx: AppContext, userId: string, clipId: string, takeId: string): Promise<void> {
  const videoKey = await withTx(ctx.db, async (tx) => {
    const clip = await q.lockClipOfTakes(tx, userId, clipId);
    if (!clip) throw new NotFoundError();
    const take = await q.findTakeOfClip(tx, clip.id, takeId);
    if (!take) throw new NotFoundError();
    if (clip.take_id === take.id) throw new ConflictError('The film uses this take. Choose another take first, then delete this one.', 'take_chosen');
    if (take.status === 'queued' || take.status === 'generating') {
      throw new ConflictError('This take is still being made. Cancel it on the clip first, or wait until it has finished.', 'take_unfinished');
    }
    await q.deleteTakeRow(tx, take.id);
    // The clip's row changes too, so a page catching up after a dropped stream re-reads its card.
    await q.touchClip(tx, clip.id);
    return take.video_key;
  });
  if (videoKey) await ctx.storage.delete(videoKey).catch((err) => ctx.logger.error({ clipId, takeId, err }, 'take video not deleted'));
}
