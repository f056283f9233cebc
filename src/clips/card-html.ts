import type { FastifyInstance } from 'fastify';
import { pageBytes } from '../platform/ascii-html.js';
import { fmt } from '../platform/format.js';
import type { ClipWithTake } from './queries.js';
import { urlBucket } from '../storage/stable-url.js';
import { toClipCard, type ClipCard } from './cards.js';

const MAX_CARDS = 5_000;

/**
 * Clip cards as HTML (views/clips/_card.eta), rendered once per state and remembered by this
 * process: a project page shows thirty, and re-rendering them was most of its CPU. The key is
 * everything the template reads (the card, signed URLs included, and the token), so a kept card
 * is exactly what rendering again would give.
 */
export class CardHtml {
  private byKey = new Map<string, Buffer>();
  /** Cards of clip rows kept unchanged (frozen) by person-reads.ts, by row: no card to build, no key to write. */
  private byRow = new WeakMap<ClipWithTake, Map<string, Buffer>>();

  constructor(private app: FastifyInstance) {}

  /** The cards of a page's clips, in order. */
  cardsOf(clips: readonly ClipWithTake[], opts: { csrfToken: string; costFor: (durationS: number) => number; urlTtlS: number }): Promise<Buffer[]> {
    const bucket = urlBucket();
    return Promise.all(
      clips.map(async (clip) => {
        const cost = opts.costFor(clip.duration_s);
        const key = `${opts.csrfToken}|${cost}|${opts.urlTtlS}|${bucket}`;
        const frozen = Object.isFrozen(clip);
        const mine = frozen ? this.byRow.get(clip) : undefined;
        const kept = mine?.get(key);
        if (kept) return kept;
        const html = await this.render(await toClipCard(this.app.storage, clip, { regenerateCost: cost, urlTtlS: opts.urlTtlS }), opts.csrfToken);
        if (frozen) {
          const entries = mine ?? new Map<string, Buffer>();
          if (entries.size >= 4) entries.clear(); // a few browsers or prices at once, at most
          entries.set(key, html);
          this.byRow.set(clip, entries);
        }
        return html;
      }),
    );
  }

  /** One card as the project page shows it (in place, not out of band), with the page's CSRF token. */
  private async render(card: ClipCard, csrfToken: string): Promise<Buffer> {
    const key = JSON.stringify([csrfToken, card]);
    const kept = this.byKey.get(key);
    if (kept !== undefined) return kept;
    const html = pageBytes((await this.app.view('clips/_card', { clip: card, csrfToken, balanceUpdate: null, oob: false, fmt })) as string);
    if (this.byKey.size >= MAX_CARDS) this.byKey.clear();
    this.byKey.set(key, html);
    return html;
  }
}
