import { onCommit, type Tx } from '../platform/db.js';
import type { LedgerType } from '../platform/db-types.js';
import { PaymentRequiredError } from '../platform/errors.js';
import { creditsMoved } from '../platform/metrics.js';
import * as q from './queries.js';
import { credits } from '../platform/format.js';

// The ledger: the only code that changes a balance. Every function takes an open transaction,
// so the ledger row and the balance move together or not at all.

/** Counts credits in /metrics once the transaction that moved them has committed. */
function count(tx: Tx, direction: 'granted' | 'spent', type: LedgerType, amount: number): void {
  onCommit(tx, () => creditsMoved.inc({ direction, type }, amount));
}

export class InsufficientCreditsError extends PaymentRequiredError {
  constructor(public needed: number, public balance: number) {
    super(`This needs ${credits(needed)} and you have ${balance}.`, 'insufficient_credits');
  }
}

/** Adds credits once per (type, reference). Returns false when that grant was already made. */
export async function grantCredits(
  tx: Tx,
  userId: string,
  amount: number,
  type: LedgerType,
  referenceId: string | null,
  note?: string,
): Promise<boolean> {
  if (!Number.isInteger(amount) || amount <= 0) throw new Error(`grant amount must be a positive integer, got ${amount}`);
  const fresh = await q.insertLedgerRowOnce(tx, { userId, amount, type, referenceId, note });
  if (!fresh) return false;
  await q.addToBalance(tx, userId, amount);
  count(tx, 'granted', type, amount);
  return true;
}

/**
 * Takes credits in one conditional statement that cannot go below zero, then records why.
 * Throws InsufficientCreditsError when the balance does not cover it.
 */
export async function spendCredits(
  tx: Tx,
  userId: string,
  amount: number,
  type: LedgerType,
  referenceId: string | null,
  note?: string,
): Promise<number> {
  if (!Number.isInteger(amount) || amount <= 0) throw new Error(`spend amount must be a positive integer, got ${amount}`);
  const balance = await q.takeFromBalance(tx, userId, amount);
  if (balance === null) throw new InsufficientCreditsError(amount, await q.getBalance(tx, userId));
  const fresh = await q.insertLedgerRowOnce(tx, { userId, amount: -amount, type, referenceId, note });
  // A duplicate debit reference means the caller retried: undo by failing the transaction.
  if (!fresh) throw new Error(`ledger row ${type}:${referenceId} already exists`);
  count(tx, 'spent', type, amount);
  return balance;
}

/**
 * Takes back up to `amount` (never below zero), e.g. a refunded purchase whose credits were partly
 * spent. Returns what was actually taken; records nothing when that is zero or already done.
 */
export async function takeBackCredits(tx: Tx, userId: string, amount: number, type: LedgerType, referenceId: string, note?: string): Promise<number> {
  if (amount <= 0 || (await q.ledgerExists(tx, type, referenceId))) return 0;
  const balance = await q.getBalanceForUpdate(tx, userId);
  const take = Math.min(balance, amount);
  if (take <= 0) return 0;
  await q.insertLedgerRowOnce(tx, { userId, amount: -take, type, referenceId, note });
  await q.addToBalance(tx, userId, -take);
  count(tx, 'spent', type, take);
  return take;
}
