import type { FastifyInstance } from 'fastify';
import { overview } from './service.js';

/** GET /admin: the state of the service at a glance. */
export default async function overviewRoutes(app: FastifyInstance) {
  app.get('/', async (_req, reply) => {
    const data = await overview(app.db, app.queues);
    const outcome = (name: string) => data.generations.byOutcome.find((r) => r.outcome === name) ?? { today: 0, week: 0 };
    return reply.render('admin/overview', {
      title: 'Overview · Admin',
      section: 'overview',
      ...data,
      outcomes: ['ready', 'error', 'cancelled'].map((name) => ({ name, ...outcome(name) })),
    });
  });
}
