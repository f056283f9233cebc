import type { FastifyInstance } from 'fastify';
import { webhookEvents } from '../platform/metrics.js';
import { applyRefund, applySessionEvent, type Outcome } from './fulfil.js';
import { isLiveKey, verifyWebhook, type WebhookEvent } from './stripe.js';

async function handle(app: FastifyInstance, event: WebhookEvent): Promise<Outcome> {
  if (event.kind === 'session') return applySessionEvent(app.db, event.type, event.session, isLiveKey(app.config.STRIPE_SECRET_KEY));
  if (event.kind === 'refund') return applyRefund(app.db, event.charge);
  return 'ignored';
}

/**
 * POST /webhooks/stripe. Registered as an encapsulated plugin (no fastify-plugin) so that its
 * body parser, which keeps the raw bytes the signature is computed over, applies here only.
 */
export async function stripeWebhook(app: FastifyInstance): Promise<void> {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer' }, (_req, body, done) => done(null, body));

  // Stripe is no signed-in creator: the signature is the proof.
  app.post('/webhooks/stripe', { config: { access: 'public' } }, async (req, reply) => {
    const secret = app.config.STRIPE_WEBHOOK_SECRET;
    if (!secret) {
      webhookEvents.inc({ type: 'unverified', result: 'not_configured' });
      return reply.code(503).send({ error: 'Stripe webhooks are not configured here' });
    }
    const raw = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0);
    const signature = req.headers['stripe-signature'];
    const verified = await verifyWebhook(raw, typeof signature === 'string' ? signature : undefined, secret);
    if (!verified.ok) {
      webhookEvents.inc({ type: 'unverified', result: 'bad_signature' });
      req.log.warn({ reason: verified.reason }, 'stripe webhook refused');
      return reply.code(400).send({ error: 'invalid signature' });
    }
    const { event } = verified;
    const outcome = await handle(app, event);
    webhookEvents.inc({ type: event.type, result: outcome });
    if (outcome === 'mismatch') {
      const s = event.kind === 'session' ? event.session : null;
      req.log.error({ event: event.id, type: event.type, session: s?.id, amountTotal: s?.amountTotal, currency: s?.currency, livemode: s?.livemode }, 'stripe event does not match its payment; nothing granted');
    } else req.log.info({ event: event.id, type: event.type, outcome }, 'stripe event');
    return reply.send({ received: true });
  });
}
