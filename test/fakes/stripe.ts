import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomBytes } from 'node:crypto';
import Stripe from 'stripe';

// A local Stripe speaking enough of the API for the `stripe` package (see ../shared/specs/stripe.md):
// Checkout Sessions (create with Idempotency-Key, retrieve), a pretend hosted checkout page, and
// helpers that move a session along and build the event Stripe would send. Tests sign those events
// with the real `stripe.webhooks.generateTestHeaderString`.

export interface FakeSession {
  id: string;
  object: 'checkout.session';
  mode: string;
  url: string | null;
  status: 'open' | 'complete' | 'expired';
  payment_status: 'unpaid' | 'paid';
  payment_intent: string | null;
  amount_total: number;
  currency: string;
  client_reference_id: string | null;
  customer_email: string | null;
  metadata: Record<string, string>;
  success_url: string;
  cancel_url: string;
  created: number;
  expires_at: number;
  livemode: false;
}

export interface FakeCharge {
  id: string;
  object: 'charge';
  amount: number;
  amount_refunded: number;
  currency: string;
  payment_intent: string | null;
  refunded: boolean;
  status: 'succeeded';
}

export interface RecordedRequest {
  method: string;
  path: string;
  idempotencyKey: string | undefined;
  body: Record<string, any>;
}

export interface ScriptedFailure {
  status: number;
  type?: string;
  code?: string;
  message?: string;
  /** How many requests fail; unset: every request until cleared. */
  times?: number;
}

type Json = Record<string, unknown>;
const id = (prefix: string) => `${prefix}_test_${randomBytes(12).toString('hex')}`;
const now = () => Math.floor(Date.now() / 1000);

/** `a[b][0][c]=v` form fields (how the SDK encodes nested params) into nested objects/arrays. */
export function parseStripeForm(body: string): Record<string, any> {
  const root: Record<string, any> = {};
  for (const [key, value] of new URLSearchParams(body)) {
    const parts = key.replace(/\]/g, '').split('[');
    let node: any = root;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) node[part] = value;
      else node = node[part] ??= /^\d+$/.test(parts[i + 1]!) ? [] : {};
    });
  }
  return root;
}

