import { sql } from 'kysely';
import type { Tx } from '../platform/db.js';

export interface MusicFields {
  music_key: string | null;
  music_name: string | null;
  music_duration_s: number | null;
  music_bytes: number | null;
}

/**
 * Sets (or clears) the project's track and returns the key it replaces. The row is locked first,
 * so two uploads racing each learn exactly the key they replaced and no object is lost track of.
 * undefined when the project is not the user's (or no longer exists).
 */
export async function swapProjectMusic(tx: Tx, userId: string, projectId: string, next: MusicFields): Promise<{ oldKey: string | null } | undefined> {
  const current = await tx
    .selectFrom('projects')
    .select('music_key')
    .where('id', '=', projectId)
    .where('user_id', '=', userId)
    .forUpdate()
    .executeTakeFirst();
  if (!current) return undefined;
  await tx
    .updateTable('projects')
    .set({ ...next, updated_at: sql`now()` })
    .where('id', '=', projectId)
    .execute();
  return { oldKey: current.music_key };
}
