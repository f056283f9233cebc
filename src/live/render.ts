import type { FastifyInstance } from 'fastify';
import { downloadView } from '../account/data-export.js';
import { clipCards, pushedCards } from '../clips/card-html.js';
import type { ClipWithTake } from '../clips/queries.js';
import type { LiveStream } from './stream.js';

/** The header's balance, swapped in place (out of band) on every open page of the person. */
export function balanceHtml(balance: number): string {
  return `<span data-credit-balance="${balance}" id="credit-balance" hx-swap-oob="true">${balance}</span>`;
}

/** Removes a deleted clip's card, out of band, from a page that shows it. */
export function removedCardHtml(clipId: string): string {
  return `<div id="clip-${clipId}" hx-swap-oob="delete"></div>`;
}

/**
 * Sends each stream the clips' cards, each the project page's card byte for byte (one renderer,
 * src/clips/card-html.ts) swapped in place of the one the page shows; a page that does not show it
 * ignores it. Rendered once per CSRF token (one per browser).
 */
export async function sendCards(app: FastifyInstance, streams: LiveStream[], clips: ClipWithTake[]): Promise<void> {
  if (clips.length === 0 || streams.length === 0) return;
  const cards = clipCards(app);
  await sendPerBrowser(streams, async (csrfToken) => {
    const html = await cards.cardsOf(clips, { csrfToken });
    return pushedCards(clips.map((c, i) => ({ id: c.id, html: html[i]! })));
  });
}

/**
 * Sends the person's pages their data-download panel (/account), swapped in place out of band: a
 * pushed state arrives in order on the stream, where a refresh request could cross the next event.
 */
export async function sendDownloadPanel(app: FastifyInstance, streams: LiveStream[], userId: string, opts: { onlyWhenStarted?: boolean } = {}): Promise<void> {
  if (streams.length === 0) return;
  const download = await downloadView(app.ctx, userId);
  if (opts.onlyWhenStarted && download.state === 'none') return;
  await sendPerBrowser(streams, async (csrfToken) => (await app.view('account/_download', { download, csrfToken, oob: true })) as string);
}

/** Sends each stream its HTML, rendered once per CSRF token (the forms in it carry it; one per browser). */
async function sendPerBrowser(streams: LiveStream[], render: (csrfToken: string) => Promise<string>): Promise<void> {
  const byToken = new Map<string, string>();
  for (const s of streams) {
    let html = byToken.get(s.csrfToken);
    if (html === undefined) byToken.set(s.csrfToken, (html = await render(s.csrfToken)));
    s.send(html);
  }
}
