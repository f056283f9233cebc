import { clipsWithChosenTake, type ClipWithTake } from '../clips/queries.js';
import type { Conn } from '../platform/db.js';

/** The person's clips in a project changed since `since` (a reconnecting page catches up on them). */
export async function listClipsChangedSince(db: Conn, userId: string, projectId: string, since: Date, limit = 200): Promise<ClipWithTake[]> {
  return clipsWithChosenTake(db)
    .where('clips.user_id', '=', userId)
    .where('clips.project_id', '=', projectId)
    .where('clips.updated_at', '>', since)
    .orderBy('clips.updated_at')
    .limit(limit)
    .execute();
}

/** The person's clips in a project deleted since `since` and not back (undone): their cards leave a catching-up page. */
export async function listClipsDeletedSince(db: Conn, userId: string, projectId: string, since: Date, limit = 200): Promise<string[]> {
  const rows = await db
    .selectFrom('clip_tombstones')
    .select('clip_id')
    .where('user_id', '=', userId)
    .where('project_id', '=', projectId)
    .where('deleted_at', '>', since)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('clips').select('clips.id').whereRef('clips.id', '=', 'clip_tombstones.clip_id'))))
    .orderBy('deleted_at')
    .limit(limit)
    .execute();
  return rows.map((r) => r.clip_id);
}

/** Which of these sessions still exist (unexpired): a stream whose session is gone ends. */
export async function liveSessionIds(db: Conn, sids: string[]): Promise<Set<string>> {
  if (sids.length === 0) return new Set();
  const rows = await db.selectFrom('sessions').select('sid').where('sid', 'in', sids).where('expires_at', '>', new Date()).execute();
  return new Set(rows.map((r) => r.sid));
}

export async function findBalance(db: Conn, userId: string): Promise<number | undefined> {
  const row = await db.selectFrom('users').select('credit_balance').where('id', '=', userId).where('disabled_at', 'is', null).executeTakeFirst();
  return row?.credit_balance;
}
