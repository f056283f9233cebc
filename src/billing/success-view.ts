import type { Payment } from '../platform/db-types.js';
import { money } from '../platform/format.js';

export type PurchaseState = 'paid' | 'processing' | 'failed' | 'expired' | 'refunded';

const STATE: Record<Payment['status'], PurchaseState> = {
  paid: 'paid',
  pending: 'processing',
  failed: 'failed',
  expired: 'expired',
  refunded: 'refunded',
};

/** What the return page shows for a payment (plain data for billing/success and billing/_status). */
export function successView(payment: Payment & { pack_name: string }) {
  return {
    state: STATE[payment.status],
    sessionId: payment.stripe_session_id ?? '',
    packName: payment.pack_name,
    credits: payment.credits_purchased,
    amount: money(payment.amount_cents, payment.currency),
  };
}
