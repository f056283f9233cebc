import fp from 'fastify-plugin';
import { currentUser } from '../auth/require-user.js';
import { enforceRate } from '../limits/rates.js';
import { UserError } from '../platform/errors.js';
import { clock } from '../platform/format.js';
import { flash } from '../platform/view.js';
import { ownProject } from '../projects/own.js';
import { removeMusic, replaceMusic } from './service.js';

/** The project's music track: upload (multipart `music`, CSRF token in the URL or header), replace, remove. */
export default fp(
  async (app) => {
    const ctx = app.ctx;

    // Ownership (the preHandler) before a single byte of the body is read.
    app.post('/projects/:id/music', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      if (!req.isMultipart()) throw new UserError('Send the track as a file upload.', 400);
      await enforceRate(ctx, 'music-upload', currentUser(req).id);
      const file = await req.file();
      if (!file) throw new UserError('Choose a music file to upload.', 400);
      if (file.fieldname !== 'music') {
        file.file.resume();
        throw new UserError('Choose a music file to upload.', 400);
      }
      const info = await replaceMusic(ctx, currentUser(req).id, project.id, { stream: file.file, filename: file.filename, declaredBytes: Number(req.headers['content-length']) || 0 });
      flash(reply, 'notice', `Added “${info.name}” (${clock(info.durationS)}).`);
      return reply.redirect(`/projects/${project.id}#music`, 303);
    });

    app.post('/projects/:id/music/delete', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      await removeMusic(ctx, currentUser(req).id, project.id);
      flash(reply, 'notice', 'Music removed.');
      return reply.redirect(`/projects/${project.id}#music`, 303);
    });
  },
  { name: 'music', dependencies: ['view', 'auth', 'projects'] },
);