function validateSession(b: Record<string, any>): { param: string; message: string } | null {
  const item = b.line_items?.[0];
  const checks: Array<[boolean, string, string]> = [
    [b.mode === 'payment', 'mode', 'mode must be payment'],
    [typeof b.success_url === 'string' && /^https?:\/\//.test(b.success_url), 'success_url', 'Missing required param: success_url.'],
    [typeof b.cancel_url === 'string' && /^https?:\/\//.test(b.cancel_url), 'cancel_url', 'Missing required param: cancel_url.'],
    [Array.isArray(b.line_items) && b.line_items.length === 1, 'line_items', 'Exactly one line item expected.'],
    [/^[a-z]{3}$/.test(item?.price_data?.currency ?? ''), 'line_items[0][price_data][currency]', 'Invalid currency.'],
    [/^[1-9]\d*$/.test(item?.price_data?.unit_amount ?? ''), 'line_items[0][price_data][unit_amount]', 'Invalid integer.'],
    [Boolean(item?.price_data?.product_data?.name), 'line_items[0][price_data][product_data][name]', 'Missing product name.'],
    [/^[1-9]\d*$/.test(item?.quantity ?? ''), 'line_items[0][quantity]', 'Invalid quantity.'],
  ];
  const failed = checks.find(([ok]) => !ok);
  return failed ? { param: failed[1], message: failed[2] } : null;
}

export class StripeFake {
  readonly secretKey = `sk_test_${randomBytes(8).toString('hex')}`;
  readonly webhookSecret = `whsec_${randomBytes(16).toString('hex')}`;
  readonly sessions = new Map<string, FakeSession>();
  readonly requests: RecordedRequest[] = [];
  private readonly idempotent = new Map<string, { body: string; status: number; response: Json }>();
  private failure: ScriptedFailure | null = null;
  private server = http.createServer((req, res) => void this.route(req, res));
  url = '';

  async start(): Promise<this> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  /** Settings for createTestApp. */
  get env(): Record<string, string> {
    return { STRIPE_SECRET_KEY: this.secretKey, STRIPE_WEBHOOK_SECRET: this.webhookSecret, STRIPE_API_URL: this.url };
  }

  /** Makes the API answer with an error (402, 500, …) until cleared with null or `times` runs out. */
  fail(failure: ScriptedFailure | null): void {
    this.failure = failure;
  }

  session(sessionId: string): FakeSession {
    const s = this.sessions.get(sessionId);
    if (!s) throw new Error(`no fake session ${sessionId}`);
    return s;
  }

  /** The buyer finished checkout: paid at once (card) or `paid: false` for a delayed method. */
  complete(sessionId: string, opts: { paid?: boolean } = {}): FakeSession {
    const s = this.session(sessionId);
    s.status = 'complete';
    s.payment_status = opts.paid === false ? 'unpaid' : 'paid';
    s.payment_intent ??= id('pi');
    return { ...s };
  }

  /** A delayed payment went through. */
  settle(sessionId: string): FakeSession {
    const s = this.session(sessionId);
    s.payment_status = 'paid';
    return { ...s };
  }

  expire(sessionId: string): FakeSession {
    const s = this.session(sessionId);
    s.status = 'expired';
    s.url = null;
    return { ...s };
  }

  /** The charge object of a (partial) refund of the session's payment. */
  refund(sessionId: string, amount?: number): FakeCharge {
    const s = this.session(sessionId);
    const refunded = amount ?? s.amount_total;
    return {
      id: id('ch'),
      object: 'charge',
      amount: s.amount_total,
      amount_refunded: refunded,
      currency: s.currency,
      payment_intent: s.payment_intent,
      refunded: refunded >= s.amount_total,
      status: 'succeeded',
    };
  }

  /** The event envelope Stripe POSTs to a webhook endpoint. */
  event(type: string, object: object): Json {
    return { id: id('evt'), object: 'event', type, created: now(), livemode: false, api_version: Stripe.API_VERSION, pending_webhooks: 1, data: { object } };
  }

  /** Body and headers of a delivery, signed with the real helper (a wrong secret or old time on request). */
  sign(event: Json, opts: { secret?: string; timestamp?: number } = {}): { payload: string; headers: Record<string, string> } {
    const payload = JSON.stringify(event);
    const signature = Stripe.webhooks.generateTestHeaderString({ payload, secret: opts.secret ?? this.webhookSecret, timestamp: opts.timestamp });
    return { payload, headers: { 'content-type': 'application/json; charset=utf-8', 'stripe-signature': signature } };
  }

  private send(res: http.ServerResponse, status: number, body: Json, headers: Record<string, string> = {}): void {
    res.writeHead(status, { 'content-type': 'application/json', 'request-id': id('req'), ...headers });
    res.end(JSON.stringify(body));
  }

  private error(res: http.ServerResponse, status: number, error: Json): void {
    this.send(res, status, { error: { type: 'invalid_request_error', ...error } });
  }

  private async route(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const path = new URL(req.url ?? '/', this.url).pathname;
    const idempotencyKey = req.headers['idempotency-key'] as string | undefined;

    if (req.method === 'GET' && path.startsWith('/pay/')) {
      res.writeHead(200, { 'content-type': 'text/html' });
      res.end(`<!doctype html><title>Fake Stripe Checkout</title><h1>Fake Stripe Checkout</h1><p>${path.slice(5)}</p>`);
      return;
    }
    if (!path.startsWith('/v1/')) return this.error(res, 404, { message: `Unrecognized request URL (${req.method}: ${path}).` });

    const body = parseStripeForm(raw);
    this.requests.push({ method: req.method ?? 'GET', path, idempotencyKey, body });
    if (req.headers.authorization !== `Bearer ${this.secretKey}`) {
      return this.error(res, 401, { message: 'Invalid API Key provided.' });
    }
    if (this.failure) {
      const f = this.failure;
      if (f.times !== undefined && --f.times <= 0) this.failure = null;
      return this.send(res, f.status, { error: { type: f.type ?? (f.status >= 500 ? 'api_error' : 'card_error'), code: f.code, message: f.message ?? `Scripted failure ${f.status}` } });
    }

    if (req.method === 'POST' && path === '/v1/checkout/sessions') {
      if (idempotencyKey) {
        const seen = this.idempotent.get(idempotencyKey);
        if (seen && seen.body !== raw) {
          return this.error(res, 400, { type: 'idempotency_error', message: 'Keys for idempotent requests can only be used with the same parameters they were first used with.' });
        }
        if (seen) return this.send(res, seen.status, seen.response, { 'idempotent-replayed': 'true' });
      }
      const invalid = validateSession(body);
      if (invalid) return this.error(res, 400, { code: 'parameter_invalid', ...invalid });
      const session = this.createSession(body);
      if (idempotencyKey) this.idempotent.set(idempotencyKey, { body: raw, status: 200, response: { ...session } });
      return this.send(res, 200, { ...session });
    }
    const intent = /^\/v1\/payment_intents\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && intent) {
      const s = [...this.sessions.values()].find((x) => x.payment_intent === intent[1]);
      if (!s) return this.error(res, 404, { code: 'resource_missing', param: 'intent', message: `No such payment_intent: '${intent[1]}'` });
      const chargeId = `ch_for_${intent[1]}`;
      return this.send(res, 200, {
        id: intent[1], object: 'payment_intent', amount: s.amount_total, currency: s.currency, status: 'succeeded',
        latest_charge: { id: chargeId, object: 'charge', amount: s.amount_total, payment_intent: intent[1], receipt_url: `${this.url}/receipts/${chargeId}` },
      });
    }
    const match = /^\/v1\/checkout\/sessions\/([\w-]+)$/.exec(path);
    if (req.method === 'GET' && match) {
      const s = this.sessions.get(match[1]!);
      if (!s) return this.error(res, 404, { code: 'resource_missing', param: 'session', message: `No such checkout.session: '${match[1]}'` });
      return this.send(res, 200, { ...s });
    }
    return this.error(res, 404, { message: `Unrecognized request URL (${req.method}: ${path}).` });
  }

  private createSession(b: Record<string, any>): FakeSession {
    const item = b.line_items[0];
    const sessionId = id('cs');
    const session: FakeSession = {
      id: sessionId,
      object: 'checkout.session',
      mode: b.mode,
      url: `${this.url}/pay/${sessionId}`,
      status: 'open',
      payment_status: 'unpaid',
      payment_intent: null,
      amount_total: Number(item.price_data.unit_amount) * Number(item.quantity),
      currency: item.price_data.currency,
      client_reference_id: b.client_reference_id ?? null,
      customer_email: b.customer_email ?? null,
      metadata: b.metadata ?? {},
      success_url: String(b.success_url).replace('{CHECKOUT_SESSION_ID}', sessionId),
      cancel_url: b.cancel_url,
      created: now(),
      expires_at: now() + 24 * 3600,
      livemode: false,
    };
    this.sessions.set(sessionId, session);
    return session;
  }
}

export async function startStripeFake(): Promise<StripeFake> {
  return new StripeFake().start();
}

