import fp from 'fastify-plugin';
import { z } from 'zod';
import { currentUser, requireUser } from '../auth/require-user.js';
import { getBalance } from '../credits/queries.js';
import { NotFoundError, UserError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { CheckoutFailedError, startCheckout } from './checkout.js';
import { confirmPayment } from './confirm.js';
import { successView } from './success-view.js';
import { createStripeGateway } from './stripe.js';
import { stripeWebhook } from './webhook.js';

const checkoutForm = z.object({ pack_id: z.string().trim().min(1).max(100) });
const successQuery = z.object({ session_id: z.string().regex(/^[\w-]{1,255}$/) });

export default fp(
  async (app) => {
    const gateway = createStripeGateway(app.config);

    app.post(
      '/credits/checkout',
      {
        preHandler: requireUser,
        // Each attempt opens a Stripe session; a person never needs many a minute.
        config: { rateLimit: { max: 10, timeWindow: '1 minute', hook: 'preHandler', keyGenerator: (req) => req.user?.id ?? req.ip } },
      },
      async (req, reply) => {
        const form = checkoutForm.safeParse(req.body ?? {});
        if (!form.success) throw new UserError('Choose a credit pack to buy.');
        try {
          const url = await startCheckout(app.db, gateway, app.config, currentUser(req), form.data.pack_id);
          return reply.redirect(url, 303);
        } catch (err) {
          if (!(err instanceof CheckoutFailedError)) throw err;
          flash(reply, 'error', err.message);
          return reply.redirect('/credits', 303);
        }
      },
    );

    app.get('/credits/success', { preHandler: requireUser }, async (req, reply) => {
      const query = successQuery.safeParse(req.query ?? {});
      if (!query.success) throw new NotFoundError();
      const user = currentUser(req);
      const payment = await confirmPayment(app.db, gateway, user.id, query.data.session_id, req.log);
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
