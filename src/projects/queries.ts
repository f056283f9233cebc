import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
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
      (eb) =>
        eb
          .selectFrom('clips as fc')
          .select(sql<string>`coalesce(fc.thumb_key, fc.image_key)`.as('k'))
          .whereRef('fc.project_id', '=', 'p.id')
          .orderBy('fc.position')
          .orderBy('fc.created_at')
          .limit(1)
          .as('cover_key'),
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

/** Deletes the row (clips and exports cascade); undefined when it was not theirs or already gone. */
export async function deleteProjectRow(db: Conn, userId: string, projectId: string) {
  return db.deleteFrom('projects').where('id', '=', projectId).where('user_id', '=', userId).returning(['id', 'title']).executeTakeFirst();
}

export async function countClipsForUser(db: Conn, userId: string): Promise<number> {
  const row = await db.selectFrom('clips').select(sql<number>`count(*)`.as('n')).where('user_id', '=', userId).executeTakeFirstOrThrow();
  return row.n;
}
