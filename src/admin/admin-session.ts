import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
import { cookieSecure } from '../platform/cookies.js';
import type { Conn } from '../platform/db.js';
import type { PeriodicTask } from '../platform/jobs.js';
import { endAdminSessionRow, findLiveAdminSession, insertAdminSession, purgeExpiredAdminSessions } from './queries.js';

export const ADMIN_COOKIE = 'echoes_admin';
export const ADMIN_SESSION_MS = 2 * 60 * 60 * 1000;
const TOKEN = /^[\w-]{43}$/;

/**
 * The admin session is its own cookie, independent of a creator's Google sign-in: 256 random bits
 * whose SHA-256 names a row in admin_sessions (Postgres, so every web process sees sign-out at
 * once). The row keeps a tag of the password it was opened under; changing ADMIN_PASSWORD makes
 * every tag stale, which ends all admin sessions. See docs/decisions/0012-admin-sessions-server-side.md.
 */
function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** Keyed, so the stored tag says nothing about the password without SESSION_SECRET. */
function passwordTag(config: Config): string {
  return createHmac('sha256', config.sessionSecret).update(`echoes-admin-password\0${config.ADMIN_PASSWORD ?? ''}`).digest('hex');
}

/** A short, stable name for a session in the audit log (pairs a sign-in with its sign-out). */
export function sessionRef(id: string): string {
  return id.slice(0, 12);
}

function cookieOptions(config: Config) {
  return { path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: cookieSecure(config) };
}

function tokenOf(req: FastifyRequest): string | null {
  const raw = req.cookies[ADMIN_COOKIE];
  return raw && TOKEN.test(raw) ? raw : null;
}

export interface StartedSession {
  until: Date;
  ref: string;
}

export async function startAdminSession(db: Conn, req: FastifyRequest, reply: FastifyReply, config: Config, now = Date.now()): Promise<StartedSession> {
  const token = randomBytes(32).toString('base64url');
  const id = tokenHash(token);
  const until = new Date(now + ADMIN_SESSION_MS);
  const userAgent = req.headers['user-agent']?.slice(0, 300) ?? null;
  await insertAdminSession(db, { id, passwordTag: passwordTag(config), expiresAt: until, ip: req.ip ?? null, userAgent });
  reply.setCookie(ADMIN_COOKIE, token, { ...cookieOptions(config), maxAge: ADMIN_SESSION_MS / 1000 });
  return { until, ref: sessionRef(id) };
}

/** When the request carries a live admin session: its expiry; otherwise null. */
export async function readAdminSession(db: Conn, req: FastifyRequest, config: Config): Promise<Date | null> {
  if (!config.ADMIN_PASSWORD) return null;
  const token = tokenOf(req);
  if (!token) return null;
  const row = await findLiveAdminSession(db, tokenHash(token), passwordTag(config), new Date());
  return row ? row.expires_at : null;
}

/** Ends the request's session server-side and clears the cookie; the ref of the session it ended, if one was live. */
export async function endAdminSession(db: Conn, req: FastifyRequest, reply: FastifyReply, config: Config): Promise<string | null> {
  reply.clearCookie(ADMIN_COOKIE, cookieOptions(config));
  const token = tokenOf(req);
  if (!token || !(await readAdminSession(db, req, config))) return null;
  const id = tokenHash(token);
  return (await endAdminSessionRow(db, id, new Date())) ? sessionRef(id) : null;
}

export const adminSessionTasks: PeriodicTask[] = [
  {
    name: 'expired-admin-session-purge',
    everyMs: 10 * 60_000,
    run: async (ctx) => {
      const n = await purgeExpiredAdminSessions(ctx.db, new Date());
      if (n > 0) ctx.logger.info({ purged: n }, 'expired admin sessions deleted');
    },
  },
];
