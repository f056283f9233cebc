import fp from 'fastify-plugin';
import { currentUser } from '../auth/require-user.js';
import { flash } from '../platform/view.js';
import { undoLast, type AfterUndo } from './service.js';

/**
 * POST /projects/:id/undo: undoes the project's newest edit. JSON for the page's Undo toast, a
 * redirect back to the project for the plain form. Ownership is the service's (scoped lock): 404.
 */
export default fp<{ after?: AfterUndo }>(
  async (app, opts) => {
    app.post('/projects/:id/undo', async (req, reply) => {
      const { id } = req.params as { id: string };
      const undone = await undoLast(app.ctx, currentUser(req).id, id, opts.after ?? {});
      const wantsJson = String(req.headers.accept ?? '').includes('application/json');
      if (wantsJson) return reply.send({ undone: undone.label, kind: undone.kind, clipId: undone.clipId, left: undone.left });
      flash(reply, 'notice', `Undone: ${undone.label.charAt(0).toLowerCase()}${undone.label.slice(1)}.`);
      return reply.redirect(`/projects/${id}`, 303);
    });
  },
  { name: 'undo', dependencies: ['view', 'auth'] },
);
