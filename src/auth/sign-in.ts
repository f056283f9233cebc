import type { FastifyReply, FastifyRequest } from 'fastify';
import type { User } from '../platform/db-types.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import { forgetReferral } from './referral.js';

/**
 * The last step of every sign-in: a new session id (passport regenerates the session, so a
 * session fixed before sign-in is useless), the referral cookie spent, and on to `next`.
 */
export async function finishSignIn(req: FastifyRequest, reply: FastifyReply, user: User, next: unknown) {
  await req.logIn(user);
  forgetReferral(reply);
  return reply.redirect(safeReturnPath(next), 303);
}
