import type { FastifyInstance } from 'fastify';
import { pageBytes } from '../platform/ascii-html.js';
import { fmt } from '../platform/format.js';
import type { ClipWithTake } from './queries.js';
import { attemptPrice, getSettings } from '../settings/service.js';
import { urlBucket } from '../storage/stable-url.js';
import { toClipCard, type ClipCard } from './cards.js';

const MAX_CARDS = 5_000;

export interface CardOptions {
  /** The CSRF token of the browser the card goes to (its forms carry it). */
  csrfToken: string;
  /** The balance after an action, for the header (an htmx answer to a clip action only). */
  balanceUpdate?: number | null;
}

/**
 * The one clip-card renderer (views/clips/_card.eta): the project page, `GET /clips/:id` and the
 * clip actions' answers, the photo upload's answer and the live stream all get their cards here,
 * priced by attemptPrice, the function that charging uses. So a card pushed over the stream is
 * the page's card byte for byte (the stream wraps it, see pushedCards).
 *
 * Cards are rendered once per state and remembered by this process: a project page shows thirty,
 * and re-rendering them was most of its CPU. The key is everything the template reads (the card,
 * signed URLs and price included, and the token), so a kept card is exactly what rendering again
 * would give.
 */
export class ClipCards {
  private byKey = new Map<string, Buffer>();
  /** Cards of clip rows kept unchanged (frozen) by person-reads.ts, by row: no card to build, no key to write. */
  private byRow = new WeakMap<ClipWithTake, Map<string, Buffer>>();

  constructor(private app: FastifyInstance) {}

  /** The cards of these clips, in order, as encoded HTML. */
  async cardsOf(clips: readonly ClipWithTake[], opts: CardOptions): Promise<Buffer[]> {
    const settings = await getSettings(this.app.db);
    const urlTtlS = this.app.config.SIGNED_URL_TTL_S;
    const balanceUpdate = opts.balanceUpdate ?? null;
    const bucket = urlBucket();
    return Promise.all(
      clips.map(async (clip) => {
        const cost = attemptPrice(settings, this.app.config, clip.duration_s);
        const key = `${opts.csrfToken}|${cost}|${urlTtlS}|${bucket}|${balanceUpdate}`;
        const frozen = Object.isFrozen(clip);
        const mine = frozen ? this.byRow.get(clip) : undefined;
        const kept = mine?.get(key);
        if (kept) return kept;
        const html = await this.render(await toClipCard(this.app.storage, clip, { regenerateCost: cost, urlTtlS }), opts.csrfToken, balanceUpdate);
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

  /** One clip's card. */
  async cardOf(clip: ClipWithTake, opts: CardOptions): Promise<Buffer> {
    return (await this.cardsOf([clip], opts))[0]!;
  }

  private async render(card: ClipCard, csrfToken: string, balanceUpdate: number | null): Promise<Buffer> {
    const key = JSON.stringify([csrfToken, balanceUpdate, card]);
    const kept = this.byKey.get(key);
    if (kept !== undefined) return kept;
    const html = pageBytes((await this.app.view('clips/_card', { clip: card, csrfToken, balanceUpdate, fmt })) as string);
    if (this.byKey.size >= MAX_CARDS) this.byKey.clear();
    this.byKey.set(key, html);
    return html;
  }
}

/**
 * Cards as the live stream sends them: each the page's card unchanged, inside an htmx partial that
 * swaps it in place of the card with its id (a page that does not show it ignores it).
 */
export function pushedCards(cards: readonly { id: string; html: Buffer }[]): string {
  return cards.map((c) => `<hx-partial hx-target="#clip-${c.id}" hx-swap="outerHTML">${c.html.toString('utf8')}</hx-partial>`).join('\n');
}

const renderers = new WeakMap<FastifyInstance, ClipCards>();

/** The app's one card renderer, one cache for the page, the stream and the actions (features are fastify-plugin plugins: one instance). */
export function clipCards(app: FastifyInstance): ClipCards {
  let cards = renderers.get(app);
  if (!cards) renderers.set(app, (cards = new ClipCards(app)));
  return cards;
}
