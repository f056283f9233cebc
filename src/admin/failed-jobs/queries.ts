import { sql } from 'kysely';
import type { Conn } from '../../platform/db.js';

export type JobFilter = 'all' | 'error' | 'stuck' | 'failover';

/**
 * A clip is stuck when it has been queued, or generating since its submission, for longer than
 * the generation timeout: the worker should have finished or failed it by then. (Raw SQL over the
 * alias `c`, so the same condition serves the list, the count and the single-clip check.)
 */
function stuck(timeoutMin: number) {
  const cutoff = sql`now() - make_interval(mins => ${timeoutMin})`;
  return sql<boolean>`((c.status = 'queued' and c.updated_at < ${cutoff}) or (c.status = 'generating' and coalesce(c.submitted_at, c.updated_at) < ${cutoff}))`;
}

/**
 * The attempt's submitter died between sending the request and recording the answer (vanished),
 * or has been sending for over a minute: a generation may run at the provider that nobody follows.
 */
const lostSubmit = sql<boolean>`exists (select 1 from provider_submissions s where s.clip_id = c.id and s.attempt = c.attempt and (s.status = 'vanished' or (s.status = 'submitting' and s.created_at < now() - interval '1 minute')))`;

function problem(filter: JobFilter, timeoutMin: number) {
  if (filter === 'error') return sql<boolean>`c.status = 'error'`;
  if (filter === 'stuck') return sql<boolean>`(${stuck(timeoutMin)} or ${lostSubmit})`;
  if (filter === 'failover') return sql<boolean>`(c.failover_from is not null or ${lostSubmit})`;
  return sql<boolean>`(c.status = 'error' or ${stuck(timeoutMin)} or ${lostSubmit})`;
}

/** Failed and stuck clips with what it takes to debug them, and whether this attempt was refunded. */
export async function listProblemClips(db: Conn, opts: { filter: JobFilter; timeoutMin: number; limit: number; offset: number }) {
  return db
    .selectFrom('clips as c')
    .innerJoin('users as u', 'u.id', 'c.user_id')
    .innerJoin('projects as p', 'p.id', 'c.project_id')
    .select([
      'c.id', 'c.project_id', 'c.user_id', 'c.status', 'c.prompt', 'c.duration_s', 'c.ratio', 'c.progress',
      'c.provider', 'c.model', 'c.provider_task_id', 'c.attempt', 'c.error_code', 'c.error_message', 'c.error_detail',
      'c.request_id', 'c.credits_spent', 'c.submitted_at', 'c.finished_at', 'c.created_at', 'c.updated_at',
      'c.failover_from', 'c.failover_reason', 'c.take_id',
      'u.email', 'p.title as project_title',
    ])
    .select(sql<boolean>`exists (select 1 from credit_transactions t where t.type = 'refund' and t.reference_id = c.id || ':' || c.attempt)`.as('refunded'))
    .where(problem(opts.filter, opts.timeoutMin))
    .orderBy(sql`coalesce(c.finished_at, c.updated_at)`, 'desc')
    .orderBy('c.id')
    .limit(opts.limit)
    .offset(opts.offset)
    .execute();
}

export async function countProblemClips(db: Conn, filter: JobFilter, timeoutMin: number): Promise<number> {
  const row = await db.selectFrom('clips as c').select(sql<number>`count(*)::int`.as('n')).where(problem(filter, timeoutMin)).executeTakeFirstOrThrow();
  return row.n;
}

/** Failures of the last `days` days by error code: the pattern behind a wave of failures. */
export async function errorCodeCounts(db: Conn, days: number) {
  return db
    .selectFrom('clips')
    .select([sql<string>`coalesce(error_code, 'unknown')`.as('code'), sql<number>`count(*)::int`.as('n')])
    .where('status', '=', 'error')
    .where(sql<Date>`coalesce(finished_at, updated_at)`, '>', sql<Date>`now() - make_interval(days => ${days})`)
    .groupBy(sql`coalesce(error_code, 'unknown')`)
    .orderBy('n', 'desc')
    .limit(10)
    .execute();
}

export async function findClipForUpdate(db: Conn, id: string) {
  return db.selectFrom('clips').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

/** True when the clip has sat unfinished for longer than the timeout (same rule as the list). */
export async function isClipStuck(db: Conn, id: string, timeoutMin: number): Promise<boolean> {
  const row = await db.selectFrom('clips as c').select('c.id').where('c.id', '=', id).where(stuck(timeoutMin)).executeTakeFirst();
  return Boolean(row);
}

/** Every try to start these clips at a provider (who ran each attempt, why one failed over). */
export async function providerTries(db: Conn, clipIds: string[]) {
  if (!clipIds.length) return [];
  return db
    .selectFrom('provider_submissions')
    .select(['clip_id', 'attempt', 'provider', 'model', 'status', 'task_id', 'reason', 'detail', 'created_at'])
    .where('clip_id', 'in', clipIds)
    .orderBy('created_at')
    .execute();
}

/** Background jobs (analysis, export, data download, generation steps) that gave up on our side, newest first. */
export async function listJobFailures(db: Conn, limit: number) {
  return db
    .selectFrom('job_failures as f')
    .leftJoin('users as u', 'u.id', 'f.user_id')
    .select(['f.id', 'f.queue', 'f.job_name', 'f.job_id', 'f.user_id', 'f.attempts', 'f.error', 'f.created_at', 'u.email'])
    .orderBy('f.created_at', 'desc')
    .orderBy('f.id')
    .limit(limit)
    .execute();
}
