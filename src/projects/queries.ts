import { sql } from 'kysely';
import type { Conn, Tx } from '../platform/db.js';
import { isUuid } from '../platform/ids.js';

/** The project, only when it belongs to the user; undefined otherwise (answer 404). */
export async function findProjectForUser(db: Conn, userId: string, projectId: string) {
  if (!isUuid(projectId)) return undefined;
  return db.selectFrom('projects').selectAll().where('id', '=', projectId).where('user_id', '=', userId).executeTakeFirst();
}

/** The dashboard's rows: newest first, with clip counts, the first clip's picture and the last change. */
export async function listProjectSummaries(db: Conn, userId: string, limit = 500) {
  return db
    .selectFrom('projects as p')
    .leftJoin('clips as c', 'c.project_id', 'p.id')
    .where('p.user_id', '=', userId)
    .groupBy('p.id')
    .select([
      'p.id',
      'p.title',
      'p.ratio',
      'p.status',
      'p.share_token',
      'p.music_name',
      'p.created_at',
      sql<number>`count(c.id)`.as('clip_count'),
      sql<number>`count(c.id) filter (where c.approved)`.as('approved_count'),
      sql<number>`count(c.id) filter (where c.status in ('queued', 'generating'))`.as('pending_count'),
      sql<Date>`greatest(p.updated_at, max(c.updated_at))`.as('changed_at'),
      // The first clip's picture, from the same pass over the clips (no subquery per project).
      sql<string | null>`(array_agg(coalesce(c.thumb_key, c.image_key) order by c.position, c.created_at) filter (where c.id is not null))[1]`.as('cover_key'),
    ])
    .orderBy('p.created_at', 'desc')
    .orderBy('p.id')
    .limit(limit)
    .execute();
}

export type ProjectSummaryRow = Awaited<ReturnType<typeof listProjectSummaries>>[number];

export async function insertProject(db: Conn, values: { userId: string; title: string; ratio: string }) {
  return db
    .insertInto('projects')
    .values({ user_id: values.userId, title: values.title, ratio: values.ratio })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function renameProject(db: Conn, userId: string, projectId: string, title: string) {
  return db
    .updateTable('projects')
    .set({ title, updated_at: sql`now()` })
    .where('id', '=', projectId)
    .where('user_id', '=', userId)
    .returningAll()
    .executeTakeFirst();
}

/**
 * Locks the project against new clips (an insert's foreign-key check waits for this lock) and
 * answers its clips still generating, locked too so a worker cannot finish one meanwhile.
 */
export async function lockProjectForDeletion(tx: Tx, userId: string, projectId: string) {
  const project = await tx.selectFrom('projects').select('id').where('id', '=', projectId).where('user_id', '=', userId).forUpdate().executeTakeFirst();
  if (!project) return undefined;
  const unfinished = await tx
    .selectFrom('clips')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('status', 'in', ['queued', 'generating'])
    .orderBy('id')
    .forUpdate()
    .execute();
  return { unfinished };
}

/** Deletes the row (clips and exports cascade); undefined when it was not theirs or already gone. */
export async function deleteProjectRow(db: Conn, userId: string, projectId: string) {
  return db.deleteFrom('projects').where('id', '=', projectId).where('user_id', '=', userId).returning(['id', 'title']).executeTakeFirst();
}

export async function hasAnyClip(db: Conn, userId: string): Promise<boolean> {
  const row = await db.selectFrom('clips').select('id').where('user_id', '=', userId).limit(1).executeTakeFirst();
  return Boolean(row);
}
