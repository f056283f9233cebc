import fp from 'fastify-plugin';
import { enforceRouteLimit } from '../limits/route-limits.js';
import { storageUse } from '../limits/quota.js';
import { count } from '../platform/format.js';
import { getSettings } from '../settings/service.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { NotFoundError, UpstreamError, UserError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { downloadView, openDownload, startAccountExport } from './data-export.js';
import { contentDisposition } from '../storage/types.js';
import { confirmEmailMatches, requestDeletion } from './deletion.js';
import { trackLastSeen } from './last-seen.js';
import { history } from './credit-history.js';
import { devices, sidForDevice } from './devices.js';
import { receipts } from './receipts.js';
import { accountCounts, findPaidPaymentForUser } from './queries.js';
import { destroyUserSessions } from '../platform/session-store.js';
import { createStripeGateway, StripeRequestError } from '../billing/stripe.js';
import { isUuid } from '../platform/ids.js';

const pageQuery = z.object({ page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1) });
const deviceParams = z.object({ id: z.string().regex(/^[\w-]{22}$/) });
const receiptParams = z.object({ id: z.string().refine(isUuid) });
const downloadParams = receiptParams;
// The email is compared by confirmEmailMatches, which words each way it can be wrong.
const deleteForm = z.object({ confirm_email: z.unknown().optional() }).catch({ confirm_email: undefined });
const notFound = () => new NotFoundError();

/** /account: the person's profile, devices, credit history, receipts, data download and deletion. */
export default fp(
  async (app) => {
    trackLastSeen(app);

    async function renderPage(req: FastifyRequest, reply: FastifyReply, extra: { deleteError?: string; status?: number } = {}) {
      const user = currentUser(req);
      const { page } = readForm(pageQuery, req.query);
      const [deviceList, ledger, receiptList, download, counts] = await Promise.all([
        devices(app.db, user.id, req.session.sessionId),
        history(app.db, user.id, page),
        receipts(app.db, user.id, app.config.stripeEnabled),
        downloadView(app.ctx, user.id),
        accountCounts(app.db, user.id),
      ]);
      return reply.code(extra.status ?? 200).render('account/index', {
        title: 'Your account · Echoes',
        profile: { name: user.name, email: user.email, avatarUrl: user.avatar_url, referralCode: user.referral_code, referralLink: `${app.config.publicUrl}/r/${user.referral_code}`, balance: user.credit_balance },
        storageUsed: storageUse(await getSettings(app.db), user).label,
        devices: deviceList,
        ledger,
        receipts: receiptList,
        download,
        counts,
        deleteError: extra.deleteError ?? null,
      });
    }

    app.get('/account', async (req, reply) => {
      if (req.isHtmx && req.headers['hx-target'] === 'history') {
        const { page } = readForm(pageQuery, req.query);
        return reply.render('account/_history', { ledger: await history(app.db, currentUser(req).id, page) });
      }
      return renderPage(req, reply);
    });

    app.post('/account/sessions/:id/revoke', async (req, reply) => {
      const { id } = readForm(deviceParams, req.params, notFound);
      const user = currentUser(req);
      const sid = await sidForDevice(app.db, user.id, id);
      if (!sid) throw new NotFoundError('That device is already signed out.');
      if (sid === req.session.sessionId) throw new UserError('To sign out of this device, use Sign out in the menu.', 400, 'this_device');
      await destroyUserSessions(app.db, user.id, { only: sid });
      flash(reply, 'notice', 'That device is signed out.');
      return reply.redirect('/account#devices', 303);
    });

    app.post('/account/sessions/revoke-others', async (req, reply) => {
      const n = await destroyUserSessions(app.db, currentUser(req).id, { except: req.session.sessionId });
      flash(reply, 'notice', n === 0 ? 'No other device was signed in.' : `Signed out of ${count(n, 'other device')}.`);
      return reply.redirect('/account#devices', 303);
    });

    // Stripe's receipt page, looked up when asked for: billing does not store its address.
    const gateway = createStripeGateway(app.config);
    app.get('/account/receipts/:id', async (req, reply) => {
      const { id } = readForm(receiptParams, req.params, notFound);
      const payment = await findPaidPaymentForUser(app.db, currentUser(req).id, id);
      if (!payment) throw new NotFoundError();
      if (!gateway || !payment.stripe_payment_intent) throw new NotFoundError('Stripe has no receipt for this payment.');
      let url: string | null;
      try {
        url = await gateway.receiptUrl(payment.stripe_payment_intent);
      } catch (err) {
        if (!(err instanceof StripeRequestError)) throw err;
        req.log.warn({ err: err.message, status: err.status }, 'could not fetch a Stripe receipt');
        throw new UpstreamError('Stripe did not answer just now. Please try again in a minute.', 'stripe_unavailable');
      }
      if (!url) throw new NotFoundError('Stripe has no receipt for this payment yet.');
      return reply.redirect(url, 303);
    });

    async function renderDownload(req: FastifyRequest, reply: FastifyReply, notice: string | null = null, status = 200) {
      const download = await downloadView(app.ctx, currentUser(req).id, notice);
      if (req.isHtmx) return reply.code(status).render('account/_download', { download });
      if (notice) flash(reply, status >= 400 ? 'error' : 'notice', notice);
      return reply.redirect('/account#download', 303);
    }

    app.get('/account/export', async (req, reply) => renderDownload(req, reply));

    // Public so that a stranger, like another signed-in person, gets the same 404 as for no such
    // download (not a sign-in page confirming one exists); only the owner's session is served.
    app.get('/account/export/:id/download', { config: { access: 'public' } }, async (req, reply) => {
      if (!req.user) throw new NotFoundError();
      const { id } = readForm(downloadParams, req.params, notFound);
      const file = await openDownload(app.ctx, currentUser(req).id, id);
      reply.header('cache-control', 'no-store').header('content-disposition', contentDisposition(file.name)).type('application/zip');
      if (file.size) reply.header('content-length', String(file.size));
      return reply.send(file.body);
    });

    app.post('/account/export', async (req, reply) => {
      await enforceRouteLimit(app.ctx, req, 'account-export');
      try {
        await startAccountExport(app.ctx, currentUser(req).id);
      } catch (err) {
        if (err instanceof UserError) return renderDownload(req, reply, err.message, err.statusCode);
        throw err;
      }
      return renderDownload(req, reply, 'Preparing your download. You can leave this page; it will be here when you come back.');
    });

    app.post('/account/delete', async (req, reply) => {
      await enforceRouteLimit(app.ctx, req, 'account-delete');
      const user = currentUser(req);
      try {
        confirmEmailMatches(user, readForm(deleteForm, req.body).confirm_email);
      } catch (err) {
        if (!(err instanceof UserError)) throw err;
        return renderPage(req, reply, { deleteError: err.message, status: err.statusCode });
      }
      await requestDeletion(app.ctx, user.id, 'self');
      // Every session was deleted with the request; this browser's cookie goes too.
      await req.logOut();
      await req.session.destroy();
      reply.clearCookie('sid', { path: '/' });
      return reply.code(200).render('account/deleted', { title: 'Account deleted · Echoes', user: null });
    });
  },
  { name: 'account', dependencies: ['view', 'auth'] },
);
