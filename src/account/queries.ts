import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';

// Devices (sessions) ----------------------------------------------------------------------------

export async function listSessionsForUser(db: Conn, userId: string) {
  return db
    .selectFrom('sessions')
    .select(['sid', 'user_agent', 'created_at', 'last_seen_at'])
    .where('user_id', '=', userId)
    .where('expires_at', '>', new Date())
    .orderBy('last_seen_at', 'desc')
    .execute();
}

/** Writes only when the stored time is older than `minAgeS`: several processes may touch one session. */
export async function touchSession(db: Conn, sid: string, userAgent: string | null, minAgeS: number): Promise<void> {
  await db
    .updateTable('sessions')
    .set({ last_seen_at: new Date(), user_agent: userAgent })
    .where('sid', '=', sid)
    .where((eb) => eb.or([eb('last_seen_at', '<', sql<Date>`now() - make_interval(secs => ${minAgeS})`), eb('user_agent', 'is', null)]))
    .execute();
}

// Credit history and receipts ---------------------------------------------------------------------

/** Which of these ids are the person's own projects or clips, for links from ledger rows. */
export async function projectsOfClips(db: Conn, userId: string, clipIds: string[]) {
  if (clipIds.length === 0) return [];
  return db
    .selectFrom('clips')
    .innerJoin('projects', 'projects.id', 'clips.project_id')
    .select(['clips.id as clip_id', 'projects.id as project_id', 'projects.title'])
    .where('clips.user_id', '=', userId)
    .where('clips.id', 'in', clipIds)
    .execute();
}

export async function projectTitles(db: Conn, userId: string, projectIds: string[]) {
  if (projectIds.length === 0) return [];
  return db.selectFrom('projects').select(['id', 'title']).where('user_id', '=', userId).where('id', 'in', projectIds).execute();
}

export async function paymentsBySession(db: Conn, userId: string, sessionIds: string[]) {
  if (sessionIds.length === 0) return [];
  return db.selectFrom('payments').select(['id', 'stripe_session_id']).where('user_id', '=', userId).where('stripe_session_id', 'in', sessionIds).execute();
}

export async function findPaidPaymentForUser(db: Conn, userId: string, paymentId: string) {
  return db
    .selectFrom('payments')
    .select(['id', 'stripe_payment_intent'])
    .where('user_id', '=', userId)
    .where('id', '=', paymentId)
    .where('status', 'in', ['paid', 'refunded'])
    .executeTakeFirst();
}

// What deletion would take ----------------------------------------------------------------------

export async function accountCounts(db: Conn, userId: string) {
  const row = await db
    .selectNoFrom((eb) => [
      eb.selectFrom('projects').select(eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).as('projects'),
      eb.selectFrom('clips').select(eb.fn.countAll<number>().as('n')).where('user_id', '=', userId).as('clips'),
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('n')).where('referred_by', '=', userId).as('referred'),
    ])
    .executeTakeFirstOrThrow();
  return { projects: Number(row.projects ?? 0), clips: Number(row.clips ?? 0), referred: Number(row.referred ?? 0) };
}

// Deletion ------------------------------------------------------------------------------------

