import fp from 'fastify-plugin';
import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { cookieSecure } from './cookies.js';
import { fmt } from './format.js';
import { pageBytes } from './ascii-html.js';
import { pageCsrfToken } from './csrf-token.js';

const FLASH_COOKIE = 'flash';

export type FlashKind = 'notice' | 'error';

/** Leaves a one-time message for the next page the person sees (after a redirect). */
export function flash(reply: FastifyReply, kind: FlashKind, message: string): void {
  reply.setCookie(FLASH_COOKIE, JSON.stringify({ kind, message }), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
    secure: cookieSecure(reply.server.config),
    maxAge: 60,
  });
}

function takeFlash(req: FastifyRequest, reply: FastifyReply): { kind: FlashKind; message: string } | null {
  const raw = req.cookies[FLASH_COOKIE];
  if (!raw) return null;
  reply.clearCookie(FLASH_COOKIE, { path: '/' });
  const unsigned = req.unsignCookie(raw);
  if (!unsigned.valid || !unsigned.value) return null;
  try {
    return JSON.parse(unsigned.value);
  } catch {
    return null;
  }
}

/** The page's stream; `since` (its render time) lets the first connection catch up on what changed meanwhile. */
function liveUrl(projectId: unknown): string {
  const project = typeof projectId === 'string' ? `&project=${encodeURIComponent(projectId)}` : '';
  return `/events?since=${Date.now()}${project}`;
}

/**
 * Parts of a page already rendered and encoded (kept clip cards, a kept timeline): the template
 * writes `<%~ it.bytes.here() %>` (or `here('timeline')` for a named part) where they go, and they
 * are copied into the answer's bytes there, never joined into the page's string (joining a 100 KB
 * string cost a millisecond a page).
 */
export class PageBytes {
  private static readonly marker = `<!--page-bytes-${randomUUID()}:`;

  /** parts: what `here()` stands for; named: what `here(name)` stands for (a name missing: nothing). */
  constructor(
    private parts: Buffer[],
    private named: Record<string, Buffer | null> = {},
  ) {}

  here(name = ''): string {
    return `${PageBytes.marker}${name}-->`;
  }

  fill(html: string): Buffer {
    const pieces: Buffer[] = [];
    let from = 0;
    for (let at = html.indexOf(PageBytes.marker); at >= 0; at = html.indexOf(PageBytes.marker, from)) {
      const nameEnd = html.indexOf('-->', at + PageBytes.marker.length);
      const name = html.slice(at + PageBytes.marker.length, nameEnd);
      pieces.push(pageBytes(html.slice(from, at)));
      if (name === '') pieces.push(...this.parts);
      else if (this.named[name]) pieces.push(this.named[name]);
      from = nameEnd + 3;
    }
    if (from === 0) return pageBytes(html);
    pieces.push(pageBytes(html.slice(from)));
    return Buffer.concat(pieces);
  }
}

/**
 * `reply.render(template, data)`: every page gets the signed-in user, the CSRF token and the flash
 * message without each route passing them, and `it.fmt` (platform/format.ts) for every number,
 * count, amount, size, clock and time they show. Templates receive plain objects and never query.
 */
export default fp(
  async (app) => {
    app.decorateReply('render', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const req = this.request;
      const user = req.user ?? null;
      const locals = {
        user,
        csrfToken: pageCsrfToken(this),
        flash: takeFlash(req, this),
        path: req.url,
        isHtmx: req.isHtmx,
        googleEnabled: app.config.googleEnabled,
        devSignIn: app.config.devSignIn,
        requestId: req.id,
        title: 'Echoes',
        // A signed-in page opens its live-update stream (src/live/), scoped to the project it shows.
        liveUrl: user ? liveUrl(data.liveProject) : null,
        fmt,
      };
      const html = (await this.viewAsync(template, { ...locals, ...data })) as string;
      // Encoded once: a string payload is measured (Buffer.byteLength) and then encoded again to be
      // written, and on a 100 KB page those two passes were a tenth of the request's CPU.
      const body = data.bytes instanceof PageBytes ? data.bytes.fill(html) : pageBytes(html);
      return this.type('text/html; charset=utf-8').send(body);
    });
  },
  { name: 'view', dependencies: ['templates', 'cookies', 'csrf', 'htmx'] },
);
