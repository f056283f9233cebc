import type { FastifyInstance, FastifyReply } from 'fastify';
import { countLedgerForUser, listLedgerForUser } from '../../credits/queries.js';
import { limitsSummary } from '../../limits/summary.js';
import { NotFoundError, UserError } from '../../platform/errors.js';
import { count, money } from '../../platform/format.js';
import { flash } from '../../platform/view.js';
import { adminCtx } from '../guard.js';
import { pager } from '../pager.js';
import { pageParam, textParam, uuidParam } from '../params.js';
import { countUsers, findUser, findUserEmail, listPaymentsForUser, listProjectsForUser, searchUsers } from './queries.js';
import { adjustCredits, deleteAccountAsAdmin, parseCreditsForm, setDisabled } from './service.js';
import { pendingForUser } from '../../account/queries.js';
import { z } from 'zod';
import { readForm } from '../../platform/forms.js';
import { listRecentTakesOfUser } from '../../takes/queries.js';
import { takeView } from '../../takes/view.js';

/** The admin types the person's email to confirm an account deletion. */
const deleteForm = z.object({ confirm_email: z.string().optional() });

const USERS_PER_PAGE = 25;
const LEDGER_PER_PAGE = 30;
const TAKES_SHOWN = 30;

type FormError = { kind: 'grant' | 'take'; message: string; amount: string; reason: string };

/** /admin/users: find a person; their profile, balance, ledger, payments and projects; credits by hand. */
export default async function usersRoutes(app: FastifyInstance) {
  app.get('/users', async (req, reply) => {
    const q = textParam(req.query, 'q', 100);
    const page = pageParam(req.query);
    const [users, total] = await Promise.all([searchUsers(app.db, q, USERS_PER_PAGE, (page - 1) * USERS_PER_PAGE), countUsers(app.db, q)]);
    return reply.render('admin/users', { title: 'Users · Admin', section: 'users', q, users, pager: pager('/admin/users', { q }, page, USERS_PER_PAGE, total) });
  });

  async function renderUser(reply: FastifyReply, id: string, page: number, formError: FormError | null = null) {
    const user = await findUser(app.db, id);
    if (!user) throw new NotFoundError('That user does not exist.');
    const [ledger, ledgerTotal, payments, projects, referrer, limits, pending, takes] = await Promise.all([
      listLedgerForUser(app.db, id, LEDGER_PER_PAGE, (page - 1) * LEDGER_PER_PAGE),
      countLedgerForUser(app.db, id),
      listPaymentsForUser(app.db, id, 50),
      listProjectsForUser(app.db, id, 50),
      user.referred_by ? findUserEmail(app.db, user.referred_by) : null,
      limitsSummary(app.ctx, user),
      pendingForUser(app.db, id),
      listRecentTakesOfUser(app.db, id, TAKES_SHOWN),
    ]);
    return reply.render('admin/user', {
      title: `${user.email} · Admin`,
      section: 'users',
      u: user,
      referrer: user.referred_by ? { id: user.referred_by, email: referrer } : null,
      ledger,
      ledgerPager: pager(`/admin/users/${id}`, {}, page, LEDGER_PER_PAGE, ledgerTotal),
      payments: payments.map((p) => ({ ...p, amount: money(p.amount_cents, p.currency) })),
      projects,
      limits,
      pending,
      formError,
      takes: takes.map((t) => ({ ...takeView(t, { number: null, chosen: t.id === t.chosen_take_id, videoUrl: null }), projectTitle: t.project_title })),
      takesShown: TAKES_SHOWN,
    });
  }

  app.get('/users/:id', async (req, reply) => renderUser(reply, uuidParam(req.params), pageParam(req.query)));

  for (const kind of ['grant', 'take'] as const) {
    app.post(`/users/:id/${kind}`, async (req, reply) => {
      const id = uuidParam(req.params);
      try {
        const form = parseCreditsForm(req.body);
        const balance = await adjustCredits(app.db, adminCtx(req), id, kind, form);
        flash(reply, 'notice', `${kind === 'grant' ? 'Granted' : 'Took'} ${count(form.amount, 'credit')}. Balance is now ${balance}.`);
        return reply.redirect(`/admin/users/${id}`, 303);
      } catch (err) {
        if (!(err instanceof UserError) || err instanceof NotFoundError) throw err;
        const b = (req.body ?? {}) as Record<string, unknown>;
        const formError = { kind, message: err.message, amount: String(b.amount ?? ''), reason: String(b.reason ?? '') };
        return renderUser(reply.code(err.statusCode), id, 1, formError);
      }
    });
  }

  app.post('/users/:id/delete', async (req, reply) => {
    const id = uuidParam(req.params);
    await deleteAccountAsAdmin(app.ctx, adminCtx(req), id, readForm(deleteForm, req.body).confirm_email);
    flash(reply, 'notice', 'Account deletion started: they are signed out; their media and rows go in a minute or two.');
    return reply.redirect(`/admin/users/${id}`, 303);
  });

  for (const [action, disabled] of [['disable', true], ['enable', false]] as const) {
    app.post(`/users/:id/${action}`, async (req, reply) => {
      const id = uuidParam(req.params);
      await setDisabled(app.db, adminCtx(req), id, disabled);
      flash(reply, 'notice', disabled ? 'Account disabled and signed out everywhere.' : 'Account enabled. They can sign in again.');
      return reply.redirect(`/admin/users/${id}`, 303);
    });
  }
}
