import { clipsWithChosenTake, type ClipWithTake } from '../../src/clips/queries.js';
import type { DB } from '../../src/platform/db.js';
import type { Clip, TakeKind } from '../../src/platform/db-types.js';

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
