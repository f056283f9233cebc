import { sql } from 'kysely';
import { z } from 'zod';
import type { ClipWithTake } from '../clips/queries.js';
import { withTx, type Conn } from '../platform/db.js';
import { recordEdit } from '../undo/record.js';
import { ConflictError, UnprocessableError } from '../platform/errors.js';
import { takeLengthS } from '../takes/queries.js';
import { MIN_TRIM_S } from './plan.js';

const seconds = (what: string) =>
  z.preprocess(
    (v) => (typeof v === 'string' && v.trim() !== '' ? Number(v.trim().replace(',', '.')) : typeof v === 'number' ? v : NaN),
    z.number({ error: `Give the ${what} point in seconds, for example 1.5.` }).finite({ error: `Give the ${what} point in seconds, for example 1.5.` }),
  );

/** POST /clips/:id/trim: `in_s` and `out_s`, seconds from the start of the chosen take. */
export const TrimForm = z.object({ in_s: seconds('in'), out_s: seconds('out') });

const TOLERANCE_S = 0.001;
const ms = (t: number) => Math.round(t * 1000) / 1000;

/**
 * Sets which part of its chosen take the clip shows, after checking it against that take: within
 * it, in before out, at least MIN_TRIM_S. Refused (4xx, nothing written) otherwise. A trim
 * reaching the take's end is stored as "to the end" (null), so a longer take chosen later plays on.
 */
export async function trimClip(db: Conn, clip: ClipWithTake, inS: number, outS: number): Promise<void> {
  const take = clip.take_id
    ? await db.selectFrom('takes').select(takeLengthS.as('length_s')).where('id', '=', clip.take_id).where('video_key', 'is not', null).executeTakeFirst()
    : undefined;
  if (!take) throw new ConflictError('This clip has no video yet, so there is nothing to trim.', 'no_video');
  const length = take.length_s;
  if (inS < -TOLERANCE_S) throw new UnprocessableError('The in point cannot be before the start of the take (0 s).', 'trim_outside');
  if (outS > length + TOLERANCE_S) throw new UnprocessableError(`The out point cannot be after the end of the take (${length.toFixed(2)} s).`, 'trim_outside');
  if (inS >= outS) throw new UnprocessableError('The in point must come before the out point.', 'trim_reversed');
  if (outS - inS < MIN_TRIM_S - TOLERANCE_S) throw new UnprocessableError(`Keep at least ${MIN_TRIM_S} s of the clip.`, 'trim_too_short');
  const trimIn = Math.max(0, ms(inS));
  const trimOut = outS >= length - TOLERANCE_S ? null : ms(outS);
  await withTx(db, async (tx) => {
    // Only while the clip still uses that take: a take chosen meanwhile is trimmed by its own length.
    const before = await tx
      .selectFrom('clips')
      .select(['trim_in_s', 'trim_out_s'])
      .where('id', '=', clip.id)
      .where('user_id', '=', clip.user_id)
      .where('take_id', '=', clip.take_id)
      .forUpdate()
      .executeTakeFirst();
    if (!before) throw new ConflictError('The clip changed meanwhile (another take was chosen). Look again and trim once more.', 'trim_stale');
    await tx.updateTable('clips').set({ trim_in_s: trimIn, trim_out_s: trimOut, updated_at: sql`now()` }).where('id', '=', clip.id).execute();
    await recordEdit(tx, {
      projectId: clip.project_id,
      userId: clip.user_id,
      kind: 'trim',
      clipId: clip.id,
      label: 'Clip trimmed',
      undo: { set: [{ clipId: clip.id, columns: { trim_in_s: before.trim_in_s, trim_out_s: before.trim_out_s } }] },
    });
  });
}