export async function insertDeletion(db: Conn, userId: string, requestedBy: 'self' | 'admin') {
  return db
    .insertInto('account_deletions')
    .values({ user_id: userId, requested_by: requestedBy })
    .onConflict((oc) => oc.column('user_id').where(sql<boolean>`status = 'pending'`).doUpdateSet({ user_id: userId }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function findDeletion(db: Conn, id: string) {
  return db.selectFrom('account_deletions').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function findPendingDeletionForUser(db: Conn, userId: string) {
  return db.selectFrom('account_deletions').selectAll().where('user_id', '=', userId).where('status', '=', 'pending').executeTakeFirst();
}

export async function listStalePendingDeletions(db: Conn, olderThan: Date) {
  return db.selectFrom('account_deletions').select('id').where('status', '=', 'pending').where('created_at', '<', olderThan).execute();
}

export async function setDeletionStep(db: Conn, id: string, step: string): Promise<void> {
  await db.updateTable('account_deletions').set({ step }).where('id', '=', id).execute();
}

export async function finishDeletion(db: Conn, id: string): Promise<void> {
  await db.updateTable('account_deletions').set({ status: 'done', step: 'done', user_id: null, finished_at: new Date() }).where('id', '=', id).execute();
}

export async function unfinishedClips(db: Conn, userId: string) {
  return db.selectFrom('clips').selectAll().where('user_id', '=', userId).where('status', 'in', ['queued', 'generating']).execute();
}

/** Clips this deletion stopped: asked again to cancel at the provider when a run is repeated. */
export async function clipsStoppedByDeletion(db: Conn, userId: string) {
  return db.selectFrom('clips').selectAll().where('user_id', '=', userId).where('error_code', '=', 'ACCOUNT_DELETED').where('provider_task_id', 'is not', null).execute();
}

/** The anonymous row that keeps the books; created once, whatever runs it. */
export async function ensureAnonHolder(db: Conn, anonId: string): Promise<void> {
  await db
    .insertInto('users')
    .values({
      id: anonId,
      google_sub: null,
      email: `deleted-${anonId}@deleted.invalid`,
      name: 'Deleted account',
      avatar_url: null,
      referral_code: `deleted-${anonId}`,
      referred_by: null,
      disabled_at: new Date(),
      deleted_at: new Date(),
    })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Payments and ledger rows move to the anonymous id; other people's referral rows name it instead. */
export async function handBooksToAnon(db: Conn, userId: string, anonId: string): Promise<void> {
  // Share rows written before notes were neutral name the project: no creator text goes along.
  await db.updateTable('credit_transactions').set({ note: 'Share reward' }).where('user_id', '=', userId).where('type', '=', 'share').execute();
  await db.updateTable('credit_transactions').set({ user_id: anonId }).where('user_id', '=', userId).execute();
  await db.updateTable('credit_transactions').set({ reference_id: anonId }).where('reference_id', '=', userId).execute();
  await db.updateTable('payments').set({ user_id: anonId }).where('user_id', '=', userId).execute();
  await db
    .updateTable('users')
    .set({ credit_balance: sql`(select coalesce(sum(amount), 0) from credit_transactions where user_id = ${anonId})` })
    .where('id', '=', anonId)
    .execute();
}

/** What an admin's hand-made ledger row and audit entry say instead of their free-text reason, once the account is gone. */
export const REASON_REMOVED = 'Adjusted by an admin (reason removed with the account)';

/**
 * The admin audit keeps what admins did (accountability), under the anonymous id: every entry
 * naming the person (as its target, or inside before/after, like a refund's user_id) names the
 * anonymous id instead, and a credit grant's or take's free-text reason, which was written about the
 * person, is replaced (the amount and balances stay). The ledger's admin rows likewise.
 */
export async function pseudonymiseAdminTrail(db: Conn, userId: string, anonId: string): Promise<void> {
  await db.updateTable('credit_transactions').set({ note: REASON_REMOVED }).where('user_id', '=', userId).where('type', '=', 'admin').execute();
  const named = sql<boolean>`(target = ${userId} or position(${userId} in coalesce(before::text, '')) > 0 or position(${userId} in coalesce(after::text, '')) > 0)`;
  await sql`
    update admin_audit set
      target = case when target = ${userId} then ${anonId} else target end,
      before = replace(before::text, ${userId}, ${anonId})::jsonb,
      after = case
        when action in ('user.credits_grant', 'user.credits_take') and after ? 'reason'
          then jsonb_set(replace(after::text, ${userId}, ${anonId})::jsonb, '{reason}', to_jsonb(${REASON_REMOVED}::text))
        else replace(after::text, ${userId}, ${anonId})::jsonb
      end
    where ${named}
  `.execute(db);
}

/** The local provider's task ids of the person's clips (every attempt's): their Redis state goes with the account. */
export async function localTaskIds(db: Conn, userId: string): Promise<string[]> {
  const submitted = await db
    .selectFrom('provider_submissions as s')
    .innerJoin('clips as c', 'c.id', 's.clip_id')
    .select('s.task_id')
    .where('c.user_id', '=', userId)
    .where('s.provider', '=', 'local')
    .where('s.task_id', 'is not', null)
    .execute();
  const current = await db.selectFrom('clips').select('provider_task_id').where('user_id', '=', userId).where('provider', '=', 'local').where('provider_task_id', 'is not', null).execute();
  return [...new Set([...submitted.map((r) => r.task_id!), ...current.map((r) => r.provider_task_id!)])];
}

/** Projects, clips, exports, sessions, data downloads go with the row (on delete cascade). */
export async function deleteUserRow(db: Conn, userId: string): Promise<void> {
  await db.deleteFrom('users').where('id', '=', userId).execute();
}

export async function findUserForUpdate(db: Conn, userId: string) {
  return db.selectFrom('users').selectAll().where('id', '=', userId).where('deleted_at', 'is', null).forUpdate().executeTakeFirst();
}

// Data downloads --------------------------------------------------------------------------------

export async function insertAccountExport(db: Conn, userId: string) {
  return db.insertInto('account_exports').values({ user_id: userId }).returningAll().executeTakeFirstOrThrow();
}

export async function findAccountExport(db: Conn, id: string) {
  return db.selectFrom('account_exports').selectAll().where('id', '=', id).executeTakeFirst();
}

/** A ready download, only when it is the person's own (undefined otherwise: answer 404). */
export async function findReadyAccountExportForUser(db: Conn, userId: string, id: string) {
  return db.selectFrom('account_exports').selectAll().where('id', '=', id).where('user_id', '=', userId).where('status', '=', 'ready').where('object_key', 'is not', null).executeTakeFirst();
}

export async function latestAccountExport(db: Conn, userId: string) {
  return db.selectFrom('account_exports').selectAll().where('user_id', '=', userId).orderBy('created_at', 'desc').limit(1).executeTakeFirst();
}

export async function updateAccountExport(
  db: Conn,
  id: string,
  changes: { status?: 'queued' | 'building' | 'ready' | 'error'; progress?: number; object_key?: string; size_bytes?: number; error_message?: string },
): Promise<void> {
  await db.updateTable('account_exports').set({ ...changes, updated_at: new Date() }).where('id', '=', id).execute();
}

export async function listExpiredAccountExports(db: Conn, before: Date, limit = 100) {
  return db.selectFrom('account_exports').select(['id', 'object_key']).where('created_at', '<', before).limit(limit).execute();
}

export async function deleteAccountExport(db: Conn, id: string): Promise<void> {
  await db.deleteFrom('account_exports').where('id', '=', id).execute();
}

/** Rows for data.json: what the person made and did, never anyone else's personal data. */
export async function dataForExport(db: Conn, userId: string) {
  const [projects, clips, takes, ledger, payments, referred, exports, deletes] = await Promise.all([
    db.selectFrom('projects').select(['id', 'title', 'ratio', 'music_name', 'status', 'share_token', 'shared_at', 'created_at', 'updated_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('clips').select(['id', 'project_id', 'prompt', 'status', 'duration_s', 'ratio', 'attempt', 'approved', 'position', 'credits_spent', 'image_key', 'take_id', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('takes').select(['id', 'clip_id', 'kind', 'status', 'prompt', 'motion', 'duration_s', 'credits_spent', 'video_key', 'created_at']).where('user_id', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('credit_transactions').select(['amount', 'type', 'reference_id', 'note', 'created_at']).where('user_id', '=', userId).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('payments').innerJoin('credit_packs', 'credit_packs.id', 'payments.credit_pack_id').select(['payments.id', 'credit_packs.name as pack', 'payments.amount_cents', 'payments.currency', 'payments.credits_purchased', 'payments.status', 'payments.created_at']).where('payments.user_id', '=', userId).orderBy('payments.created_at').execute(),
    db.selectFrom('users').select(['created_at']).where('referred_by', '=', userId).orderBy('created_at').execute(),
    db.selectFrom('exports').select(['id', 'project_id', 'status', 'object_key', 'duration_s', 'created_at']).where('user_id', '=', userId).where('status', '=', 'ready').orderBy('created_at').execute(),
    // Deleted clips whose rows the edit log still holds (undoable, or waiting for the purge): theirs until purged.
    db.selectFrom('project_edits').select(['inverse', 'expired', 'created_at']).where('user_id', '=', userId).where('kind', '=', 'delete').orderBy('id').execute(),
  ]);
  return { projects, clips, takes, ledger, payments, referred, exports, deletes };
}

/** The pending downloads and deletion of one person (admin). */
export async function pendingForUser(db: Conn, userId: string) {
  const [exports, deletion] = await Promise.all([
    db.selectFrom('account_exports').select(['id', 'status', 'progress', 'created_at']).where('user_id', '=', userId).orderBy('created_at', 'desc').limit(5).execute(),
    findPendingDeletionForUser(db, userId),
  ]);
  return { exports, deletion };
}
