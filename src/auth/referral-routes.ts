import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { currentUser } from './require-user.js';
import { cookieSecure } from '../platform/cookies.js';
import { readForm } from '../platform/forms.js';
import { rememberReferral } from './referral.js';
import { isKnownReferralCode, referralSummary } from './service.js';

const codeParams = z.object({ code: z.string() });

/** A referral link remembers its code and shows the landing page; /referrals shows your own. */
export function referralRoutes(app: FastifyInstance): void {
  // The link is for people who have no account yet.
  app.get('/r/:code', { config: { access: 'public' } }, async (req, reply) => {
    const code = await isKnownReferralCode(app.db, readForm(codeParams, req.params).code);
    const own = req.user && (req.user as { referral_code: string }).referral_code === code;
    if (code && !own) rememberReferral(reply, code, cookieSecure(app.config));
    return reply.render('pages/landing', { title: 'Echoes · Turn your photos into a music video', referred: Boolean(code) });
  });

  app.get('/referrals', async (req, reply) => {
    const summary = await referralSummary(app.db, currentUser(req), app.config.publicUrl);
    return reply.render('auth/referrals', {
      ...summary,
      title: 'Invite friends · Echoes',
    });
  });
}
