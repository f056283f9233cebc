import fp from 'fastify-plugin';
import { z } from 'zod';
import { pageCsrfToken } from '../platform/csrf-token.js';
import { readForm } from '../platform/forms.js';
import { ConflictError } from '../platform/errors.js';
import { flash } from '../platform/view.js';
import { offerUndo } from '../undo/offer-undo.js';
import { clipCards } from './card-html.js';
import { toClipCard } from './cards.js';
import { moveFocus } from './focus.js';
import { ownClip } from './own.js';
import { findClipForUser } from './queries.js';

const SAY = 'Say where the crop centres: x and y, each a number from 0 to 1.';
const coord = z.coerce.number({ error: SAY }).finite({ error: SAY }).min(0, { error: SAY }).max(1, { error: SAY });
const focusForm = z.object({ x: coord, y: coord }, { error: SAY });

/**
 * GET /clips/:id/focus: the crop editor, which the card fetches when its Crop is first opened (the
 * card does not carry it), or a page of its own without JavaScript. POST /clips/:id/focus (x, y
 * each 0–1): the crop's focal point (src/clips/focus.ts).
 */
export default fp(
  async (app) => {
    app.get('/clips/:id/focus', { preHandler: ownClip() }, async (req, reply) => {
      const clip = await toClipCard(app.storage, req.clip, { urlTtlS: app.config.SIGNED_URL_TTL_S });
      if (!clip.focus) throw new ConflictError('The crop can be moved once this clip has finished generating.');
      return reply.render(req.isHtmx ? 'clips/_focus_editor' : 'clips/focus', { clip, title: 'Crop' });
    });

    app.post('/clips/:id/focus', { preHandler: ownClip() }, async (req, reply) => {
      const { x, y } = readForm(focusForm, req.body);
      const moved = await moveFocus(app.ctx, req.clip, { x, y });
      offerUndo(reply, 'Crop moved');
      if (req.isHtmx) {
        const clip = await findClipForUser(app.db, moved.user_id, moved.id);
        const html = await clipCards(app).cardOf(clip!, { csrfToken: pageCsrfToken(reply), balanceUpdate: null });
        return reply.type('text/html; charset=utf-8').send(html);
      }
      flash(reply, 'notice', 'Crop moved. A new free draft is being made from it.');
      return reply.redirect(`/projects/${moved.project_id}#clip-${moved.id}`, 303);
    });
  },
  { name: 'clip-focus', dependencies: ['view', 'auth', 'clips'] },
);
