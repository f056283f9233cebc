import type { Tx } from '../platform/db.js';
import type { CreditPack } from '../platform/db-types.js';
import { ConflictError, NotFoundError } from '../platform/errors.js';
import { count, plural } from '../platform/format.js';
import * as q from './queries.js';

// The credit packs /credits sells, as the admin changes them. Each runs in the caller's
// transaction, so the admin's audit row lands with the change or not at all.

export type { PackValues } from './queries.js';

export function addPack(tx: Tx, values: q.PackValues): Promise<CreditPack> {
  return q.insertPack(tx, values);
}

/** The pack, locked, so a concurrent checkout cannot reference it before the change is done. */
export async function lockPack(tx: Tx, id: string): Promise<CreditPack> {
  const pack = await q.findPackForUpdate(tx, id);
  if (!pack) throw new NotFoundError('That credit pack does not exist.');
  return pack;
}

/** Changes a pack's values or takes it on or off sale; /credits shows the change at once. */
export async function changePack(tx: Tx, id: string, values: Partial<q.PackValues> & { active?: boolean }): Promise<void> {
  await q.updatePack(tx, id, values);
}

/** Moves a pack one place up or down the list; its positions (from 1) before and after, or null at the end of the list. */
export async function movePack(tx: Tx, id: string, direction: 'up' | 'down'): Promise<{ from: number; to: number } | null> {
  const ids = await q.packIdsInOrderForUpdate(tx);
  const from = ids.indexOf(id);
  if (from < 0) throw new NotFoundError('That credit pack does not exist.');
  const to = direction === 'up' ? from - 1 : from + 1;
  if (to < 0 || to >= ids.length) return null;
  const order = [...ids];
  [order[from], order[to]] = [order[to]!, order[from]!];
  for (const [i, packId] of order.entries()) await q.setPackOrder(tx, packId, i + 1);
  return { from: from + 1, to: to + 1 };
}

/** A pack payments refer to: it can be taken off sale, never deleted. */
export class PackInUseError extends ConflictError {
  constructor(message: string) {
    super(message, 'pack_in_use');
  }
}

/** Deletes a pack nobody has paid for; a pack with payments can only be taken off sale. */
export async function deletePack(tx: Tx, id: string): Promise<CreditPack> {
  const pack = await lockPack(tx, id);
  const used = await q.countPaymentsForPack(tx, id);
  if (used > 0) {
    throw new PackInUseError(`“${pack.name}” cannot be deleted: ${count(used, 'payment')} ${plural(used, 'refers', 'refer')} to it. Deactivate it instead to take it off sale.`);
  }
  try {
    await q.deletePack(tx, id);
  } catch (err) {
    // A checkout that referenced it meanwhile: the foreign key refuses, with the same answer.
    if ((err as { code?: string }).code === '23503') throw new PackInUseError(`“${pack.name}” cannot be deleted: payments refer to it. Deactivate it instead.`);
    throw err;
  }
  return pack;
}
