import type { FastifyInstance } from 'fastify';
import { pager } from '../pager.js';
import { pageParam, textParam } from '../params.js';
import { countAudit, listAudit, listAuditActions } from './queries.js';

const PER_PAGE = 50;

/** /admin/audit: every admin action, newest first, optionally one kind of action. */
export default async function auditRoutes(app: FastifyInstance) {
  app.get('/audit', async (req, reply) => {
    const action = textParam(req.query, 'action', 60);
    const page = pageParam(req.query);
    const [entries, total, actions] = await Promise.all([
      listAudit(app.db, { action, limit: PER_PAGE, offset: (page - 1) * PER_PAGE }),
      countAudit(app.db, { action }),
      listAuditActions(app.db),
    ]);
    return reply.render('admin/audit', {
      title: 'Audit log · Admin',
      section: 'audit',
      entries,
      action,
      actions,
      pager: pager('/admin/audit', { action }, page, PER_PAGE, total),
    });
  });
}
