import { sql } from 'kysely';
import type { Conn } from '../../platform/db.js';

// "Today" is the UTC day (the admin pages show UTC times); "week" is the last 7 days.
const TODAY = sql`date_trunc('day', now() at time zone 'utc') at time zone 'utc'`;
const WEEK = sql`now() - interval '7 days'`;

export async function userCounts(db: Conn) {
  const { rows } = await sql<{ total: number; week: number; disabled: number; balance: number }>`
    select count(*)::int as total,
           count(*) filter (where created_at >= ${WEEK})::int as week,
           count(*) filter (where disabled_at is not null)::int as disabled,
           coalesce(sum(credit_balance), 0)::int as balance
    from users`.execute(db);
  return rows[0]!;
}

/** Finished generations by outcome (a cancel is an error with a cancel code), and those running now. */
export async function generationCounts(db: Conn) {
  const { rows } = await sql<{ outcome: string; today: number; week: number }>`
    select case when status = 'error' and lower(error_code) in ('cancelled', 'canceled') then 'cancelled' else status end as outcome,
           count(*) filter (where coalesce(finished_at, updated_at) >= ${TODAY})::int as today,
           count(*) filter (where coalesce(finished_at, updated_at) >= ${WEEK})::int as week
    from clips
    where status in ('ready', 'error') and coalesce(finished_at, updated_at) >= least(${TODAY}, ${WEEK})
    group by 1`.execute(db);
  const running = await sql<{ n: number }>`select count(*)::int as n from clips where status in ('queued', 'generating')`.execute(db);
  return { byOutcome: rows, running: running.rows[0]?.n ?? 0 };
}

/** Credits sold (purchases), spent (generations net of refunds) and given away (everything else). */
export async function creditCounts(db: Conn) {
  const { rows } = await sql<{ sold: number; sold_week: number; spent: number; spent_week: number; given: number; given_week: number }>`
    select coalesce(sum(amount) filter (where type = 'purchase'), 0)::int as sold,
           coalesce(sum(amount) filter (where type = 'purchase' and created_at >= ${WEEK}), 0)::int as sold_week,
           coalesce(-sum(amount) filter (where type in ('generation', 'refund')), 0)::int as spent,
           coalesce(-sum(amount) filter (where type in ('generation', 'refund') and created_at >= ${WEEK}), 0)::int as spent_week,
           coalesce(sum(amount) filter (where type in ('signup', 'referral', 'share', 'admin')), 0)::int as given,
           coalesce(sum(amount) filter (where type in ('signup', 'referral', 'share', 'admin') and created_at >= ${WEEK}), 0)::int as given_week
    from credit_transactions`.execute(db);
  return rows[0]!;
}

/** Paid money by currency (amounts are never added across currencies). */
export async function revenue(db: Conn) {
  const { rows } = await sql<{ currency: string; total: number; week: number; payments: number }>`
    select currency,
           sum(amount_cents)::bigint as total,
           coalesce(sum(amount_cents) filter (where created_at >= ${WEEK}), 0)::bigint as week,
           count(*)::int as payments
    from payments where status = 'paid'
    group by currency order by currency`.execute(db);
  return rows;
}

/** Paid events that named other money than their payment (nothing granted): the latest few. */
export async function paymentMismatches(db: Conn, limit = 10) {
  return db
    .selectFrom('payments')
    .innerJoin('users', 'users.id', 'payments.user_id')
    .select(['payments.id', 'payments.user_id', 'users.email', 'payments.amount_cents', 'payments.currency', 'payments.mismatch', 'payments.mismatch_at'])
    .where('payments.mismatch_at', 'is not', null)
    .orderBy('payments.mismatch_at', 'desc')
    .limit(limit)
    .execute();
}
