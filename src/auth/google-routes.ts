import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { readForm } from '../platform/forms.js';
import { admitSignIn, admitSignInStart } from '../limits/admit.js';
import { safeReturnPath } from '../platform/safe-return-path.js';
import { describeGoogleFailure } from './google.js';
import { beginGoogleSignIn, endGoogleSignIn, pendingGoogleSignIn } from './google-state.js';
import type { ProfileInput } from './queries.js';
import { rememberedReferral } from './referral.js';
import { signInProfile } from './service.js';
import { finishSignIn } from './sign-in.js';

/** Google's answer (error=access_denied, code, state) is read by passport and describeGoogleFailure. */
const googleQuery = z.record(z.string(), z.unknown());

/** The way in is open to everyone. */
const open = { config: { access: 'public' as const } };

/** GET /auth/google and its callback; registered only when Google is configured. */
export function googleRoutes(app: FastifyInstance): void {
  app.get('/auth/google', open, async (req, reply) => {
    await admitSignInStart(app.ctx, req.ip);
    const state = beginGoogleSignIn(reply, app.config, readForm(googleQuery, req.query).next);
    await app.authenticator.authenticate('google', { state }).call(app, req, reply);
    return reply;
  });

  const finishGoogle = app.authenticator.authenticate('google', async (req: FastifyRequest, reply: FastifyReply, err: Error | null, profile?: unknown, _info?: unknown, status?: number) => {
    const next = pendingGoogleSignIn(req)?.next ?? safeReturnPath(undefined);
    endGoogleSignIn(reply);
    if (err || !profile) {
      const failure = describeGoogleFailure(err, readForm(googleQuery, req.query), status);
      if (!failure) throw err;
      req.log.info({ reason: failure.title, err: err?.message }, 'google sign-in did not finish');
      reply.code(failure.status);
      await reply.render('auth/failed', { heading: failure.title, message: failure.message, retryUrl: `/auth/google?next=${encodeURIComponent(next)}`, title: `${failure.title} · Echoes` });
      return;
    }
    await admitSignIn(app.ctx, { subject: (profile as ProfileInput).googleSub });
    const user = await signInProfile(app.db, profile as ProfileInput, rememberedReferral(req));
    await finishSignIn(req, reply, user, next);
  });

  app.get('/auth/google/callback', open, async (req: FastifyRequest, reply: FastifyReply) => {
    await admitSignIn(app.ctx, { ip: req.ip });
    await finishGoogle.call(app, req, reply);
    return reply;
  });
}
