import type { FastifyReply, FastifyRequest } from 'fastify';

const CSRF_COOKIE = '_csrf';
/** The cookies that say who is signed in: the creator's session and the admin's (src/admin/admin-session.ts). */
const SESSION_COOKIES = ['sid', 'echoes_admin'];

/**
 * What a CSRF token is bound to besides its secret: the session cookies the browser holds. A
 * token made for one session is refused with another, so a secret cookie planted in someone's
 * browser (with its token) is useless, and signing in (a new session id) rotates every token.
 */
export function csrfBinding(req: FastifyRequest): string {
  return SESSION_COOKIES.map((name) => req.cookies[name] ?? '').join('|');
}
const MAX_REMEMBERED = 10_000;

/** Tokens handed out, by the (signed) secret cookie they were made from. */
const tokenByCookie = new Map<string, string>();
/** This answer's token: a browser without a secret yet gets one secret, however many parts of the page ask. */
const tokenByReply = new WeakMap<FastifyReply, string>();
/** Answers that were handed the token, remembered or new (compression.ts keeps them from other sites' guesses). */
const repliesWithToken = new WeakSet<FastifyReply>();

/** Whether this answer's body may hold the CSRF token (it asked for one). */
export function carriesCsrfToken(reply: FastifyReply): boolean {
  return repliesWithToken.has(reply);
}

/**
 * The CSRF token a page carries: one per browser secret, made once and then remembered by this
 * process. Any token made from the secret is valid with it, so a page needs no new one; keeping it
 * the same lets what embeds it (a clip card) be rendered once and reused (src/clips/card-html.ts).
 * Only a secret cookie whose signature checks out is remembered; anything else goes through
 * @fastify/csrf-protection, which makes a new secret.
 */
export function pageCsrfToken(reply: FastifyReply): string {
  const cookie = reply.request.cookies[CSRF_COOKIE];
  const binding = csrfBinding(reply.request);
  const key = `${cookie}\n${binding}`;
  repliesWithToken.add(reply);
  const known = tokenByReply.get(reply) ?? (cookie === undefined ? undefined : tokenByCookie.get(key));
  if (known) return known;
  const token = reply.generateCsrf({ userInfo: binding } as never);
  tokenByReply.set(reply, token);
  if (cookie !== undefined && reply.unsignCookie(cookie).valid) {
    if (tokenByCookie.size >= MAX_REMEMBERED) tokenByCookie.clear();
    tokenByCookie.set(key, token);
  }
  return token;
}
