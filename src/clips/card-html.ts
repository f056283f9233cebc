import type { FastifyInstance } from 'fastify';
import { pageBytes } from '../platform/ascii-html.js';
import { fmt } from '../platform/format.js';
import type { ClipCard } from './cards.js';

const MAX_CARDS = 5_000;

/** What a card's HTML depends on besides its ClipCard: the page's CSRF token, and whether it is pushed out of band. */
interface CardOptions {
  csrfToken: string;
  oob?: boolean;
}

/**
 * Clip cards as HTML (views/clips/_card.eta), rendered once per state and remembered by this
 * process: a project page shows thirty, and re-rendering them was most of its CPU. The key is
 * everything the template reads (the card, signed URLs included, and the token), so a kept card
 * is exactly what rendering again would give.
 */
export class CardHtml {
  private byKey = new Map<string, Buffer>();

  constructor(private app: FastifyInstance) {}

  async render(card: ClipCard, opts: CardOptions): Promise<Buffer> {
    const key = JSON.stringify([opts.csrfToken, opts.oob === true, card]);
    const kept = this.byKey.get(key);
    if (kept !== undefined) return kept;
    const html = pageBytes((await this.app.view('clips/_card', { clip: card, csrfToken: opts.csrfToken, balanceUpdate: null, oob: opts.oob === true, fmt })) as string);
    if (this.byKey.size >= MAX_CARDS) this.byKey.clear();
    this.byKey.set(key, html);
    return html;
  }

  renderAll(cards: ClipCard[], opts: CardOptions): Promise<Buffer[]> {
    return Promise.all(cards.map((card) => this.render(card, opts)));
  }
}
