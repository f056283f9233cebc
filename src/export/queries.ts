import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import { takeLengthS } from '../takes/queries.js';
import type { ExportFileInfo, ExportResolution, ExportRow, ExportShape } from '../platform/db-types.js';

export async function findLatestExport(db: Conn, projectId: string): Promise<ExportRow | undefined> {
  return db.selectFrom('exports').selectAll().where('project_id', '=', projectId).orderBy('created_at', 'desc').orderBy('id').limit(1).executeTakeFirst();
}

/** The newest export whose file is still stored (the one a person can download). */
export async function findLatestStoredExport(db: Conn, projectId: string): Promise<ExportRow | undefined> {
  return db
    .selectFrom('exports')
    .selectAll()
    .where('project_id', '=', projectId)
    .where('status', '=', 'ready')
    .where('object_key', 'is not', null)
    .orderBy('created_at', 'desc')
    .limit(1)
    .executeTakeFirst();
}

export async function findRunningExport(db: Conn, projectId: string): Promise<ExportRow | undefined> {
  return db.selectFrom('exports').selectAll().where('project_id', '=', projectId).where('status', 'in', ['queued', 'rendering']).executeTakeFirst();
}

export async function findExport(db: Conn, exportId: string): Promise<ExportRow | undefined> {
  return db.selectFrom('exports').selectAll().where('id', '=', exportId).executeTakeFirst();
}

/** Throws a unique violation (exports_one_running) when the project already has a running export. */
export async function insertExport(db: Conn, row: { project_id: string; user_id: string; source_hash: string; resolution: ExportResolution; shape: ExportShape }): Promise<ExportRow> {
  return db.insertInto('exports').values({ ...row, status: 'queued', progress: 0 }).returningAll().executeTakeFirstOrThrow();
}

/** Claims the export for rendering; undefined when it is finished already (a repeated job). */
export async function markRendering(db: Conn, exportId: string): Promise<ExportRow | undefined> {
  return db
    .updateTable('exports')
    .set({ status: 'rendering', progress: 0, started_at: sql`now()`, updated_at: sql`now()` })
    .where('id', '=', exportId)
    .where('status', 'in', ['queued', 'rendering'])
    .returningAll()
    .executeTakeFirst();
}

export async function setProgress(db: Conn, exportId: string, progress: number): Promise<void> {
  await db
    .updateTable('exports')
    .set({ progress, updated_at: sql`now()` })
    .where('id', '=', exportId)
    .where('status', '=', 'rendering')
    .execute();
}

/** True when the row was still rendering (it may have been deleted with its project meanwhile). */
export async function markReady(
  db: Conn,
  exportId: string,
  done: { object_key: string; size_bytes: number; duration_s: number; source_hash: string; render_s: number; file_info: ExportFileInfo },
): Promise<boolean> {
  const res = await db
    .updateTable('exports')
    .set({ ...done, file_info: JSON.stringify(done.file_info), status: 'ready', progress: 1, error_message: null, updated_at: sql`now()` })
    .where('id', '=', exportId)
    .where('status', '=', 'rendering')
    .executeTakeFirst();
  return res.numUpdatedRows > 0n;
}

/** A failure of ours, to be tried again: back to `queued`, with the note the page shows meanwhile. */
export async function markRetrying(db: Conn, exportId: string, note: string): Promise<void> {
  await db
    .updateTable('exports')
    .set({ status: 'queued', progress: 0, error_message: note, updated_at: sql`now()` })
    .where('id', '=', exportId)
    .where('status', 'in', ['queued', 'rendering'])
    .execute();
}

export async function markError(db: Conn, exportId: string, message: string): Promise<void> {
  await db
    .updateTable('exports')
    .set({ status: 'error', error_message: message, updated_at: sql`now()` })
    .where('id', '=', exportId)
    .where('status', 'in', ['queued', 'rendering'])
    .execute();
}

/** The project's other stored export files, locked until the caller's transaction ends. */
export async function lockOtherExportObjects(db: Conn, projectId: string, keepExportId: string) {
  const rows = await db
    .selectFrom('exports')
    .select(['id', 'object_key'])
    .where('project_id', '=', projectId)
    .where('id', '!=', keepExportId)
    .where('object_key', 'is not', null)
    .forUpdate()
    .execute();
  return rows as Array<{ id: string; object_key: string }>;
}

export async function clearExportObjects(db: Conn, exportIds: string[]): Promise<void> {
  if (exportIds.length === 0) return;
  await db.updateTable('exports').set({ object_key: null, updated_at: sql`now()` }).where('id', 'in', exportIds).execute();
}

/** Serialises dispatching per person for the caller's transaction (two exports started at once). */
export async function lockPersonsExports(db: Conn, userId: string): Promise<void> {
  await sql`select pg_advisory_xact_lock(hashtextextended(${'export-dispatch:' + userId}, 0))`.execute(db);
}

/** The person's export that is in the render queue or rendering, if any. */
export async function findDispatchedExport(db: Conn, userId: string): Promise<ExportRow | undefined> {
  return db
    .selectFrom('exports')
    .selectAll()
    .where('user_id', '=', userId)
    .where('status', 'in', ['queued', 'rendering'])
    .where('dispatched_at', 'is not', null)
    .limit(1)
    .executeTakeFirst();
}

/** Marks the person's oldest export still waiting its turn as dispatched; undefined when none waits. */
export async function dispatchOldestWaiting(db: Conn, userId: string): Promise<ExportRow | undefined> {
  const next = await db
    .selectFrom('exports')
    .select('id')
    .where('user_id', '=', userId)
    .where('status', '=', 'queued')
    .where('dispatched_at', 'is', null)
    .orderBy('created_at')
    .orderBy('id')
    .limit(1)
    .executeTakeFirst();
  if (!next) return undefined;
  return db.updateTable('exports').set({ dispatched_at: sql`now()`, updated_at: sql`now()` }).where('id', '=', next.id).returningAll().executeTakeFirst();
}

/** People with an export waiting its turn (the sweeper dispatches for them if nothing of theirs is in the queue). */
export async function usersWithWaitingExports(db: Conn, olderThanS: number): Promise<string[]> {
  const rows = await db
    .selectFrom('exports')
    .select('user_id')
    .distinct()
    .where('status', '=', 'queued')
    .where('dispatched_at', 'is', null)
    .where('created_at', '<', sql<Date>`now() - make_interval(secs => ${olderThanS})`)
    .limit(500)
    .execute();
  return rows.map((r) => r.user_id);
}

/** Dispatched exports with no progress written for this long (their job may be gone). */
export async function findIdleDispatchedExports(db: Conn, idleS: number): Promise<ExportRow[]> {
  return db
    .selectFrom('exports')
    .selectAll()
    .where('status', 'in', ['queued', 'rendering'])
    .where('dispatched_at', 'is not', null)
    .where('updated_at', '<', sql<Date>`now() - make_interval(secs => ${idleS})`)
    .limit(500)
    .execute();
}

/** The median render seconds per second of film of the last ready exports at this resolution here. */
export async function recentRenderRate(db: Conn, resolution: ExportResolution): Promise<{ rate: number | null; samples: number }> {
  const row = await sql<{ rate: number | null; samples: string }>`
    select percentile_cont(0.5) within group (order by render_s / duration_s) as rate, count(*) as samples
    from (
      select render_s, duration_s from exports
      where resolution = ${resolution} and status = 'ready' and render_s is not null and duration_s > 1
      order by created_at desc limit 20
    ) recent`.execute(db);
  const r = row.rows[0];
  return { rate: r?.rate ?? null, samples: Number(r?.samples ?? 0) };
}
