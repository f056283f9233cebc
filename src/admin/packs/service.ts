import * as packs from '../../billing/packs.js';
import type { PackValues } from '../../billing/packs.js';
import { withTx, type DB } from '../../platform/db.js';
import type { CreditPack } from '../../platform/db-types.js';
import { diff, recordAudit, type AdminCtx } from '../audit.js';
import { parsePrice } from './money.js';

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
export function validatePack(form: PackForm): { values: PackValues } | { errors: PackErrors } {
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

// Each change goes through billing's pack functions, with its audit row in the same transaction.

export async function createPack(db: DB, who: AdminCtx, values: PackValues): Promise<CreditPack> {
  return withTx(db, async (tx) => {
    const pack = await packs.addPack(tx, values);
    await recordAudit(tx, who, { action: 'pack.create', target: pack.id, after: auditable(pack) });
    return pack;
  });
}

export async function updatePackValues(db: DB, who: AdminCtx, id: string, values: PackValues): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await packs.lockPack(tx, id);
    const change = diff(auditable(before), values);
    if (!change) return;
    await packs.changePack(tx, id, values);
    await recordAudit(tx, who, { action: 'pack.update', target: id, ...change });
  });
}

export async function setPackActive(db: DB, who: AdminCtx, id: string, active: boolean): Promise<void> {
  await withTx(db, async (tx) => {
    const before = await packs.lockPack(tx, id);
    if (before.active === active) return;
    await packs.changePack(tx, id, { active });
    await recordAudit(tx, who, { action: active ? 'pack.activate' : 'pack.deactivate', target: id, before: { active: before.active }, after: { active } });
  });
}

/** Moves a pack one place up or down in the list /credits shows. */
export async function movePack(db: DB, who: AdminCtx, id: string, direction: 'up' | 'down'): Promise<void> {
  await withTx(db, async (tx) => {
    const moved = await packs.movePack(tx, id, direction);
    if (moved) await recordAudit(tx, who, { action: 'pack.reorder', target: id, before: { position: moved.from }, after: { position: moved.to } });
  });
}

/** Deletes a pack nobody has paid for; a pack with payments can only be deactivated. */
export async function deletePack(db: DB, who: AdminCtx, id: string): Promise<CreditPack> {
  return withTx(db, async (tx) => {
    const pack = await packs.deletePack(tx, id);
    await recordAudit(tx, who, { action: 'pack.delete', target: id, before: auditable(pack) });
    return pack;
  });
}
