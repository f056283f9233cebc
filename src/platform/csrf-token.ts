import type { FastifyReply } from 'fastify';

const CSRF_COOKIE = '_csrf';
const MAX_REMEMBERED = 10_000;

/** Tokens handed out, by the (signed) secret cookie they were made from. */
const tokenByCookie = new Map<string, string>();
/** This answer's token: a browser without a secret yet gets one secret, however many parts of the page ask. */
const tokenByReply = new WeakMap<FastifyReply, string>();

/**
 * The CSRF token a page carries: one per browser secret, made once and then remembered by this
 * process. Any token made from the secret is valid with it, so a page needs no new one; keeping it
 * the same lets what embeds it (a clip card) be rendered once and reused (src/clips/card-html.ts).
 * Only a secret cookie whose signature checks out is remembered; anything else goes through
 * @fastify/csrf-protection, which makes a new secret.
 */
export function pageCsrfToken(reply: FastifyReply): string {
  const cookie = reply.request.cookies[CSRF_COOKIE];
  const known = tokenByReply.get(reply) ?? (cookie === undefined ? undefined : tokenByCookie.get(cookie));
  if (known) return known;
  const token = reply.generateCsrf();
  tokenByReply.set(reply, token);
  if (cookie !== undefined && reply.unsignCookie(cookie).valid) {
    if (tokenByCookie.size >= MAX_REMEMBERED) tokenByCookie.clear();
    tokenByCookie.set(cookie, token);
  }
  return token;
}
