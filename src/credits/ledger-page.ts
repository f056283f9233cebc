import type { Conn } from '../platform/db.js';
import { countLedgerForUser, listLedgerForUser } from './queries.js';

/** One page of the person's ledger, newest first; a page past the end gives the last one. */
export async function pageOfLedger(db: Conn, userId: string, requestedPage: number, pageSize: number) {
  const total = await countLedgerForUser(db, userId);
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const page = Math.min(Math.max(1, requestedPage), pages);
  const rows = await listLedgerForUser(db, userId, pageSize, (page - 1) * pageSize);
  return { page, pages, total, rows };
}
