import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import { PackInUseError } from '../../billing/packs.js';
import { NotFoundError } from '../../platform/errors.js';
import { readForm } from '../../platform/forms.js';
import { flash } from '../../platform/view.js';
import { adminCtx } from '../guard.js';
import { uuidParam } from '../params.js';
import { money, perCredit } from '../../platform/format.js';
import { priceInput } from './money.js';
import { findPack, listPacksWithUse } from './queries.js';
import { createPack, deletePack, movePack, readPackForm, setPackActive, updatePackValues, validatePack, type PackErrors, type PackForm } from './service.js';

const moveForm = z.object({ direction: z.enum(['up', 'down'], { error: 'Move a pack up or down.' }) });
const EMPTY_FORM: PackForm = { name: '', credits: '', price: '', currency: 'usd' };

/** /admin/packs: the credit packs sold on /credits; changes show there at once (it reads the table). */
export default async function packsRoutes(app: FastifyInstance) {
  async function renderList(reply: FastifyReply, extra: { form?: PackForm; errors?: PackErrors; error?: string } = {}) {
    const rows = await listPacksWithUse(app.db);
    const packs = rows.map((p, i) => ({
      id: p.id,
      name: p.name,
      credits: p.credits,
      price: money(p.price_cents, p.currency),
      perCredit: perCredit(p.price_cents, p.credits, p.currency),
      active: p.active,
      payments: p.payments ?? 0,
      first: i === 0,
      last: i === rows.length - 1,
    }));
    return reply.render('admin/packs', { title: 'Credit packs · Admin', section: 'packs', packs, form: EMPTY_FORM, errors: {}, error: null, ...extra });
  }

  app.get('/packs', async (_req, reply) => renderList(reply));

  app.post('/packs', async (req, reply) => {
    const form = readPackForm(req.body);
    const checked = validatePack(form);
    if ('errors' in checked) return renderList(reply.code(400), { form, errors: checked.errors });
    const pack = await createPack(app.db, adminCtx(req), checked.values);
    flash(reply, 'notice', `Pack “${pack.name}” created.`);
    return reply.redirect('/admin/packs', 303);
  });

  async function loadPack(params: unknown) {
    const pack = await findPack(app.db, uuidParam(params));
    if (!pack) throw new NotFoundError('That credit pack does not exist.');
    return pack;
  }

  app.get('/packs/:id', async (req, reply) => {
    const pack = await loadPack(req.params);
    const form: PackForm = { name: pack.name, credits: String(pack.credits), price: priceInput(pack.price_cents, pack.currency), currency: pack.currency };
    return reply.render('admin/pack-edit', { title: `${pack.name} · Admin`, section: 'packs', pack, form, errors: {} });
  });

  app.post('/packs/:id', async (req, reply) => {
    const pack = await loadPack(req.params);
    const form = readPackForm(req.body);
    const checked = validatePack(form);
    if ('errors' in checked) {
      return reply.code(400).render('admin/pack-edit', { title: `${pack.name} · Admin`, section: 'packs', pack, form, errors: checked.errors });
    }
    await updatePackValues(app.db, adminCtx(req), pack.id, checked.values);
    flash(reply, 'notice', `Pack “${checked.values.name}” saved.`);
    return reply.redirect('/admin/packs', 303);
  });

  app.post('/packs/:id/move', async (req, reply) => {
    const { direction } = readForm(moveForm, req.body);
    await movePack(app.db, adminCtx(req), uuidParam(req.params), direction);
    return reply.redirect('/admin/packs', 303);
  });

  for (const [action, active] of [['activate', true], ['deactivate', false]] as const) {
    app.post(`/packs/:id/${action}`, async (req, reply) => {
      await setPackActive(app.db, adminCtx(req), uuidParam(req.params), active);
      flash(reply, 'notice', active ? 'Pack is on sale.' : 'Pack is off sale. It no longer shows on /credits.');
      return reply.redirect('/admin/packs', 303);
    });
  }

  app.post('/packs/:id/delete', async (req, reply) => {
    try {
      const pack = await deletePack(app.db, adminCtx(req), uuidParam(req.params));
      flash(reply, 'notice', `Pack “${pack.name}” deleted.`);
      return reply.redirect('/admin/packs', 303);
    } catch (err) {
      if (err instanceof PackInUseError) return renderList(reply.code(409), { error: err.message });
      throw err;
    }
  });
}
