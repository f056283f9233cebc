import type Stripe from 'stripe';
import type { Config } from '../platform/config.js';

// The one file that imports the Stripe SDK, loaded on first use: most starts (and every start
// without STRIPE_SECRET_KEY) never parse its 800 KB (issue 24 item 4, cold start). Everything it
// hands back is plain data of our own shape, so the rest of billing (and its tests) never depends
// on the SDK's types.

export interface CheckoutSession {
  id: string;
  url: string | null;
  status: string | null;
  paymentStatus: string;
  paymentIntent: string | null;
  amountTotal: number | null;
  currency: string | null;
  /** Whether Stripe made it with live keys; null when the object does not say. */
  livemode: boolean | null;
  metadata: Record<string, string>;
}

export interface RefundedCharge {
  id: string;
  paymentIntent: string | null;
  amount: number;
  amountRefunded: number;
}

export type SessionEventType =
  | 'checkout.session.completed'
  | 'checkout.session.async_payment_succeeded'
  | 'checkout.session.async_payment_failed'
  | 'checkout.session.expired';

export type WebhookEvent =
  | { kind: 'session'; id: string; type: SessionEventType; session: CheckoutSession }
  | { kind: 'refund'; id: string; type: 'charge.refunded'; charge: RefundedCharge }
  | { kind: 'other'; id: string; type: string };

export interface NewCheckout {
  currency: string;
  unitAmount: number;
  productName: string;
  successUrl: string;
  cancelUrl: string;
  clientReferenceId: string;
  customerEmail: string;
  metadata: Record<string, string>;
}

/** A request Stripe did not carry out. `status` is absent when Stripe could not be reached. */
export class StripeRequestError extends Error {
  constructor(message: string, public status?: number) {
    super(message);
  }
}

/** Whether these keys are live ones: only then may a payment's events say `livemode: true`. */
export function isLiveKey(secretKey: string | undefined): boolean {
  return /^(sk|rk)_live_/.test(secretKey ?? '');
}

export interface StripeGateway {
  /** The mode of the keys this gateway uses (isLiveKey). */
  live: boolean;
  createCheckoutSession(input: NewCheckout, idempotencyKey: string): Promise<CheckoutSession>;
  retrieveCheckoutSession(id: string): Promise<CheckoutSession>;
  /** Stripe's receipt page for a PaymentIntent's charge; null while there is none. */
  receiptUrl(paymentIntentId: string): Promise<string | null>;
}

export const WEBHOOK_TOLERANCE_S = 300;

const SESSION_EVENTS = new Set<string>([
  'checkout.session.completed',
  'checkout.session.async_payment_succeeded',
  'checkout.session.async_payment_failed',
  'checkout.session.expired',
]);

function idOf(value: string | { id: string } | null | undefined): string | null {
  if (!value) return null;
  return typeof value === 'string' ? value : value.id;
}

function toSession(s: Stripe.Checkout.Session): CheckoutSession {
  return {
    id: s.id,
    url: s.url ?? null,
    status: s.status ?? null,
    paymentStatus: s.payment_status,
    paymentIntent: idOf(s.payment_intent),
    amountTotal: s.amount_total ?? null,
    currency: s.currency ?? null,
    livemode: typeof s.livemode === 'boolean' ? s.livemode : null,
    metadata: { ...(s.metadata ?? {}) },
  };
}

function toCharge(c: Stripe.Charge): RefundedCharge {
  return { id: c.id, paymentIntent: idOf(c.payment_intent), amount: c.amount, amountRefunded: c.amount_refunded };
}

function clientOptions(apiUrl: string | undefined): Stripe.StripeConfig {
  // A retry is safe: every create carries an idempotency key. Keep the person's wait short.
  const base: Stripe.StripeConfig = { maxNetworkRetries: 1, timeout: 10_000 };
  if (!apiUrl) return base;
  const u = new URL(apiUrl);
  const protocol = u.protocol === 'http:' ? 'http' : 'https';
  return { ...base, host: u.hostname, port: u.port || (protocol === 'http' ? 80 : 443), protocol };
}

let sdk: Promise<typeof Stripe> | undefined;
function loadSdk(): Promise<typeof Stripe> {
  sdk ??= import('stripe').then((m) => m.default);
  return sdk;
}

async function call<T>(fn: () => Promise<T>): Promise<T> {
  try {
    return await fn();
  } catch (err) {
    const e = err as { statusCode?: number; message?: string };
    throw new StripeRequestError(e.message || 'Stripe request failed', e.statusCode);
  }
}

/** The Stripe client, or null when STRIPE_SECRET_KEY is not set ("buying is not available here"). */
export function createStripeGateway(config: Pick<Config, 'STRIPE_SECRET_KEY' | 'STRIPE_API_URL'>): StripeGateway | null {
  if (!config.STRIPE_SECRET_KEY) return null;
  const secretKey = config.STRIPE_SECRET_KEY;
  let client: Promise<Stripe> | undefined;
  const stripeClient = () => (client ??= loadSdk().then((StripeSdk) => new StripeSdk(secretKey, clientOptions(config.STRIPE_API_URL))));
  return {
    live: isLiveKey(config.STRIPE_SECRET_KEY),
    async createCheckoutSession(input, idempotencyKey) {
      const stripe = await stripeClient();
      const session = await call(() =>
        stripe.checkout.sessions.create(
          {
            mode: 'payment',
            line_items: [
              {
                price_data: { currency: input.currency, unit_amount: input.unitAmount, product_data: { name: input.productName } },
                quantity: 1,
              },
            ],
            success_url: input.successUrl,
            cancel_url: input.cancelUrl,
            client_reference_id: input.clientReferenceId,
            customer_email: input.customerEmail,
            metadata: input.metadata,
          },
          { idempotencyKey },
        ),
      );
      return toSession(session);
    },
    async retrieveCheckoutSession(id) {
      const stripe = await stripeClient();
      return toSession(await call(() => stripe.checkout.sessions.retrieve(id)));
    },
    async receiptUrl(paymentIntentId) {
      const stripe = await stripeClient();
      const pi = await call(() => stripe.paymentIntents.retrieve(paymentIntentId, { expand: ['latest_charge'] }));
      const charge = pi.latest_charge;
      return charge && typeof charge !== 'string' ? (charge.receipt_url ?? null) : null;
    },
  };
}

export type VerifiedWebhook = { ok: true; event: WebhookEvent } | { ok: false; reason: string };

/** Checks the Stripe-Signature header against the raw body (300 s tolerance) and reads the event. */
export async function verifyWebhook(rawBody: Buffer, signature: string | undefined, secret: string): Promise<VerifiedWebhook> {
  if (!signature) return { ok: false, reason: 'missing Stripe-Signature header' };
  const StripeSdk = await loadSdk();
  let event: Stripe.Event;
  try {
    event = StripeSdk.webhooks.constructEvent(rawBody, signature, secret, WEBHOOK_TOLERANCE_S);
  } catch (err) {
    return { ok: false, reason: (err as Error).message };
  }
  const object = (event.data?.object ?? {}) as unknown;
  if (SESSION_EVENTS.has(event.type)) {
    return { ok: true, event: { kind: 'session', id: event.id, type: event.type as SessionEventType, session: toSession(object as Stripe.Checkout.Session) } };
  }
  if (event.type === 'charge.refunded') {
    return { ok: true, event: { kind: 'refund', id: event.id, type: 'charge.refunded', charge: toCharge(object as Stripe.Charge) } };
  }
  return { ok: true, event: { kind: 'other', id: event.id, type: event.type } };
}
