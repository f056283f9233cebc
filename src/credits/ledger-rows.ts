import type { LedgerRow } from '../platform/db-types.js';
import { date } from '../platform/format.js';

function packLabel(name: string | null): string {
  if (!name) return 'credits';
  return /\bpack$/i.test(name) ? name : `${name} pack`;
}

/** What a ledger row was for, in words a person reads on their credits page. */
export function describeLedgerRow(row: Pick<LedgerRow, 'type' | 'amount' | 'note'>): string {
  switch (row.type) {
    case 'signup':
      return 'Welcome credit';
    case 'purchase':
      // A negative purchase row is that purchase taken back after a refund (see billing/fulfil.ts).
      return row.amount > 0 ? `Bought ${packLabel(row.note)}` : `Refunded purchase: ${packLabel(row.note)}`;
    case 'generation':
      return 'Clip generation';
    case 'refund':
      return 'Refund: generation failed';
    case 'referral':
      return 'Referral reward';
    case 'share':
      return 'Share reward';
    case 'admin':
      return row.note ? `Adjusted by Echoes: ${row.note}` : 'Adjusted by Echoes';
  }
}

/** One ledger row as a person's pages show it (the buy page's history and /account's alike). */
export function ledgerRowView(r: Pick<LedgerRow, 'id' | 'type' | 'amount' | 'note' | 'created_at'>) {
  return {
    id: r.id,
    when: date(r.created_at),
    iso: r.created_at.toISOString(),
    description: describeLedgerRow(r),
    amount: r.amount,
    amountLabel: r.amount > 0 ? `+${r.amount}` : `−${Math.abs(r.amount)}`,
  };
}
