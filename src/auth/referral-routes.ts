import type { FastifyInstance } from 'fastify';
import { currentUser, requireUser } from './require-user.js';
import { cookieSecure } from '../platform/cookies.js';
import { rememberReferral } from './referral.js';
import { isKnownReferralCode, referralSummary } from './service.js';

/** A referral link remembers its code and shows the landing page; /referrals shows your own. */
export function referralRoutes(app: FastifyInstance): void {
  app.get('/r/:code', async (req, reply) => {
    const code = await isKnownReferralCode(app.db, (req.params as { code: string }).code);
    const own = req.user && (req.user as { referral_code: string }).referral_code === code;
    if (code && !own) rememberReferral(reply, code, cookieSecure(app.config));
    return reply.render('pages/landing', { title: 'Echoes · Turn your photos into a music video', referred: Boolean(code) });
  });

  app.get('/referrals', { preHandler: requireUser }, async (req, reply) => {
    const summary = await referralSummary(app.db, currentUser(req), app.config.publicUrl);
    return reply.render('auth/referrals', {
      ...summary,
      title: 'Invite friends · Echoes',
    });
  });
}
