import fp from 'fastify-plugin';
import { enforceRouteLimit } from '../limits/route-limits.js';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { NotFoundError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { CheckoutFailedError, startCheckout } from './checkout.js';
import { confirmPayment } from './confirm.js';
import { successView } from './success-view.js';
import { createStripeGateway } from './stripe.js';
import { stripeWebhook } from './webhook.js';

const CHOOSE_PACK = 'Choose a credit pack to buy.';
const checkoutForm = z.object({ pack_id: z.string({ error: CHOOSE_PACK }).trim().min(1, CHOOSE_PACK).max(100, CHOOSE_PACK) }, { error: CHOOSE_PACK });
const successQuery = z.object({ session_id: z.string().regex(/^[\w-]{1,255}$/) });

export default fp(
  async (app) => {
    const gateway = createStripeGateway(app.config);

    app.post(
      '/credits/checkout',
      async (req, reply) => {
        await enforceRouteLimit(app.ctx, req, 'checkout');
        const form = readForm(checkoutForm, req.body);
        try {
          const url = await startCheckout(app.db, gateway, app.config, currentUser(req), form.pack_id);
          return reply.redirect(url, 303);
        } catch (err) {
          if (!(err instanceof CheckoutFailedError)) throw err;
          flash(reply, 'error', err.message);
          return reply.redirect('/credits', 303);
        }
      },
    );

    app.get('/credits/success', async (req, reply) => {
      const query = readForm(successQuery, req.query, () => new NotFoundError());
      const user = currentUser(req);
      const payment = await confirmPayment(app.db, gateway, user.id, query.session_id, req.log);
      const balance = await getBalance(app.db, user.id);
      // The header was filled from the user loaded before this request granted anything.
      user.credit_balance = balance;
      const data = { ...successView(payment), balance, title: 'Your purchase · Echoes' };
      if (req.isHtmx) return reply.render('billing/_status', data);
      return reply.render('billing/success', { ...data });
    });

    await app.register(stripeWebhook);
  },
  { name: 'billing', dependencies: ['view', 'auth'] },
);
