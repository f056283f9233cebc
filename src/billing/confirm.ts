import type { FastifyBaseLogger } from 'fastify';
import type { DB } from '../platform/db.js';
import { NotFoundError } from '../platform/errors.js';
import { applySessionEvent, markPaid } from './fulfil.js';
import * as q from './queries.js';
import { StripeRequestError, type StripeGateway } from './stripe.js';

/**
 * The return page's view of the person's payment. While it is pending it also asks Stripe, and
 * applies the same idempotent grant the webhook would, so a slow webhook does not keep them waiting.
 */
export async function confirmPayment(db: DB, gateway: StripeGateway | null, userId: string, sessionId: string, log: FastifyBaseLogger) {
  const payment = await q.findPaymentForUserBySession(db, userId, sessionId);
  if (!payment) throw new NotFoundError();
  if (payment.status !== 'pending' || !gateway) return payment;
  try {
    const session = await gateway.retrieveCheckoutSession(sessionId);
    if (session.paymentStatus === 'paid') {
      if ((await markPaid(db, session, gateway.live)) === 'mismatch') log.error({ sessionId }, 'stripe session does not match its payment; nothing granted');
    } else if (session.status === 'expired') await applySessionEvent(db, 'checkout.session.expired', session, gateway.live);
  } catch (err) {
    if (!(err instanceof StripeRequestError)) throw err;
    log.warn({ err: err.message, status: err.status }, 'could not confirm a checkout session with Stripe');
    return payment;
  }
  return (await q.findPaymentForUserBySession(db, userId, sessionId)) ?? payment;
}
