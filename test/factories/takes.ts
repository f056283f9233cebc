import { clipsWithChosenTake, type ClipWithTake } from '../../src/clips/queries.js';
import type { DB } from '../../src/platform/db.js';
import { randomUUID } from 'node:crypto';
import { grantCredits, spendCredits } from '../../src/credits/service.js';
import { ledgerReference } from '../../src/credits/ledger-reference.js';
import { withTx } from '../../src/platform/db.js';
import type { Clip, TakeKind, TakeStatus } from '../../src/platform/db-types.js';
import type { Storage } from '../../src/storage/types.js';

/**
 * A ready take holding `videoKey`, chosen by its clip (what the generation worker or the draft
 * render leaves behind). Returns the clip row with its take_id set.
 */
export async function attachTake(
  db: DB,
  clip: Pick<Clip, 'id' | 'user_id' | 'attempt' | 'prompt' | 'duration_s'>,
  videoKey: string,
  opts: { kind?: TakeKind; durationS?: number | null; bytes?: number | null; credits?: number } = {},
): Promise<ClipWithTake> {
  const kind = opts.kind ?? 'ai';
  const take = await db
    .insertInto('takes')
    .values({
      clip_id: clip.id,
      user_id: clip.user_id,
      kind,
      status: 'ready',
      attempt: kind === 'ai' ? clip.attempt : null,
      prompt: clip.prompt,
      provider: kind === 'draft' ? 'local' : null,
      duration_s: clip.duration_s,
      video_key: videoKey,
      video_bytes: opts.bytes ?? null,
      video_duration_s: opts.durationS ?? null,
      credits_spent: kind === 'ai' ? opts.credits ?? 0 : 0,
      finished_at: new Date(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  await db.updateTable('clips').set({ take_id: take.id }).where('id', '=', clip.id).execute();
  return clipsWithChosenTake(db).where('clips.id', '=', clip.id).executeTakeFirstOrThrow();
}

export async function takesOf(db: DB, clipId: string) {
  return db.selectFrom('takes').selectAll().where('clip_id', '=', clipId).orderBy('created_at').orderBy('id').execute();
}

/** The video key of the take the clip's film uses (null: none). */
export async function chosenVideoKey(db: DB, clipId: string): Promise<string | null> {
  const row = await db.selectFrom('clips').leftJoin('takes', 'takes.id', 'clips.take_id').select('takes.video_key').where('clips.id', '=', clipId).executeTakeFirst();
  return row?.video_key ?? null;
}

/**
 * One more take of the clip, as the pipeline leaves it: an AI attempt charged under `<clip>:<attempt>`
 * (and refunded when asked), a ready one with its video stored and counted. Not chosen.
 */
export async function addTake(
  db: DB,
  storage: Storage,
  clip: Pick<Clip, 'id' | 'user_id' | 'project_id'>,
  opts: { kind?: TakeKind; status?: TakeStatus; attempt?: number; credits?: number; refunded?: boolean; video?: Buffer; prompt?: string; motion?: string; error?: string; createdAt?: Date },
) {
  const kind = opts.kind ?? 'ai';
  const status = opts.status ?? 'ready';
  const credits = kind === 'ai' ? opts.credits ?? 1 : 0;
  const attempt = kind === 'ai' ? opts.attempt ?? 2 : null;
  const videoKey = status === 'ready' ? `clips/${clip.user_id}/${clip.project_id}/${clip.id}.${kind === 'ai' ? `v${attempt}` : randomUUID()}.mp4` : null;
  if (videoKey) await storage.put(videoKey, opts.video ?? Buffer.from('not really a video'), 'video/mp4');
  return withTx(db, async (tx) => {
    if (credits > 0) await spendCredits(tx, clip.user_id, credits, 'generation', ledgerReference(clip.id, attempt!));
    if (credits > 0 && opts.refunded) await grantCredits(tx, clip.user_id, credits, 'refund', ledgerReference(clip.id, attempt!), 'Refund: test');
    return tx
      .insertInto('takes')
      .values({
        clip_id: clip.id, user_id: clip.user_id, kind, status, attempt, prompt: opts.prompt ?? '', motion: opts.motion ?? null,
        provider: kind === 'draft' ? 'local' : 'runway', model: kind === 'draft' ? null : 'gen4_turbo', duration_s: 5,
        video_key: videoKey, video_bytes: videoKey ? (opts.video?.length ?? 18) : null, video_duration_s: videoKey ? 5 : null, credits_spent: credits,
        error_code: status === 'error' ? 'SAFETY' : null, error_message: status === 'error' ? opts.error ?? 'The provider refused this picture.' : null,
        created_at: opts.createdAt ?? new Date(), finished_at: status === 'ready' || status === 'error' ? new Date() : null,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
  });
}
