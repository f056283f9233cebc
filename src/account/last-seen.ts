import type { FastifyInstance } from 'fastify';
import { touchSession } from './queries.js';

/** Last use is kept to within this; a session is written at most this often. */
export const TOUCH_EVERY_S = 5 * 60;
const MAX_REMEMBERED = 50_000;

/**
 * Notes when a signed-in session was last used, and from which browser, without a write per
 * request: each process remembers when it last touched a sid and skips it for TOUCH_EVERY_S,
 * and the UPDATE itself only writes a row older than that (other processes touch it too).
 */
export function trackLastSeen(app: FastifyInstance): void {
  const touched = new Map<string, number>();
  app.addHook('onResponse', (req, _reply, done) => {
    if (!req.user || !req.session?.sessionId) return done();
    const sid = req.session.sessionId;
    const now = Date.now();
    const last = touched.get(sid);
    if (last !== undefined && now - last < TOUCH_EVERY_S * 1000) return done();
    if (touched.size >= MAX_REMEMBERED) touched.clear();
    touched.set(sid, now);
    const ua = String(req.headers['user-agent'] ?? '').slice(0, 400) || null;
    touchSession(app.db, sid, ua, TOUCH_EVERY_S)
      .catch((err) => req.log.warn({ err: (err as Error).message }, 'session last-seen not recorded'))
      .finally(() => done());
  });
}
