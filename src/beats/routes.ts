import fp from 'fastify-plugin';
import { z } from 'zod';
import { readForm } from '../platform/forms.js';
import { flash } from '../platform/view.js';
import { ownProject } from '../projects/own.js';
import { ensureAnalysis, setBeatSync } from './service.js';
import { loadAnalysisView } from './analysis-panel.js';

// A checkbox is sent only when ticked; anything but an explicit "off" value counts as ticked.
const BeatSyncForm = z.object({
  cut_on_beat: z.union([z.string(), z.array(z.string())]).optional(),
  cut_mode: z.enum(['beat', 'downbeat'], { message: 'Choose whether cuts land on beats or on bar starts.' }).default('beat'),
});

/** Beat sync: the analysis fragment of a project (polled while the track is analysed) and its cut setting. */
export default fp(
  async (app) => {
    app.get('/projects/:id/analysis', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      await ensureAnalysis(app.ctx, project);
      const analysis = await loadAnalysisView(app.db, project);
      const data = { project, analysis };
      if (req.isHtmx) return reply.render('beats/_analysis', data);
      return reply.render('beats/analysis', { ...data, title: `Beat sync · ${project.title}` });
    });

    app.post('/projects/:id/beat-sync', { preHandler: ownProject() }, async (req, reply) => {
      const { project } = req;
      const form = readForm(BeatSyncForm, req.body);
      const ticked = [form.cut_on_beat ?? []].flat();
      const cutOnBeat = ticked.length > 0 && !ticked.every((v) => ['0', 'false', 'off', ''].includes(v));
      const updated = await setBeatSync(app.db, project.id, cutOnBeat, form.cut_mode);
      if (req.isHtmx) return reply.render('beats/_analysis', { project: updated, analysis: await loadAnalysisView(app.db, updated) });
      flash(reply, 'notice', cutOnBeat ? `Cuts will land on the ${form.cut_mode === 'downbeat' ? 'bar starts' : 'beat'}.` : 'Cut on the beat is off.');
      return reply.redirect(`/projects/${project.id}`, 303);
    });
  },
  { name: 'beats', dependencies: ['view', 'auth', 'projects'] },
);
