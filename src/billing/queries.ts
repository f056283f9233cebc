import { sql } from 'kysely';
import type { Conn } from '../platform/db.js';
import type { PaymentStatus } from '../platform/db-types.js';
import { isUuid } from '../platform/ids.js';

/** Active packs in the admin's order (ties as the admin list breaks them). */
export async function listActivePacks(db: Conn) {
  return db.selectFrom('credit_packs').selectAll().where('active', '=', true).orderBy('sort_order').orderBy('created_at').orderBy('id').execute();
}

export async function findActivePack(db: Conn, packId: string) {
  if (!isUuid(packId)) return undefined;
  return db.selectFrom('credit_packs').selectAll().where('id', '=', packId).where('active', '=', true).executeTakeFirst();
}

export async function insertPendingPayment(
  db: Conn,
  p: { userId: string; packId: string; amountCents: number; currency: string; credits: number },
) {
  return db
    .insertInto('payments')
    .values({ user_id: p.userId, credit_pack_id: p.packId, amount_cents: p.amountCents, currency: p.currency, credits_purchased: p.credits })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function setPaymentSession(db: Conn, paymentId: string, sessionId: string): Promise<void> {
  await db.updateTable('payments').set({ stripe_session_id: sessionId, updated_at: new Date() }).where('id', '=', paymentId).execute();
}

export async function markPaymentFailed(db: Conn, paymentId: string, message: string): Promise<void> {
  await db
    .updateTable('payments')
    .set({ status: 'failed', error_message: message.slice(0, 500), updated_at: new Date() })
    .where('id', '=', paymentId)
    .where('status', '=', 'pending')
    .execute();
}

/** Payments with the name of the pack they bought. */
function paymentsWithPack(db: Conn) {
  return db
    .selectFrom('payments')
    .innerJoin('credit_packs', 'credit_packs.id', 'payments.credit_pack_id')
    .selectAll('payments')
    .select('credit_packs.name as pack_name');
}

/** The user's payment for a Checkout Session; undefined when there is none or it is someone else's. */
export async function findPaymentForUserBySession(db: Conn, userId: string, sessionId: string) {
  return paymentsWithPack(db)
    .where('payments.stripe_session_id', '=', sessionId)
    .where('payments.user_id', '=', userId)
    .executeTakeFirst();
}

/**
 * The payment a Stripe session belongs to, locked until the transaction ends so that duplicate
 * deliveries of one event take turns. Found by session id, or by our payment id in the metadata
 * when the session id was not stored yet.
 */
export async function lockPaymentForSession(db: Conn, sessionId: string, paymentId: string | undefined) {
  const base = paymentsWithPack(db).forUpdate('payments');
  const bySession = await base.where('payments.stripe_session_id', '=', sessionId).executeTakeFirst();
  if (bySession || !isUuid(paymentId)) return bySession;
  return base.where('payments.id', '=', paymentId).where('payments.stripe_session_id', 'is', null).executeTakeFirst();
}

export async function lockPaymentByIntent(db: Conn, paymentIntent: string) {
  return paymentsWithPack(db)
    .where('payments.stripe_payment_intent', '=', paymentIntent)
    .forUpdate('payments')
    .executeTakeFirst();
}

/** A paid event that did not match: kept for the admin (the payment itself stays as it was). */
export async function recordMismatch(db: Conn, paymentId: string, what: string): Promise<void> {
  await db.updateTable('payments').set({ mismatch: what.slice(0, 1000), mismatch_at: new Date(), updated_at: new Date() }).where('id', '=', paymentId).execute();
}

export async function updatePayment(
  db: Conn,
  paymentId: string,
  changes: { status?: PaymentStatus; stripeSessionId?: string; paymentIntent?: string | null },
): Promise<void> {
  await db
    .updateTable('payments')
    .set({
      ...(changes.status ? { status: changes.status } : {}),
      ...(changes.stripeSessionId ? { stripe_session_id: changes.stripeSessionId } : {}),
      ...(changes.paymentIntent ? { stripe_payment_intent: changes.paymentIntent } : {}),
      updated_at: new Date(),
    })
    .where('id', '=', paymentId)
    .execute();
}

export async function listPaymentsForUser(db: Conn, userId: string, limit: number) {
  return db
    .selectFrom('payments')
    .innerJoin('credit_packs', 'credit_packs.id', 'payments.credit_pack_id')
    .select([
      'payments.id',
      'payments.status',
      'payments.amount_cents',
      'payments.currency',
      'payments.credits_purchased',
      'payments.created_at',
      'payments.error_message',
      'credit_packs.name as pack_name',
    ])
    .where('payments.user_id', '=', userId)
    .orderBy('payments.created_at', 'desc')
    .limit(limit)
    .execute();
}

export async function findReferrer(db: Conn, userId: string): Promise<string | null> {
  const row = await db.selectFrom('users').select('referred_by').where('id', '=', userId).executeTakeFirst();
  return row?.referred_by ?? null;
}

/** Whether the user had a payment go through before this one (the referral reward is for the first). */
export async function hasEarlierPaidPayment(db: Conn, userId: string, paymentId: string): Promise<boolean> {
  const row = await db
    .selectFrom('payments')
    .select('id')
    .where('user_id', '=', userId)
    .where('id', '<>', paymentId)
    .where('status', 'in', ['paid', 'refunded'])
    .executeTakeFirst();
  return Boolean(row);
}

// The packs as the admin changes them (billing/packs.ts).

export interface PackValues {
  name: string;
  credits: number;
  price_cents: number;
  currency: string;
}

/** Locks the pack, so a concurrent checkout cannot reference it between the check and the delete. */
export async function findPackForUpdate(db: Conn, id: string) {
  return db.selectFrom('credit_packs').selectAll().where('id', '=', id).forUpdate().executeTakeFirst();
}

export async function countPaymentsForPack(db: Conn, id: string): Promise<number> {
  const row = await db.selectFrom('payments').select(sql<number>`count(*)::int`.as('n')).where('credit_pack_id', '=', id).executeTakeFirstOrThrow();
  return row.n;
}

export async function insertPack(db: Conn, v: PackValues) {
  return db
    .insertInto('credit_packs')
    .values((eb) => ({ ...v, sort_order: eb.selectFrom('credit_packs').select(sql<number>`coalesce(max(sort_order), 0) + 1`.as('s')) }))
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function updatePack(db: Conn, id: string, v: Partial<PackValues> & { active?: boolean; sort_order?: number }) {
  return db.updateTable('credit_packs').set({ ...v, updated_at: new Date() }).where('id', '=', id).returningAll().executeTakeFirst();
}

export async function deletePack(db: Conn, id: string): Promise<void> {
  await db.deleteFrom('credit_packs').where('id', '=', id).execute();
}

/** Ids in display order, locked: reordering renumbers them all (ties in sort_order become a clear order). */
export async function packIdsInOrderForUpdate(db: Conn): Promise<string[]> {
  const rows = await db.selectFrom('credit_packs').select('id').orderBy('sort_order').orderBy('created_at').orderBy('id').forUpdate().execute();
  return rows.map((r) => r.id);
}

export async function setPackOrder(db: Conn, id: string, sortOrder: number): Promise<void> {
  await db.updateTable('credit_packs').set({ sort_order: sortOrder }).where('id', '=', id).execute();
}
