import { createHash } from 'node:crypto';
import type { Conn } from '../platform/db.js';
import { ago, date } from '../platform/format.js';
import * as q from './queries.js';
import { describeUserAgent } from './user-agent.js';

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
