import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { draftVideoKey } from '../drafts/render.js';
import { admitDrafts, queueDraft } from '../drafts/service.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Clip } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UnavailableError } from '../platform/errors.js';
import { imageWork } from '../platform/image-work.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { getSettings } from '../settings/service.js';
import { storageKeys } from '../storage/index.js';
import { recordEdit } from '../undo/record.js';
import { cropToFrame, type Focus } from './image.js';
import * as q from './queries.js';

const BUSY = 'This clip is being animated with AI from its current crop. Move the crop once that take is ready.';

/**
 * POST /clips/:id/focus: the crop's focal point moves. The photo before any crop (the source) is
 * cropped again around it, stored under new keys, and the clip points at them in one short
 * transaction that also asks for a new free draft from the new crop (counted against the hourly
 * draft limit first, refused before any work). Every later take starts from the new image.
 * Undoable (docs/decisions/0031-edit-log-and-undo.md): the edit keeps the old crop's objects (their
 * bytes still count) and the take the film used; undone, the clip points at them again and the new
 * crop, its draft take and that draft's video are thrown away. The old crop's objects are deleted
 * once the move falls out of the undo window. Refused while an AI take is being made from the
 * current image (the provider may still be reading it).
 */
export async function moveFocus(ctx: AppContext, clip: Clip, focus: Focus): Promise<Clip> {
  if (clip.status === 'queued' || clip.status === 'generating') throw new ConflictError(BUSY, 'clip_busy');
  await admitDrafts(ctx, clip.user_id);
  const settings = await getSettings(ctx.db);
  const size = ratioOrDefault(clip.ratio, settings.defaultRatio);
  // A clip from before focal points has no source: its image (already cropped) is the best there is.
  const sourceKey = clip.source_key ?? clip.image_key;
  const keys = storageKeys.recrop(clip.user_id, clip.project_id, clip.id, randomBytes(6).toString('hex'));
  let bytes: number;
  let sourceBytes: number;
  try {
    const source = await buffer(await ctx.storage.get(sourceKey));
    const { image, thumb } = await imageWork.run(() => cropToFrame(source, { width: size.width, height: size.height, focus }));
    await ctx.storage.put(keys.image, image, 'image/jpeg');
    await ctx.storage.put(keys.thumb, thumb, 'image/webp');
    sourceBytes = source.length;
    bytes = image.length + thumb.length + source.length;
  } catch (err) {
    ctx.logger.error({ err, clipId: clip.id }, 'moving the crop failed');
    await ctx.storage.deleteMany([keys.image, keys.thumb]).catch(() => {});
    throw new UnavailableError('We could not move the crop just now. Please try again in a moment.', 'storage_failed');
  }
  let moved: Clip;
  try {
    moved = await withTx(ctx.db, async (tx) => {
      const current = await q.lockClipForUser(tx, clip.user_id, clip.id);
      if (!current) throw new NotFoundError();
      if (current.status === 'queued' || current.status === 'generating') throw new ConflictError(BUSY, 'clip_busy');
      const row = await q.setClipFocus(tx, current.id, { focusX: focus.x, focusY: focus.y, imageKey: keys.image, thumbKey: keys.thumb, sourceKey, imageBytes: bytes });
      const draftId = await queueDraft(ctx, tx, row, { admitted: true });
      // The old crop (never the source, which the new one is cut from) waits in the edit for an undo.
      const kept = [current.image_key, current.thumb_key].filter((k): k is string => Boolean(k) && k !== sourceKey);
      const keptBytes = Math.max(0, (current.image_bytes ?? 0) - sourceBytes);
      await recordEdit(tx, {
        projectId: current.project_id,
        userId: current.user_id,
        kind: 'focus',
        clipId: current.id,
        label: 'Crop moved',
        undo: {
          set: [{ clipId: current.id, columns: { focus_x: current.focus_x, focus_y: current.focus_y, image_key: current.image_key, thumb_key: current.thumb_key, source_key: current.source_key, image_bytes: current.image_bytes, take_id: current.take_id } }],
          discard: { clipId: current.id, takeIds: [draftId], keys: [keys.image, keys.thumb, draftVideoKey({ ...current, clip_id: current.id }, draftId)] },
        },
        held: { keys: kept, bytes: keptBytes },
      });
      return row;
    });
  } catch (err) {
    await ctx.storage.deleteMany([keys.image, keys.thumb]).catch(() => {});
    throw err;
  }
  return moved;
}
