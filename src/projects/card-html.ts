import type { FastifyInstance } from 'fastify';
import { pageBytes } from '../platform/ascii-html.js';
import { ago, fmt } from '../platform/format.js';
import { urlBucket } from '../storage/stable-url.js';
import type { ProjectSummaryRow } from './queries.js';
import { toSummary } from './service.js';

/**
 * The dashboard's project cards (views/projects/_project_card.eta) as encoded HTML, kept by row:
 * rows that person-reads.ts keeps are frozen and shared between requests until the person changes
 * something, so a card is made again only when its row, its "updated … ago" wording or its cover
 * URL's 10-minute bucket changes (like src/clips/card-html.ts for clip cards).
 */
export class ProjectCards {
  private byRow = new WeakMap<ProjectSummaryRow, { key: string; html: Buffer }>();

  constructor(private app: FastifyInstance) {}

  cardsOf(rows: readonly ProjectSummaryRow[], now = new Date()): Promise<Buffer[]> {
    const bucket = urlBucket(Math.floor(now.getTime() / 1000));
    return Promise.all(
      rows.map(async (row) => {
        const key = `${ago(row.changed_at, now)}|${bucket}`;
        const kept = this.byRow.get(row);
        if (kept?.key === key) return kept.html;
        const summary = await toSummary(this.app.ctx, row, now);
        const html = pageBytes((await this.app.view('projects/_project_card', { p: summary, fmt })) as string);
        if (Object.isFrozen(row)) this.byRow.set(row, { key, html });
        return html;
      }),
    );
  }
}
