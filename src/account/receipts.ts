import { listPaymentsForUser } from '../billing/queries.js';
import type { Conn } from '../platform/db.js';
import { date, money } from '../platform/format.js';

/** Paid (or later refunded) payments; with Stripe set up each links to its receipt (fetched on click). */
export async function receipts(db: Conn, userId: string, stripeEnabled: boolean) {
  const rows = (await listPaymentsForUser(db, userId, 100)).filter((p) => p.status === 'paid' || p.status === 'refunded');
  return rows.map((p) => ({
    id: p.id,
    when: date(p.created_at),
    iso: p.created_at.toISOString(),
    pack: p.pack_name,
    credits: p.credits_purchased,
    amount: money(p.amount_cents, p.currency),
    refunded: p.status === 'refunded',
    receiptUrl: stripeEnabled ? `/account/receipts/${p.id}` : null,
  }));
}
