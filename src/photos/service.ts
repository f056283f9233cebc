import { randomUUID } from 'node:crypto';
import type { NormalizedImage } from '../clips/image.js';
import * as clips from '../clips/queries.js';
import { imageBytes, storeClipImage } from '../clips/store-image.js';
import { checkClipCap, claimStorage, roomLeft } from '../limits/quota.js';
import type { AppContext } from '../platform/context.js';
import { withTx } from '../platform/db.js';
import type { Clip, Project } from '../platform/db-types.js';
import { ratioOrDefault } from '../settings/ratios.js';
import type { Settings } from '../settings/service.js';
import { queueDraft } from '../drafts/service.js';

/** One request adds at most this many photos (POST /projects/:id/photos). */
export const MAX_PHOTOS_PER_REQUEST = 30;

/**
 * A new clip from one checked photo, free: the image is stored first (refused early when it
 * cannot fit), then one short transaction claims the storage and checks the clip cap exactly
 * under the person's row lock and inserts the clip. Whatever fails after the store deletes the
 * objects again, so a refused photo leaves nothing behind. No credit moves.
 */
export async function addPhoto(ctx: AppContext, settings: Settings, input: { userId: string; project: Project; image: NormalizedImage; requestId: string }): Promise<Clip> {
  const { userId, project, image } = input;
  const clipId = randomUUID();
  const ratio = ratioOrDefault(project.ratio, settings.defaultRatio);
  await roomLeft(ctx.db, settings, userId, imageBytes(image));
  const stored = await storeClipImage(ctx, { userId, projectId: project.id, clipId, requestId: input.requestId }, image);
  let clip: Clip;
  try {
    clip = await withTx(ctx.db, async (tx) => {
      await claimStorage(tx, settings, userId, stored.bytes);
      await checkClipCap(tx, settings, project.id);
      const row = await clips.insertClip(tx, {
        id: clipId,
        project_id: project.id,
        user_id: userId,
        image_key: stored.imageKey,
        thumb_key: stored.thumbKey,
        source_key: stored.sourceKey,
        source_width: image.sourceWidth,
        source_height: image.sourceHeight,
        image_bytes: stored.bytes,
        prompt: '',
        // Only its free draft so far (src/drafts); in the film at once, animated with AI when asked.
        status: 'draft',
        attempt: 0,
        approved: true,
        duration_s: settings.defaultDuration,
        ratio: ratio.value,
        credits_spent: 0,
        request_id: input.requestId,
      });
      await queueDraft(ctx, tx, row);
      return row;
    });
  } catch (err) {
    await stored.forget();
    throw err;
  }
  return clip;
}
