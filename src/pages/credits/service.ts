import { pageOfLedger } from '../../credits/ledger-page.js';
import { ledgerRowView } from '../../credits/ledger-rows.js';
import { PAYMENT_STATUS } from '../../billing/payment-status.js';
import type { Conn } from '../../platform/db.js';
import { date, money, perCredit } from '../../platform/format.js';
import { listActivePacks, listPaymentsForUser } from '../../billing/queries.js';

export const LEDGER_PAGE_SIZE = 20;
const PAYMENTS_SHOWN = 10;

/** The ledger, one page of it, newest first (plain data for views/credits/_ledger). */
export async function ledgerPage(db: Conn, userId: string, requestedPage: number) {
  const { rows, ...at } = await pageOfLedger(db, userId, requestedPage, LEDGER_PAGE_SIZE);
  return { ...at, rows: rows.map(ledgerRowView) };
}

export async function packCards(db: Conn) {
  const packs = await listActivePacks(db);
  const unitPrices = packs.map((p) => p.price_cents / p.credits);
  const best = packs.length > 1 ? Math.min(...unitPrices) : -1;
  return packs.map((p, i) => ({
    id: p.id,
    name: p.name,
    credits: p.credits,
    price: money(p.price_cents, p.currency),
    perCredit: perCredit(p.price_cents, p.credits, p.currency),
    bestValue: unitPrices[i] === best,
  }));
}

export async function paymentRows(db: Conn, userId: string) {
  const payments = await listPaymentsForUser(db, userId, PAYMENTS_SHOWN);
  return payments.map((p) => ({
    id: p.id,
    when: date(p.created_at),
    iso: p.created_at.toISOString(),
    packName: p.pack_name,
    credits: p.credits_purchased,
    amount: money(p.amount_cents, p.currency),
    status: p.status,
    ...PAYMENT_STATUS[p.status],
  }));
}
