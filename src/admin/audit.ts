import type { Conn } from '../platform/db.js';
import { insertAudit, type AuditEntry } from './queries.js';

/** There is one admin password, so one actor; the IP tells sessions apart. */
export const ADMIN_ACTOR = 'admin';

/** Who did it: what routes hand to every admin service call. */
export interface AdminCtx {
  ip: string;
}

/** Records an admin action; call it inside the action's own transaction so both land or neither. */
export async function recordAudit(db: Conn, who: AdminCtx, entry: Omit<AuditEntry, 'ip'>): Promise<void> {
  await insertAudit(db, ADMIN_ACTOR, { ...entry, ip: who.ip });
}

/** Only the keys whose values changed, as {before, after}; null when nothing changed. */
export function diff<T extends Record<string, unknown>>(before: T, after: Partial<T>): { before: Partial<T>; after: Partial<T> } | null {
  const b: Partial<T> = {};
  const a: Partial<T> = {};
  for (const k of Object.keys(after) as Array<keyof T>) {
    if (JSON.stringify(before[k]) !== JSON.stringify(after[k])) {
      b[k] = before[k];
      a[k] = after[k];
    }
  }
  return Object.keys(a).length ? { before: b, after: a } : null;
}
