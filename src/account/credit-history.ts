import { createHash } from 'node:crypto';
import { listPaymentsForUser } from '../billing/queries.js';
import { ledgerRowView } from '../credits/words.js';
import { countLedgerForUser, listLedgerForUser } from '../credits/queries.js';
import type { Conn } from '../platform/db.js';
import { ago, date, money } from '../platform/format.js';
import * as q from './queries.js';
import { describeUserAgent } from './user-agent.js';

export const HISTORY_PAGE_SIZE = 20;

/** The id a device goes by in the page and its URLs: never the session id itself (that signs in). */
export function deviceId(sid: string): string {
  return createHash('sha256').update(`device:${sid}`).digest('base64url').slice(0, 22);
}

/** Last use is recorded at most every 5 minutes (last-seen.ts), so anything closer reads as recent. */
function lastUsed(d: Date, now = Date.now()): string {
  return now - d.getTime() < 10 * 60_000 ? 'in the last few minutes' : ago(d, now);
}

export async function devices(db: Conn, userId: string, currentSid: string) {
  const rows = await q.listSessionsForUser(db, userId);
  const list = rows.map((r) => {
    const d = describeUserAgent(r.user_agent);
    const current = r.sid === currentSid;
    return {
      id: deviceId(r.sid),
      name: `${d.browser} on ${d.system}`,
      mobile: d.mobile,
      current,
      lastUsed: current ? 'now' : lastUsed(r.last_seen_at),
      lastUsedIso: r.last_seen_at.toISOString(),
      since: date(r.created_at),
    };
  });
  // This device first, then the most recently used.
  return [...list.filter((x) => x.current), ...list.filter((x) => !x.current)];
}

/** The sid behind a device id, among the person's own sessions only. */
export async function sidForDevice(db: Conn, userId: string, id: string): Promise<string | null> {
  const rows = await q.listSessionsForUser(db, userId);
  return rows.find((r) => deviceId(r.sid) === id)?.sid ?? null;
}

const clipOf = (ref: string | null) => (ref && /^[0-9a-f-]{36}:\d+$/.test(ref) ? ref.split(':')[0]! : null);

/** A page of the ledger as the person reads it: what, amount, balance after, and a link when there is one. */
export async function history(db: Conn, userId: string, requestedPage: number) {
  const total = await countLedgerForUser(db, userId);
  const pages = Math.max(1, Math.ceil(total / HISTORY_PAGE_SIZE));
  const page = Math.min(Math.max(1, requestedPage), pages);
  const rows = await listLedgerForUser(db, userId, HISTORY_PAGE_SIZE, (page - 1) * HISTORY_PAGE_SIZE);

  const clipIds = rows.filter((r) => r.type === 'generation' || r.type === 'refund').map((r) => clipOf(r.reference_id)).filter((x): x is string => Boolean(x));
  const projectIds = rows.filter((r) => r.type === 'share' && r.reference_id).map((r) => r.reference_id!);
  const sessionIds = rows.filter((r) => r.type === 'purchase' && r.amount > 0 && r.reference_id).map((r) => r.reference_id!);
  const [clipProjects, projects, payments] = await Promise.all([
    q.projectsOfClips(db, userId, [...new Set(clipIds)]),
    q.projectTitles(db, userId, [...new Set(projectIds)]),
    q.paymentsBySession(db, userId, [...new Set(sessionIds)]),
  ]);
  const byClip = new Map(clipProjects.map((c) => [c.clip_id, { href: `/projects/${c.project_id}`, label: c.title }]));
  const byProject = new Map(projects.map((p) => [p.id, { href: `/projects/${p.id}`, label: p.title }]));
  const byPayment = new Map(payments.map((p) => [p.stripe_session_id, { href: `#receipt-${p.id}`, label: 'Receipt' }]));

  return {
    page,
    pages,
    total,
    rows: rows.map((r) => {
      const ref = r.reference_id;
      const link =
        r.type === 'generation' || r.type === 'refund' ? byClip.get(clipOf(ref) ?? '') :
        r.type === 'share' ? byProject.get(ref ?? '') :
        r.type === 'purchase' && r.amount > 0 ? byPayment.get(ref ?? '') : undefined;
      return {
        ...ledgerRowView(r),
        balanceAfter: r.balance_after,
        link: link ?? null,
      };
    }),
  };
}

/** Paid (or later refunded) payments; with Stripe set up each links to its receipt (fetched on click). */
export async function receipts(db: Conn, userId: string, stripeEnabled: boolean) {
  const rows = (await listPaymentsForUser(db, userId, 100)).filter((p) => p.status === 'paid' || p.status === 'refunded');
  return rows.map((p) => ({
    id: p.id,
    when: date(p.created_at),
    iso: p.created_at.toISOString(),
    pack: p.pack_name,
    credits: p.credits_purchased,
    amount: money(p.amount_cents, p.currency),
    refunded: p.status === 'refunded',
    receiptUrl: stripeEnabled ? `/account/receipts/${p.id}` : null,
  }));
}
