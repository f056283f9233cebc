import fp from 'fastify-plugin';
import { z } from 'zod';
import { currentUser } from '../../auth/require-user.js';
import { readForm } from '../../platform/forms.js';
import { clipCost, getSettings, primaryRoute } from '../../settings/service.js';
import { ledgerPage, packCards, paymentRows } from './service.js';

const pageQuery = z.object({
  page: z.coerce.number().int().min(1).max(100_000).catch(1).default(1),
  cancelled: z.string().optional(),
});

export default fp(
  async (app) => {
    // The buy page (/credits): balance, packs to buy, the ledger (paginated) and past payments.
    app.get('/credits', async (req, reply) => {
      const query = readForm(pageQuery, req.query);
      const user = currentUser(req);
      const ledger = await ledgerPage(app.db, user.id, query.page);
      if (req.isHtmx) return reply.render('credits/_ledger', { ledger });
      const [packs, payments, settings] = await Promise.all([packCards(app.db), paymentRows(app.db, user.id), getSettings(app.db)]);
      return reply.render('credits/index', {
        title: 'Credits · Echoes',
        balance: user.credit_balance,
        stripeEnabled: app.config.stripeEnabled,
        cancelled: query.cancelled !== undefined,
        packs,
        payments,
        ledger,
        clipSeconds: 5,
        clipCost: clipCost(settings, 5, primaryRoute(settings, app.config)),
      });
    });
  },
  { name: 'credits-page', dependencies: ['view', 'auth'] },
);
