import { ledgerExists, sumLedgerByPrefix } from '../credits/queries.js';
import { grantCredits, takeBackCredits } from '../credits/service.js';
import { withTx, type DB, type Tx } from '../platform/db.js';
import { getSettings } from '../settings/service.js';
import * as q from './queries.js';
import type { CheckoutSession, RefundedCharge, SessionEventType } from './stripe.js';

// What Stripe tells us (by webhook, or when the return page asks) becomes payment states and
// ledger rows here. Every change runs in one transaction holding the payment row's lock, and
// moves the row only from the state it expects, so a repeated, concurrent or late message
// changes nothing the second time.

export type Outcome =
  | 'granted'
  | 'already_paid'
  | 'awaiting_payment'
  | 'failed'
  | 'expired'
  | 'refunded'
  | 'already_refunded'
  | 'unmatched'
  | 'mismatch'
  | 'ignored';

/** States Stripe's "paid" may still move a payment out of: the money was taken, so credit it. */
const GRANTABLE = new Set(['pending', 'failed', 'expired']);

/** The referrer's reward for a referred user's first paid payment: once per referred user. */
async function rewardReferrer(tx: Tx, userId: string, paymentId: string): Promise<void> {
  const referrerId = await q.findReferrer(tx, userId);
  if (!referrerId) return;
  if (await q.hasEarlierPaidPayment(tx, userId, paymentId)) return;
  const { referralReward } = await getSettings(tx);
  if (referralReward > 0) await grantCredits(tx, referrerId, referralReward, 'referral', userId, 'Referral reward');
}

/**
 * What a paid session says that differs from the payment row (made from the pack at checkout),
 * or null when amount, currency and mode all agree. A correctly signed event is still only
 * believed for the money it names.
 */
export function paymentMismatch(p: { amount_cents: number; currency: string }, session: CheckoutSession, live: boolean): string | null {
  const wrong: string[] = [];
  if (session.amountTotal !== p.amount_cents) wrong.push(`amount_total ${session.amountTotal ?? 'missing'}, expected ${p.amount_cents}`);
  if ((session.currency ?? '').toLowerCase() !== p.currency.toLowerCase()) wrong.push(`currency ${session.currency ?? 'missing'}, expected ${p.currency}`);
  if (session.livemode !== live) wrong.push(`livemode ${String(session.livemode)}, expected ${String(live)}`);
  return wrong.length ? wrong.join('; ') : null;
}

/**
 * Stripe says the session is paid: payment → paid, credits granted, referrer rewarded; unless its
 * amount, currency or mode differ from the payment's (`live`: the mode of our keys), when nothing
 * is granted and the difference is kept on the payment for the admin overview.
 */
export async function markPaid(db: DB, session: CheckoutSession, live: boolean): Promise<Outcome> {
  return withTx(db, async (tx) => {
    const p = await q.lockPaymentForSession(tx, session.id, session.metadata.payment_id);
    if (!p) return 'unmatched';
    if (!GRANTABLE.has(p.status)) return p.status === 'paid' ? 'already_paid' : 'ignored';
    const mismatch = paymentMismatch(p, session, live);
    if (mismatch) {
      await q.recordMismatch(tx, p.id, `${session.id}: ${mismatch}`);
      return 'mismatch';
    }
    await q.updatePayment(tx, p.id, { status: 'paid', stripeSessionId: session.id, paymentIntent: session.paymentIntent });
    const granted = await grantCredits(tx, p.user_id, p.credits_purchased, 'purchase', session.id, p.pack_name);
    if (granted) await rewardReferrer(tx, p.user_id, p.id);
    return granted ? 'granted' : 'already_paid';
  });
}

/**
 * A session still waiting for its money moves on without it: closed unpaid (expired, or its
 * delayed payment failed), or completed with a delayed method (status null: keep waiting, but
 * remember the PaymentIntent a later refund will name).
 */
async function updateUnpaid(db: DB, session: CheckoutSession, status: 'failed' | 'expired' | null): Promise<Outcome> {
  return withTx(db, async (tx) => {
    const p = await q.lockPaymentForSession(tx, session.id, session.metadata.payment_id);
    if (!p) return 'unmatched';
    if (p.status !== 'pending') return 'ignored';
    await q.updatePayment(tx, p.id, { status: status ?? undefined, stripeSessionId: session.id, paymentIntent: session.paymentIntent });
    return status ?? 'awaiting_payment';
  });
}

export async function applySessionEvent(db: DB, type: SessionEventType, session: CheckoutSession, live: boolean): Promise<Outcome> {
  if (!session.id) return 'ignored';
  switch (type) {
    case 'checkout.session.completed':
      return session.paymentStatus === 'paid' ? markPaid(db, session, live) : updateUnpaid(db, session, null);
    case 'checkout.session.async_payment_succeeded':
      return markPaid(db, session, live);
    case 'checkout.session.async_payment_failed':
      return updateUnpaid(db, session, 'failed');
    case 'checkout.session.expired':
      return updateUnpaid(db, session, 'expired');
  }
}

/**
 * A refunded charge: payment → refunded, and back go the credits of the refunded share that are
 * still unspent (never below zero). Stripe sends one event per refund, each carrying the running
 * total refunded, so a later refund of the same charge takes back only the difference; rows are
 * negative `purchase` rows `refund:<session>:<total refunded cents>` (a replayed event changes
 * nothing), because they reverse that purchase; `refund` rows are the generation refunds.
 */
export async function applyRefund(db: DB, charge: RefundedCharge): Promise<Outcome> {
  if (!charge.paymentIntent || !(charge.amountRefunded > 0)) return 'ignored';
  return withTx(db, async (tx) => {
    const p = await q.lockPaymentByIntent(tx, charge.paymentIntent!);
    if (!p) return 'unmatched';
    const wasRefunded = p.status === 'refunded';
    if (!wasRefunded) await q.updatePayment(tx, p.id, { status: 'refunded' });
    const session = p.stripe_session_id ?? p.id;
    // Only a purchase that was credited has anything to take back.
    if (!(await ledgerExists(tx, 'purchase', session))) return wasRefunded ? 'already_refunded' : 'refunded';
    const share = Math.min(1, charge.amountRefunded / p.amount_cents);
    const due = Math.ceil(p.credits_purchased * share);
    const taken = -(await sumLedgerByPrefix(tx, p.user_id, 'purchase', `refund:${session}`));
    const taking = await takeBackCredits(tx, p.user_id, due - taken, 'purchase', `refund:${session}:${charge.amountRefunded}`, p.pack_name);
    return wasRefunded && taking === 0 ? 'already_refunded' : 'refunded';
  });
}
