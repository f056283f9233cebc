import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
import { cookieSecure } from '../platform/cookies.js';

export const ADMIN_COOKIE = 'echoes_admin';
export const ADMIN_SESSION_MS = 2 * 60 * 60 * 1000;

/**
 * The admin session is its own cookie, independent of a creator's Google sign-in: an expiry and a
 * nonce, signed with a key derived from SESSION_SECRET *and* ADMIN_PASSWORD, so changing the
 * password ends every admin session at once. Stateless, so it works across web processes.
 */
function key(config: Config): Buffer {
  return createHmac('sha256', config.sessionSecret).update(`echoes-admin\0${config.ADMIN_PASSWORD ?? ''}`).digest();
}

function sign(config: Config, payload: string): string {
  return createHmac('sha256', key(config)).update(payload).digest('base64url');
}

function cookieOptions(config: Config) {
  return { path: '/admin', httpOnly: true, sameSite: 'strict' as const, secure: cookieSecure(config) };
}

export function startAdminSession(reply: FastifyReply, config: Config, now = Date.now()): Date {
  const expires = now + ADMIN_SESSION_MS;
  const payload = `${expires}.${randomBytes(12).toString('base64url')}`;
  reply.setCookie(ADMIN_COOKIE, `${payload}.${sign(config, payload)}`, { ...cookieOptions(config), maxAge: ADMIN_SESSION_MS / 1000 });
  return new Date(expires);
}

export function endAdminSession(reply: FastifyReply, config: Config): void {
  reply.clearCookie(ADMIN_COOKIE, cookieOptions(config));
}

/** When the request carries a valid, unexpired admin session: its expiry; otherwise null. */
export function readAdminSession(req: FastifyRequest, config: Config): Date | null {
  if (!config.ADMIN_PASSWORD) return null;
  const raw = req.cookies[ADMIN_COOKIE];
  const m = raw ? /^(\d{10,16})\.([\w-]{16})\.([\w-]{43})$/.exec(raw) : null;
  if (!m) return null;
  const expected = Buffer.from(sign(config, `${m[1]}.${m[2]}`));
  const given = Buffer.from(m[3]!);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
  const expires = Number(m[1]);
  return expires > Date.now() ? new Date(expires) : null;
}
