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

/** Stripe says the session is paid: payment → paid, credits granted, referrer rewarded. */
export async function markPaid(db: DB, session: CheckoutSession): Promise<Outcome> {
  return withTx(db, async (tx) => {
    const p = await q.lockPaymentForSession(tx, session.id, session.metadata.payment_id);
    if (!p) return 'unmatched';
    if (!GRANTABLE.has(p.status)) return p.status === 'paid' ? 'already_paid' : 'ignored';
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

export async function applySessionEvent(db: DB, type: SessionEventType, session: CheckoutSession): Promise<Outcome> {
  if (!session.id) return 'ignored';
  switch (type) {
    case 'checkout.session.completed':
      return session.paymentStatus === 'paid' ? markPaid(db, session) : updateUnpaid(db, session, null);
    case 'checkout.session.async_payment_succeeded':
      return markPaid(db, session);
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
