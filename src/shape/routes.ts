import fp from 'fastify-plugin';
import { z } from 'zod';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { ownProject } from '../projects/own.js';
import { findRatio } from '../settings/ratios.js';
import { chooseShape } from './service.js';

const SAY = 'Choose one of the offered shapes.';
const shapeForm = z.object({ ratio: z.string({ error: SAY }).refine((v) => findRatio(v) !== undefined, SAY) }, { error: SAY });

/**
 * POST /projects/:id/shape (`ratio`): the creator answers the shape the first photos suggest
 * (views/shape/_offer.eta): the project's own shape keeps it, the offered one re-crops every photo
 * and makes its free draft again (src/shape/service.ts). Back to the project page either way.
 */
export default fp(
  async (app) => {
    app.post('/projects/:id/shape', { preHandler: ownProject() }, async (req, reply) => {
      const ratio = findRatio(readForm(shapeForm, req.body).ratio)!;
      const { changed } = await chooseShape(app.ctx, req.project, ratio);
      const kept = ratio.value === req.project.ratio;
      const recropped = changed === 0 ? '' : changed === 1 ? ' Its photo was cropped again; the new free draft is on its way.' : ` All ${changed} photos were cropped again; the new free drafts are on their way.`;
      flash(reply, 'notice', kept ? `The film stays ${ratio.label}.` : `The film is now ${ratio.label}.${recropped}`);
      return reply.redirect(`/projects/${req.project.id}`, 303);
    });
  },
  { name: 'shape', dependencies: ['view', 'auth', 'projects'] },
);
