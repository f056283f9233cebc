import type { Config } from '../platform/config.js';
import type { DB } from '../platform/db.js';
import type { User } from '../platform/db-types.js';
import { NotFoundError, UnavailableError, UpstreamError } from '../platform/errors.js';
import * as q from './queries.js';
import { StripeRequestError, type StripeGateway } from './stripe.js';

/** Stripe did not open the checkout; the message is for the person, the payment row says why. */
export class CheckoutFailedError extends UpstreamError {
  constructor(message: string) {
    super(message, 'checkout_failed');
  }
}

function messageFor(err: StripeRequestError): string {
  if (err.status === undefined || err.status >= 500 || err.status === 429) {
    return 'The payment service is not reachable right now. You have not been charged. Please try again in a few minutes.';
  }
  return 'The payment service could not start this purchase. You have not been charged. Please try again later.';
}

function productName(pack: { name: string; credits: number }): string {
  return `Echoes ${pack.name}: ${pack.credits} credits`;
}

/**
 * Opens a Stripe Checkout Session for one of OUR active packs: the price and credits come from
 * the database, never from the form. The pending payment row's id is the idempotency key, so a
 * retried request cannot open a second session. Returns the URL to send the person to.
 */
export async function startCheckout(db: DB, gateway: StripeGateway | null, config: Pick<Config, 'publicUrl'>, user: User, packId: string): Promise<string> {
  if (!gateway) throw new UnavailableError('Buying credits is not available on this server.', 'stripe_not_configured');
  const pack = await q.findActivePack(db, packId);
  if (!pack) throw new NotFoundError('That credit pack is not available.');
  const payment = await q.insertPendingPayment(db, {
    userId: user.id,
    packId: pack.id,
    amountCents: pack.price_cents,
    currency: pack.currency,
    credits: pack.credits,
  });
  try {
    const session = await gateway.createCheckoutSession(
      {
        currency: pack.currency,
        unitAmount: pack.price_cents,
        productName: productName(pack),
        successUrl: `${config.publicUrl}/credits/success?session_id={CHECKOUT_SESSION_ID}`,
        cancelUrl: `${config.publicUrl}/credits?cancelled=1`,
        clientReferenceId: user.id,
        customerEmail: user.email,
        metadata: { payment_id: payment.id, pack_id: pack.id, credits: String(pack.credits), user_id: user.id },
      },
      payment.id,
    );
    if (!session.url) throw new StripeRequestError('Checkout Session has no url');
    await q.setPaymentSession(db, payment.id, session.id);
    return session.url;
  } catch (err) {
    if (!(err instanceof StripeRequestError)) throw err;
    const status = err.status ? ` (HTTP ${err.status})` : '';
    await q.markPaymentFailed(db, payment.id, `${err.message}${status}`);
    throw new CheckoutFailedError(messageFor(err));
  }
}
