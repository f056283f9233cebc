import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { readForm } from '../../platform/forms.js';
import { flash } from '../../platform/view.js';
import { getSettings } from '../../settings/service.js';
import { adminCtx } from '../guard.js';
import { pager } from '../pager.js';
import { pageParam, uuidParam } from '../params.js';
import { countProblemClips, errorCodeCounts, listJobFailures, listProblemClips, providerTries, type JobFilter } from './queries.js';
import { refundGeneration, retryGeneration } from './service.js';
import { credits } from '../../platform/format.js';
import { listTakesWithRefunds } from '../../takes/queries.js';
import { takesByClip } from '../../takes/view.js';

const PER_PAGE = 20;
const FILTERS = ['all', 'error', 'stuck', 'failover'] as const satisfies readonly JobFilter[];
/** An unknown filter shows them all. */
const filterQuery = z.object({ filter: z.enum(FILTERS).catch('all') });

/** /admin/jobs: failed and stuck generations with everything needed to debug them; retry or refund. */
export default async function failedJobsRoutes(app: FastifyInstance) {
  app.get('/jobs', async (req, reply) => {
    const filter = readForm(filterQuery, req.query).filter;
    const page = pageParam(req.query);
    const { generationTimeoutMin: timeoutMin } = await getSettings(app.db);
    const [clips, total, codes, jobs] = await Promise.all([
      listProblemClips(app.db, { filter, timeoutMin, limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countProblemClips(app.db, filter, timeoutMin),
      errorCodeCounts(app.db, 7),
      listJobFailures(app.db, PER_PAGE),
    ]);
    const ids = clips.map((c) => c.id);
    const [tries, takeRows] = await Promise.all([providerTries(app.db, ids), listTakesWithRefunds(app.db, ids)]);
    const takes = takesByClip(takeRows, (id) => clips.find((c) => c.id === id)?.take_id ?? null);
    return reply.render('admin/jobs', {
      title: 'Failed jobs · Admin',
      section: 'jobs',
      filter,
      filters: FILTERS,
      timeoutMin,
      clips: clips.map((c) => ({ ...c, tries: tries.filter((t) => t.clip_id === c.id), takes: takes.get(c.id) ?? [] })),
      codes,
      jobs,
      pager: pager('/admin/jobs', { filter: filter === 'all' ? '' : filter }, page, PER_PAGE, total),
    });
  });

  app.post('/jobs/:id/retry', async (req, reply) => {
    const r = await retryGeneration(app.ctx, adminCtx(req), uuidParam(req.params), req.id);
    const cost = r.free ? 'at no charge' : 'using the credits already paid for the failed attempt';
    const queue = r.enqueued ? 'queued' : 'saved as queued (Redis is unavailable; the sweeper will enqueue it)';
    flash(reply, 'notice', `Attempt ${r.attempt} ${queue} as a new take (the earlier takes are kept), ${cost}.`);
    return reply.redirect('/admin/jobs', 303);
  });

  app.post('/jobs/:id/refund', async (req, reply) => {
    const r = await refundGeneration(app.db, adminCtx(req), uuidParam(req.params));
    flash(reply, 'notice', r.granted ? `Refunded ${credits(r.amount)}.` : 'Already refunded (the automatic refund happened), nothing was added.');
    return reply.redirect('/admin/jobs', 303);
  });
}
