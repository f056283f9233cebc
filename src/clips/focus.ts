import { randomBytes } from 'node:crypto';
import { buffer } from 'node:stream/consumers';
import { admitDrafts, queueDraft } from '../drafts/service.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Clip } from '../platform/db-types.js';
import { ConflictError, NotFoundError, UnavailableError } from '../platform/errors.js';
import { imageWork } from '../platform/image-work.js';
import { ratioOrDefault } from '../settings/ratios.js';
import { getSettings } from '../settings/service.js';
import { storageKeys } from '../storage/index.js';
import { cropToFrame, type Focus } from './image.js';
import * as q from './queries.js';

const BUSY = 'This clip is being animated with AI from its current crop. Move the crop once that take is ready.';

/**
 * POST /clips/:id/focus: the crop's focal point moves. The photo before any crop (the source) is
 * cropped again around it, stored under new keys, and the clip points at them in one short
 * transaction that also asks for a new free draft from the new crop (counted against the hourly
 * draft limit first, refused before any work). Every later take starts from the new image; the old
 * crop's objects are deleted once nothing points at them. Refused while an AI take is being made
 * from the current image (the provider may still be reading it).
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
  try {
    const source = await buffer(await ctx.storage.get(sourceKey));
    const { image, thumb } = await imageWork.run(() => cropToFrame(source, { width: size.width, height: size.height, focus }));
    await ctx.storage.put(keys.image, image, 'image/jpeg');
    await ctx.storage.put(keys.thumb, thumb, 'image/webp');
    bytes = image.length + thumb.length + source.length;
  } catch (err) {
    ctx.logger.error({ err, clipId: clip.id }, 'moving the crop failed');
    await ctx.storage.deleteMany([keys.image, keys.thumb]).catch(() => {});
    throw new UnavailableError('We could not move the crop just now. Please try again in a moment.', 'storage_failed');
  }
  let old: Clip;
  let moved: Clip;
  try {
    [old, moved] = await withTx(ctx.db, async (tx) => {
      const current = await q.lockClipForUser(tx, clip.user_id, clip.id);
      if (!current) throw new NotFoundError();
      if (current.status === 'queued' || current.status === 'generating') throw new ConflictError(BUSY, 'clip_busy');
      const row = await q.setClipFocus(tx, current.id, { focusX: focus.x, focusY: focus.y, imageKey: keys.image, thumbKey: keys.thumb, sourceKey, imageBytes: bytes });
      await queueDraft(ctx, tx, row, { admitted: true });
      return [current, row] as const;
    });
  } catch (err) {
    await ctx.storage.deleteMany([keys.image, keys.thumb]).catch(() => {});
    throw err;
  }
  const gone = [old.image_key, old.thumb_key].filter((k): k is string => Boolean(k) && k !== sourceKey);
  await ctx.storage.deleteMany(gone).catch((err) => ctx.logger.error({ err, keys: gone }, 'old crop not deleted'));
  return moved;
}
