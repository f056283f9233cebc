import { clipsWithChosenTake, type ClipWithTake } from '../../src/clips/queries.js';
import { attachTake } from './takes.js';
import { randomUUID } from 'node:crypto';
import sharp from 'sharp';
import { spendCredits } from '../../src/credits/service.js';
import { withTx, type DB } from '../../src/platform/db.js';
import type { Clip, ClipStatus } from '../../src/platform/db-types.js';
import type { Storage } from '../../src/storage/types.js';
import { storageKeys } from '../../src/storage/index.js';
import { ledgerReference } from '../../src/credits/ledger-reference.js';
import type { TestBrowser } from '../setup/browser.js';
import { waitFor } from '../setup/wait.js';

/** A small real image (a gradient, so encoders have something to chew on), big enough to upload (MIN_PHOTO_SIDE). */
export async function testImage(width = 400, height = 300, format: 'png' | 'jpeg' = 'png'): Promise<Buffer> {
  const raw = Buffer.alloc(width * height * 3);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      const i = (y * width + x) * 3;
      raw[i] = (x * 255) / width;
      raw[i + 1] = (y * 255) / height;
      raw[i + 2] = 160;
    }
  }
  const img = sharp(raw, { raw: { width, height, channels: 3 } });
  return format === 'png' ? img.png().toBuffer() : img.jpeg().toBuffer();
}

/** Posts the new-clip form like the page does. */
export async function uploadClip(
  b: TestBrowser,
  projectId: string,
  opts: { image?: Buffer; prompt?: string; duration?: number | string; htmx?: boolean } = {},
) {
  const parts: Array<{ name: string; value: string | Buffer; filename?: string; contentType?: string }> = [
    { name: 'image', value: opts.image ?? (await testImage()), filename: 'photo.png', contentType: 'image/png' },
  ];
  if (opts.prompt !== undefined) parts.push({ name: 'prompt', value: opts.prompt });
  if (opts.duration !== undefined) parts.push({ name: 'duration', value: String(opts.duration) });
  return b.postMultipart(`/projects/${projectId}/clips`, parts, opts.htmx ? { 'hx-request': 'true' } : {});
}

/**
 * A clip row in any state, charged like a real one (ledger row `<clip>:<attempt>`), with its image
 * (and video when given) in storage, so tests can start from the middle of a clip's life.
 */
export async function createClip(
  db: DB,
  storage: Storage,
  opts: { userId: string; projectId: string; status?: ClipStatus; credits?: number; video?: Buffer; durationS?: number; provider?: string; approved?: boolean },
): Promise<ClipWithTake> {
  const id = randomUUID();
  const imageKey = storageKeys.image(opts.userId, opts.projectId, id, 'jpg');
  const videoKey = opts.video ? storageKeys.clip(opts.userId, opts.projectId, id) : null;
  await storage.put(imageKey, await sharp(await testImage(160, 90)).jpeg().toBuffer(), 'image/jpeg');
  if (opts.video && videoKey) await storage.put(videoKey, opts.video, 'video/mp4');
  const credits = opts.credits ?? 1;
  const clip = await withTx(db, async (tx) => {
    const last = await tx.selectFrom('clips').select((eb) => eb.fn.max<number>('position').as('m')).where('project_id', '=', opts.projectId).executeTakeFirst();
    if (credits > 0) await spendCredits(tx, opts.userId, credits, 'generation', ledgerReference(id, 1));
    return tx
      .insertInto('clips')
      .values({
        id,
        project_id: opts.projectId,
        user_id: opts.userId,
        image_key: imageKey,
        prompt: '',
        status: opts.status ?? 'ready',
        duration_s: opts.durationS ?? 5,
        ratio: '1280:720',
        provider: opts.provider ?? 'runway',
        model: 'gen4_turbo',
        credits_spent: credits,
        approved: opts.approved ?? false,
        progress: opts.status === 'ready' ? 1 : 0,
        position: (last?.m ?? 0) + 1,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
  return videoKey ? attachTake(db, clip, videoKey, { bytes: opts.video!.length, credits }) : getClip(db, clip.id);
}

/** The clip row with its chosen take's video (video_key, video_duration_s, take_kind; null: none). */
export async function getClip(db: DB, id: string): Promise<ClipWithTake> {
  return clipsWithChosenTake(db).where('clips.id', '=', id).executeTakeFirstOrThrow();
}

export async function ledgerFor(db: DB, userId: string) {
  return db.selectFrom('credit_transactions').select(['amount', 'type', 'reference_id']).where('user_id', '=', userId).orderBy('created_at').execute();
}

export async function balanceOf(db: DB, userId: string): Promise<number> {
  return (await db.selectFrom('users').select('credit_balance').where('id', '=', userId).executeTakeFirstOrThrow()).credit_balance;
}

// Lives in test/setup/wait.ts; kept importable from here, where the tests first found it.
export { waitFor };

/** Waits until the clip has left queued/generating, and returns it. */
export async function waitForClipDone(db: DB, id: string, timeoutMs = 15_000): Promise<ClipWithTake> {
  return waitFor(async () => {
    const c = await getClip(db, id);
    return c.status === 'ready' || c.status === 'error' ? c : undefined;
  }, `clip ${id} to finish`, timeoutMs);
}

export async function latestClip(db: DB, projectId: string): Promise<Clip> {
  return db.selectFrom('clips').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').executeTakeFirstOrThrow();
}
