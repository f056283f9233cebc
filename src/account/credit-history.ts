import { ledgerRowView } from '../credits/ledger-rows.js';
import { pageOfLedger } from '../credits/ledger-page.js';
import type { Conn } from '../platform/db.js';
import * as q from './queries.js';

export const HISTORY_PAGE_SIZE = 20;

const clipOf = (ref: string | null) => (ref && /^[0-9a-f-]{36}:\d+$/.test(ref) ? ref.split(':')[0]! : null);

/** A page of the ledger as the person reads it: what, amount, balance after, and a link when there is one. */
export async function history(db: Conn, userId: string, requestedPage: number) {
  const { page, pages, total, rows } = await pageOfLedger(db, userId, requestedPage, HISTORY_PAGE_SIZE);

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
