import { describe, expect, it } from 'vitest';
import { useAdminApp } from './harness.js';
import { createUser } from '../factories.js';
import { auditRows, createPayment } from '../factories/admin.js';

const w = useAdminApp();

const packs = () => w.t.ctx.db.selectFrom('credit_packs').selectAll().orderBy('sort_order').orderBy('created_at').execute();
const byName = async (name: string) => (await packs()).find((p) => p.name === name);

describe('credit packs', () => {
  it('lists the seeded packs in order with their prices', async () => {
    const res = await w.b.get('/admin/packs');
    expect(res.statusCode).toBe(200);
    const order = [...res.body.matchAll(/<strong>(Starter|Creator|Studio)<\/strong>/g)].map((m) => m[1]);
    expect(order).toEqual(['Starter', 'Creator', 'Studio']);
    expect(res.body).toContain('$5.00');
  });

  it('refuses bad input with a message for each field and stores nothing', async () => {
    const before = (await packs()).length;
    const cases: Array<[Record<string, string>, string]> = [
      [{ name: '', credits: '5', price: '4.99', currency: 'usd' }, 'Give the pack a name of 1 to 60 characters.'],
      [{ name: 'x'.repeat(61), credits: '5', price: '4.99', currency: 'usd' }, 'Give the pack a name of 1 to 60 characters.'],
      [{ name: 'Pack', credits: '0', price: '4.99', currency: 'usd' }, 'Credits must be a whole number from 1 to 100000.'],
      [{ name: 'Pack', credits: '2.5', price: '4.99', currency: 'usd' }, 'Credits must be a whole number from 1 to 100000.'],
      [{ name: 'Pack', credits: '5', price: '0', currency: 'usd' }, 'The price must be more than zero.'],
      [{ name: 'Pack', credits: '5', price: '0.00', currency: 'usd' }, 'The price must be more than zero.'],
      [{ name: 'Pack', credits: '5', price: '-3', currency: 'usd' }, 'Enter the price as an amount like 4.99.'],
      [{ name: 'Pack', credits: '5', price: '4.999', currency: 'usd' }, 'Enter the price as an amount like 4.99.'],
      [{ name: 'Pack', credits: '5', price: 'free', currency: 'usd' }, 'Enter the price as an amount like 4.99.'],
      [{ name: 'Pack', credits: '5', price: '4.99', currency: 'dollars' }, 'Currency is a three-letter code such as usd or eur.'],
      [{ name: 'Pack', credits: '5', price: '4.99', currency: 'u$d' }, 'Currency is a three-letter code such as usd or eur.'],
    ];
    for (const [form, message] of cases) {
      const res = await w.b.post('/admin/packs', form);
      expect(res.statusCode, JSON.stringify(form)).toBe(400);
      expect(res.body, JSON.stringify(form)).toContain(message);
    }
    expect((await packs()).length).toBe(before);
  });

  it('creates a pack at the end of the list, priced from a decimal amount', async () => {
    const res = await w.b.post('/admin/packs', { name: 'Mega', credits: '100', price: '74.99', currency: 'EUR' });
    expect(res.statusCode).toBe(303);
    const all = await packs();
    expect(all.at(-1)).toMatchObject({ name: 'Mega', credits: 100, price_cents: 7499, currency: 'eur', active: true });
    const [audit] = await auditRows(w.t.ctx.db, 'pack.create');
    expect(audit).toMatchObject({ actor: 'admin', target: all.at(-1)!.id, ip: '127.0.0.1' });
    expect(audit!.after).toMatchObject({ name: 'Mega', price_cents: 7499 });
    // Zero-decimal currencies take whole amounts.
    await w.b.post('/admin/packs', { name: 'Yen pack', credits: '3', price: '500', currency: 'jpy' });
    expect(await byName('Yen pack')).toMatchObject({ price_cents: 500, currency: 'jpy' });
    expect((await w.b.post('/admin/packs', { name: 'Yen bad', credits: '3', price: '5.50', currency: 'jpy' })).statusCode).toBe(400);
    // Three-decimal currencies take three (the digits come from Intl, as on the price shown).
    await w.b.post('/admin/packs', { name: 'Dinar pack', credits: '3', price: '1.25', currency: 'kwd' });
    const dinar = (await byName('Dinar pack'))!;
    expect(dinar).toMatchObject({ price_cents: 1250, currency: 'kwd' });
    expect((await w.b.get(`/admin/packs/${dinar.id}`)).body).toContain('value="1.250"');
  });

  it('edits a pack and audits only what changed', async () => {
    const mega = (await byName('Mega'))!;
    const page = await w.b.get(`/admin/packs/${mega.id}`);
    expect(page.body).toContain('value="74.99"');
    const bad = await w.b.post(`/admin/packs/${mega.id}`, { name: 'Mega', credits: '100', price: '0', currency: 'eur' });
    expect(bad.statusCode).toBe(400);
    expect(bad.body).toContain('The price must be more than zero.');
    expect((await w.b.post(`/admin/packs/${mega.id}`, { name: 'Mega+', credits: '100', price: '69.00', currency: 'eur' })).statusCode).toBe(303);
    expect(await byName('Mega+')).toMatchObject({ price_cents: 6900, credits: 100 });
    const [audit] = await auditRows(w.t.ctx.db, 'pack.update');
    expect(audit!.before).toEqual({ name: 'Mega', price_cents: 7499 });
    expect(audit!.after).toEqual({ name: 'Mega+', price_cents: 6900 });
    expect((await w.b.get('/admin/packs/00000000-0000-4000-8000-000000000000')).statusCode).toBe(404);
    expect((await w.b.get('/admin/packs/not-a-uuid')).statusCode).toBe(404);
  });

  it('reorders packs up and down', async () => {
    const studio = (await byName('Studio'))!;
    expect((await w.b.post(`/admin/packs/${studio.id}/move`, { direction: 'up' })).statusCode).toBe(303);
    expect((await packs()).map((p) => p.name).slice(0, 3)).toEqual(['Starter', 'Studio', 'Creator']);
    await w.b.post(`/admin/packs/${studio.id}/move`, { direction: 'up' });
    await w.b.post(`/admin/packs/${studio.id}/move`, { direction: 'up' }); // already first: no change
    expect((await packs()).map((p) => p.name).slice(0, 3)).toEqual(['Studio', 'Starter', 'Creator']);
    await w.b.post(`/admin/packs/${studio.id}/move`, { direction: 'down' });
    expect((await packs()).map((p) => p.name).slice(0, 3)).toEqual(['Starter', 'Studio', 'Creator']);
    expect((await w.b.post(`/admin/packs/${studio.id}/move`, { direction: 'sideways' })).statusCode).toBe(400);
    expect(await auditRows(w.t.ctx.db, 'pack.reorder')).toHaveLength(3);
  });

  it('activates and deactivates a pack', async () => {
    const starter = (await byName('Starter'))!;
    await w.b.post(`/admin/packs/${starter.id}/deactivate`);
    expect((await byName('Starter'))!.active).toBe(false);
    expect((await w.b.get('/admin/packs')).body).toContain('off sale');
    await w.b.post(`/admin/packs/${starter.id}/activate`);
    expect((await byName('Starter'))!.active).toBe(true);
    const rows = await auditRows(w.t.ctx.db);
    expect(rows.slice(0, 2).map((r) => r.action)).toEqual(['pack.activate', 'pack.deactivate']);
  });

  it('never deletes a pack that payments reference, and deletes one nobody bought', async () => {
    const user = await createUser(w.t.ctx.db);
    const creator = (await byName('Creator'))!;
    await createPayment(w.t.ctx.db, user.id, creator.id, { status: 'pending' });
    const list = await w.b.get('/admin/packs');
    expect(list.body).not.toContain(`/admin/packs/${creator.id}/delete`);
    const refused = await w.b.post(`/admin/packs/${creator.id}/delete`);
    expect(refused.statusCode).toBe(409);
    expect(refused.body).toContain('cannot be deleted: 1 payment refers to it');
    expect(await byName('Creator')).toBeTruthy();

    const yen = (await byName('Yen pack'))!;
    expect((await w.b.post(`/admin/packs/${yen.id}/delete`)).statusCode).toBe(303);
    expect(await byName('Yen pack')).toBeUndefined();
    const [audit] = await auditRows(w.t.ctx.db, 'pack.delete');
    expect(audit).toMatchObject({ target: yen.id });
    expect(audit!.before).toMatchObject({ name: 'Yen pack', price_cents: 500 });
  });
});
