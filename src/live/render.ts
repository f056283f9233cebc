import type { FastifyInstance } from 'fastify';
import { downloadView } from '../account/data-export.js';
import { toClipCard } from '../clips/cards.js';
import type { ClipWithTake } from '../clips/queries.js';
import { fmt } from '../platform/format.js';
import { attemptPrice, getSettings } from '../settings/service.js';
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
 * Sends each stream the clip's card, swapped in place of the one the page shows (out of band, by
 * its id); a page that does not show it ignores it. Rendered once per CSRF token (one per browser).
 */
export async function sendCards(app: FastifyInstance, streams: LiveStream[], clips: ClipWithTake[]): Promise<void> {
  if (clips.length === 0 || streams.length === 0) return;
  const settings = await getSettings(app.db);
  const cards = await Promise.all(
    clips.map((c) => toClipCard(app.storage, c, { regenerateCost: attemptPrice(settings, app.config, c.duration_s), urlTtlS: app.config.SIGNED_URL_TTL_S })),
  );
  await sendPerBrowser(streams, async (csrfToken) => {
    const parts = await Promise.all(cards.map((clip) => app.view('clips/_card', { clip, csrfToken, balanceUpdate: null, oob: true, fmt }) as Promise<string>));
    return parts.join('\n');
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
