import { withTx, type DB } from '../../platform/db.js';
import type { CreditPack } from '../../platform/db-types.js';
import { NotFoundError, UserError } from '../../platform/errors.js';
import { parsePrice } from './money.js';
import * as q from './queries.js';
import { diff, recordAudit, type AdminCtx } from '../audit.js';
import { count, plural } from '../../platform/format.js';

export interface PackForm {
  name: string;
  credits: string;
  price: string;
  currency: string;
}

export type PackErrors = Partial<Record<keyof PackForm, string>>;

const str = (v: unknown) => (typeof v === 'string' ? v : '');

export function readPackForm(body: unknown): PackForm {
  const b = (body ?? {}) as Record<string, unknown>;
  return { name: str(b.name), credits: str(b.credits), price: str(b.price), currency: str(b.currency) || 'usd' };
}

/** Checks the form field by field, so the page can show each message next to its field. */
export function validatePack(form: PackForm): { values: q.PackValues } | { errors: PackErrors } {
  const errors: PackErrors = {};
  const name = form.name.trim();
  if (name.length < 1 || name.length > 60) errors.name = 'Give the pack a name of 1 to 60 characters.';
  const credits = Number(form.credits.trim());
  if (!/^\d+$/.test(form.credits.trim()) || !Number.isSafeInteger(credits) || credits <= 0 || credits > 100_000) {
    errors.credits = 'Credits must be a whole number from 1 to 100000.';
  }
  const currency = form.currency.trim().toLowerCase();
  if (!/^[a-z]{3}$/.test(currency)) errors.currency = 'Currency is a three-letter code such as usd or eur.';
  const price = parsePrice(form.price, currency);
  if ('error' in price) errors.price = price.error;
  if (Object.keys(errors).length || 'error' in price) return { errors };
  return { values: { name, credits, price_cents: price.cents, currency } };
}

const auditable = (p: CreditPack) => ({ name: p.name, credits: p.credits, price_cents: p.price_cents, currency: p.currency, active: p.active, sort_order: p.sort_order });

export async function createPack(db: DB, who: AdminCtx, values: q.PackValues): Promise<CreditPack> {
  return withTx(db, async (tx) => {
    const pack = await q.insertPack(tx, values);
    await recordAudit(tx, who, { action: 'pack.create', target: pack.id, after: auditable(pack) });
    return pack;
  });
}

async function lockPack(tx: Parameters<typeof q.findPackForUpdate>[0], id: string) {
  const pack = await q.findPackForUpdate(tx, id);
  if (!pack) throw new NotFoundError('That credit pack does not exist.');
  return pack;
}

export async function updatePackValues(db: DB, who: AdminCtx, id: string, values: q.PackValues): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await lockPack(tx, id);
    const change = diff(auditable(before), values);
    if (!change) return;
    await q.updatePack(tx, id, values);
    await recordAudit(tx, who, { action: 'pack.update', target: id, ...change });
  });
}

export async function setPackActive(db: DB, who: AdminCtx, id: string, active: boolean): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await lockPack(tx, id);
    if (before.active === active) return;
    await q.updatePack(tx, id, { active });
    await recordAudit(tx, who, { action: active ? 'pack.activate' : 'pack.deactivate', target: id, before: { active: before.active }, after: { active } });
  });
}

/** Moves a pack one place up or down in the list /credits shows. */
export async function movePack(db: DB, who: AdminCtx, id: string, direction: 'up' | 'down'): Promise<void> {
  await withTx(db, async (tx) => {
    const ids = await q.packIdsInOrderForUpdate(tx);
    const from = ids.indexOf(id);
    if (from < 0) throw new NotFoundError('That credit pack does not exist.');
    const to = direction === 'up' ? from - 1 : from + 1;
    if (to < 0 || to >= ids.length) return;
    const order = [...ids];
    [order[from], order[to]] = [order[to]!, order[from]!];
    for (const [i, packId] of order.entries()) await q.setPackOrder(tx, packId, i + 1);
    await recordAudit(tx, who, { action: 'pack.reorder', target: id, before: { position: from + 1 }, after: { position: to + 1 } });
  });
}

/** Deletes a pack nobody has paid for; a pack with payments can only be deactivated. */
export async function deletePack(db: DB, who: AdminCtx, id: string): Promise<CreditPack> {
  return withTx(db, async (tx) => {
    const pack = await lockPack(tx, id);
    const used = await q.countPaymentsForPack(tx, id);
    if (used > 0) {
      throw new UserError(`“${pack.name}” cannot be deleted: ${count(used, 'payment')} ${plural(used, 'refers', 'refer')} to it. Deactivate it instead to take it off sale.`, 409, 'pack_in_use');
    }
    try {
      await q.deletePack(tx, id);
    } catch (err) {
      // A checkout that referenced it meanwhile: the foreign key refuses, with the same answer.
      if ((err as { code?: string }).code === '23503') throw new UserError(`“${pack.name}” cannot be deleted: payments refer to it. Deactivate it instead.`, 409, 'pack_in_use');
      throw err;
    }
    await recordAudit(tx, who, { action: 'pack.delete', target: id, before: auditable(pack) });
    return pack;
  });
}
