import type { FastifyInstance } from 'fastify';
import { pageBytes } from '../platform/ascii-html.js';
import { fmt } from '../platform/format.js';
import type { TimelineView } from './timeline-view.js';

/**
 * The project page's timeline (views/film/_timeline.eta) as encoded bytes, rendered once per
 * timeline and browser: a timeline kept by person-reads.ts is frozen and shared until the person
 * changes something, so its render is found by the object itself (with the CSRF token its forms
 * carry) and copied into the page (PageBytes), like the clip cards. A timeline that is not kept is
 * rendered every time.
 */
export class TimelineHtml {
  private byView = new WeakMap<TimelineView, Map<string, Buffer>>();

  constructor(private app: FastifyInstance) {}

  async of(timeline: TimelineView, csrfToken: string): Promise<Buffer> {
    const frozen = Object.isFrozen(timeline);
    const mine = frozen ? this.byView.get(timeline) : undefined;
    const kept = mine?.get(csrfToken);
    if (kept) return kept;
    const html = pageBytes((await this.app.view('film/_timeline', { timeline, csrfToken, fmt })) as string);
    if (frozen) {
      const entries = mine ?? new Map<string, Buffer>();
      if (entries.size >= 4) entries.clear(); // a few browsers at once, at most
      entries.set(csrfToken, html);
      this.byView.set(timeline, entries);
    }
    return html;
  }
}

const renderers = new WeakMap<FastifyInstance, TimelineHtml>();

/** The app's one kept timeline renderer. */
export function timelineHtml(app: FastifyInstance): TimelineHtml {
  let r = renderers.get(app);
  if (!r) renderers.set(app, (r = new TimelineHtml(app)));
  return r;
}
