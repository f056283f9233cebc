import type { FastifyReply, FastifyRequest } from 'fastify';

export const REFERRAL_COOKIE = 'ref';
const THIRTY_DAYS_S = 30 * 24 * 3600;

/** Remembers a referral code until the visitor signs up (or 30 days pass). */
export function rememberReferral(reply: FastifyReply, code: string, secure: boolean | 'auto'): void {
  reply.setCookie(REFERRAL_COOKIE, code, { path: '/', httpOnly: true, sameSite: 'lax', secure, maxAge: THIRTY_DAYS_S });
}

export function rememberedReferral(req: FastifyRequest): string | null {
  return req.cookies[REFERRAL_COOKIE] ?? null;
}

export function forgetReferral(reply: FastifyReply): void {
  reply.clearCookie(REFERRAL_COOKIE, { path: '/' });
}
