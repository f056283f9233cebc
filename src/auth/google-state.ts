import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Config } from '../platform/config.js';
import { cookieSecure } from '../platform/cookies.js';
import { safeReturnPath } from '../platform/safe-return-path.js';

/**
 * A Google sign-in in progress (the OAuth state and where to go afterwards) lives in a signed
 * cookie for ten minutes, not in the sessions table: anyone can start a sign-in, and each start
 * used to leave a 30-day session row behind.
 */
const COOKIE = 'g_signin';
const TTL_S = 600;
const PATH = '/auth/google';
const MAX_NEXT = 512;

interface Pending {
  state: string;
  next: string;
  /** When the sign-in started (ms), checked here as well as by the cookie's own expiry. */
  at: number;
}

/** Starts a sign-in: a fresh state in the cookie; returns the state for the authorize URL. */
export function beginGoogleSignIn(reply: FastifyReply, config: Pick<Config, 'publicUrl' | 'NODE_ENV'>, next: unknown): string {
  // Capped well below the cookie's room; a longer one goes to the default page.
  const wanted = typeof next === 'string' && next.length <= MAX_NEXT ? next : undefined;
  const pending: Pending = { state: randomBytes(24).toString('base64url'), next: safeReturnPath(wanted), at: Date.now() };
  reply.setCookie(COOKIE, JSON.stringify(pending), { signed: true, httpOnly: true, sameSite: 'lax', secure: cookieSecure(config), path: PATH, maxAge: TTL_S });
  return pending.state;
}

/** The sign-in this browser started in the last ten minutes, or null. */
export function pendingGoogleSignIn(req: FastifyRequest): Pending | null {
  const raw = req.cookies[COOKIE];
  if (!raw) return null;
  const { valid, value } = req.unsignCookie(raw);
  if (!valid || !value) return null;
  try {
    const p = JSON.parse(value) as Partial<Pending>;
    if (typeof p.state !== 'string' || typeof p.at !== 'number' || Date.now() - p.at > TTL_S * 1000) return null;
    return { state: p.state, next: safeReturnPath(p.next), at: p.at };
  } catch {
    return null;
  }
}

export function endGoogleSignIn(reply: FastifyReply): void {
  reply.clearCookie(COOKIE, { path: PATH });
}

type Verified = (err: Error | null, ok: boolean, info?: { message: string }) => void;

/** passport-oauth2's state store: the callback's state must be the one in this browser's cookie. */
export const cookieStateStore = {
  store(_req: unknown, _meta: unknown, done: (err: Error) => void) {
    done(new Error('a Google sign-in starts with beginGoogleSignIn'));
  },
  verify(req: FastifyRequest, given: unknown, _meta: unknown, done: Verified) {
    const pending = pendingGoogleSignIn(req);
    const ok = Boolean(pending && typeof given === 'string' && given.length === pending.state.length && timingSafeEqual(Buffer.from(given), Buffer.from(pending.state)));
    done(null, ok, ok ? undefined : { message: 'Unable to verify authorization request state.' });
  },
};
