import type { Conn } from '../platform/db.js';
import { isUuid } from '../platform/ids.js';

/** Public links are base64url of at least 16 random bytes; anything else never reaches the database. */
const TOKEN = /^[A-Za-z0-9_-]{22,64}$/;

export async function findSharedProject(db: Conn, token: string) {
  if (!TOKEN.test(token)) return undefined;
  return db.selectFrom('projects').selectAll().where('share_token', '=', token).executeTakeFirst();
}

/** Serialises a user's share rewards: whoever holds this row lock counts and grants alone. */
export async function lockUser(db: Conn, userId: string): Promise<void> {
  await db.selectFrom('users').select('id').where('id', '=', userId).forUpdate().executeTakeFirstOrThrow();
}

/** Gives the project a public token unless it already has one; returns the token in force. */
export async function setShareTokenIfNone(db: Conn, userId: string, projectId: string, token: string): Promise<string | undefined> {
  const updated = await db
    .updateTable('projects')
    .set({ share_token: token, shared_at: new Date(), updated_at: new Date() })
    .where('id', '=', projectId)
    .where('user_id', '=', userId)
    .where('share_token', 'is', null)
    .returning('share_token')
    .executeTakeFirst();
  return updated?.share_token ?? undefined;
}

export async function clearShareToken(db: Conn, userId: string, projectId: string) {
  if (!isUuid(projectId)) return undefined;
  return db
    .updateTable('projects')
    .set({ share_token: null, shared_at: null, updated_at: new Date() })
    .where('id', '=', projectId)
    .where('user_id', '=', userId)
    .returning('id')
    .executeTakeFirst();
}

/** How many share rewards the user has had (one ledger row per rewarded project). */
export async function countShareRewards(db: Conn, userId: string): Promise<number> {
  const row = await db
    .selectFrom('credit_transactions')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where('user_id', '=', userId)
    .where('type', '=', 'share')
    .where('amount', '>', 0)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function wasShareRewarded(db: Conn, projectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('credit_transactions')
    .select('id')
    .where('type', '=', 'share')
    .where('reference_id', '=', projectId)
    .executeTakeFirst();
  return Boolean(row);
}

/**
 * Whether the film has something to watch: an approved clip with its video (what the players
 * list). Sharing needs one, and so does the share reward.
 */
export async function hasPlayableClip(db: Conn, projectId: string): Promise<boolean> {
  const row = await db
    .selectFrom('clips')
    .innerJoin('takes', 'takes.id', 'clips.take_id')
    .select('clips.id')
    .where('clips.project_id', '=', projectId)
    .where('clips.approved', '=', true)
    .where('takes.video_key', 'is not', null)
    .limit(1)
    .executeTakeFirst();
  return Boolean(row);
}
