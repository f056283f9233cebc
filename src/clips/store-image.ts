import type { AppContext } from '../platform/context.js';
import { UnavailableError } from '../platform/errors.js';
import { storageKeys } from '../storage/index.js';
import type { NormalizedImage } from './image.js';

export interface StoredImage {
  imageKey: string;
  thumbKey: string;
  /** The uncropped photo (re-cropped when the focal point moves). */
  sourceKey: string;
  /** What the three objects count against the person's storage. */
  bytes: number;
  /** Deletes both objects (when the row that would own them was not written); never rejects. */
  forget(): Promise<void>;
}

/** What a normalised photo's objects (image, thumbnail, source) count against storage. */
export function imageBytes(image: Pick<NormalizedImage, 'image' | 'thumb' | 'source'>): number {
  return image.image.length + image.thumb.length + image.source.length;
}

/**
 * Stores a clip's normalised image, thumbnail and uncropped source under their keys, before the transaction that
 * records the clip (no storage I/O inside a transaction). A failed write deletes what was written
 * and refuses with a 503 that says nothing was charged.
 */
export async function storeClipImage(
  ctx: Pick<AppContext, 'storage' | 'logger'>,
  where: { userId: string; projectId: string; clipId: string; requestId?: string },
  image: NormalizedImage,
): Promise<StoredImage> {
  const imageKey = storageKeys.image(where.userId, where.projectId, where.clipId, image.ext);
  const thumbKey = storageKeys.thumb(where.userId, where.projectId, where.clipId);
  const sourceKey = storageKeys.source(where.userId, where.projectId, where.clipId);
  const stored: string[] = [];
  const forget = async () => {
    if (stored.length) await ctx.storage.deleteMany(stored).catch((err) => ctx.logger.error({ err, keys: stored }, 'orphan objects not deleted'));
  };
  try {
    stored.push(imageKey);
    await ctx.storage.put(imageKey, image.image, image.contentType);
    stored.push(thumbKey);
    await ctx.storage.put(thumbKey, image.thumb, 'image/webp');
    stored.push(sourceKey);
    await ctx.storage.put(sourceKey, image.source, 'image/jpeg');
  } catch (err) {
    ctx.logger.error({ err, clipId: where.clipId, requestId: where.requestId }, 'storing the image failed');
    await forget();
    throw new UnavailableError('We could not save your image just now, so nothing was charged. Please try again in a moment.', 'storage_failed');
  }
  return { imageKey, thumbKey, sourceKey, bytes: imageBytes(image), forget };
}
