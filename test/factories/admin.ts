import { grantCredits, spendCredits } from '../../src/credits/service.js';
import { withTx, type DB } from '../../src/platform/db.js';
import type { Clip, Clips } from '../../src/platform/db-types.js';
import type { Insertable } from 'kysely';
import { TestBrowser } from '../setup/browser.js';

export const ADMIN_PASSWORD = 'correct horse battery staple';

/** A browser signed in to /admin (the admin session only; no creator account). */
export async function adminBrowser(app: ConstructorParameters<typeof TestBrowser>[0], password = ADMIN_PASSWORD): Promise<TestBrowser> {
  const b = new TestBrowser(app);
  await b.get('/admin/login');
  const res = await b.post('/admin/login', { password });
  if (res.statusCode !== 303) throw new Error(`admin sign-in failed: ${res.statusCode} ${res.body.slice(0, 300)}`);
  await b.get('/admin'); // CSRF tokens are bound to the session: the new one's token
  return b;
}

/** An admin sign-in form post from a given client address (the limiters count per address and across all). */
export async function postAdminLogin(app: ConstructorParameters<typeof TestBrowser>[0], b: TestBrowser, ip: string, password: string) {
  await b.ensureCsrf();
  return app.inject({
    method: 'POST',
    url: '/admin/login',
    remoteAddress: ip,
    headers: { cookie: b.cookieHeader, 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ _csrf: b.csrf, password }).toString(),
  });
}

/**
 * A clip as the generation feature leaves it, charged like a real submission (a `generation`
 * ledger row for `<clip>:<attempt>`), optionally refunded like an automatic failure refund.
 */
export async function createChargedClip(
  db: DB,
  userId: string,
  projectId: string,
  opts: { cost?: number; refunded?: boolean; values?: Partial<Insertable<Clips>> } = {},
): Promise<Clip> {
  const cost = opts.cost ?? 1;
  return withTx(db, async (tx) => {
    const clip = await tx
      .insertInto('clips')
      .values({
        project_id: projectId,
        user_id: userId,
        image_key: `images/${userId}/${projectId}/x.jpg`,
        prompt: 'a test prompt',
        duration_s: 5,
        ratio: '1280:720',
        position: 1,
        credits_spent: cost,
        provider: 'runway',
        model: 'gen4_turbo',
        ...opts.values,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await spendCredits(tx, userId, cost, 'generation', `${clip.id}:${clip.attempt}`);
    if (opts.refunded) await grantCredits(tx, userId, cost, 'refund', `${clip.id}:${clip.attempt}`);
    return clip;
  });
}

/** A payment row for a pack (what a checkout leaves behind). */
export async function createPayment(db: DB, userId: string, packId: string, opts: { status?: 'pending' | 'paid'; cents?: number; currency?: string; credits?: number } = {}) {
  return db
    .insertInto('payments')
    .values({
      user_id: userId,
      credit_pack_id: packId,
      stripe_session_id: `cs_test_${Math.random().toString(36).slice(2)}`,
      amount_cents: opts.cents ?? 500,
      currency: opts.currency ?? 'usd',
      credits_purchased: opts.credits ?? 5,
      status: opts.status ?? 'paid',
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

export async function auditRows(db: DB, action?: string) {
  let q = db.selectFrom('admin_audit').selectAll().orderBy('created_at', 'desc');
  if (action) q = q.where('action', '=', action);
  return q.execute();
}
