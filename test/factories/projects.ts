import { attachTake } from './takes.js';
import sharp from 'sharp';
import type { DB } from '../../src/platform/db.js';
import type { ClipStatus } from '../../src/platform/db-types.js';
import type { Storage } from '../../src/storage/types.js';
import { storageKeys } from '../../src/storage/index.js';

/** A clip row straight in the database (no charge, no job), optionally with its picture stored. */
export async function createClip(
  db: DB,
  opts: { userId: string; projectId: string; position?: number; approved?: boolean; status?: ClipStatus; storage?: Storage; color?: string },
) {
  const clip = await db
    .insertInto('clips')
    .values({
      user_id: opts.userId,
      project_id: opts.projectId,
      image_key: 'pending',
      prompt: '',
      duration_s: 5,
      ratio: '1280:720',
      position: opts.position ?? 0,
      approved: opts.approved ?? false,
      status: opts.status ?? 'ready',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  const imageKey = storageKeys.image(opts.userId, opts.projectId, clip.id, 'jpg');
  const thumbKey = storageKeys.thumb(opts.userId, opts.projectId, clip.id);
  if (opts.storage) {
    const img = sharp({ create: { width: 64, height: 36, channels: 3, background: opts.color ?? '#8b5cf6' } });
    await opts.storage.put(imageKey, await img.clone().jpeg().toBuffer(), 'image/jpeg');
    await opts.storage.put(thumbKey, await img.clone().webp().toBuffer(), 'image/webp');
  }
  return db
    .updateTable('clips')
    .set({ image_key: imageKey, thumb_key: thumbKey })
    .where('id', '=', clip.id)
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** An approved, ready clip with a video key (rows only): what makes a film worth sharing. */
export async function createWatchableClip(db: DB, opts: { userId: string; projectId: string; position?: number }) {
  const clip = await createClip(db, { ...opts, approved: true, status: 'ready' });
  const videoKey = storageKeys.clip(opts.userId, opts.projectId, clip.id);
  return attachTake(db, clip, videoKey);
}
