import fp from 'fastify-plugin';
import type { FastifyReply, FastifyRequest } from 'fastify';

const FLASH_COOKIE = 'flash';

export type FlashKind = 'notice' | 'error';

/** Leaves a one-time message for the next page the person sees (after a redirect). */
export function flash(reply: FastifyReply, kind: FlashKind, message: string): void {
  reply.setCookie(FLASH_COOKIE, JSON.stringify({ kind, message }), {
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    signed: true,
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

/** Same-site paths only, so a crafted link cannot send someone elsewhere after sign-in. */
export function safeReturnPath(value: unknown, fallback = '/projects'): string {
  if (typeof value !== 'string' || !value.startsWith('/') || value.length > 2000) return fallback;
  // Let the URL parser judge, as a browser would: it drops tabs and newlines and reads "\" as
  // "/", so "/\t/evil.com" or "/\evil.com" would otherwise leave the site.
  const base = 'http://echoes.invalid';
  let parsed: URL;
  try {
    parsed = new URL(value, base);
  } catch {
    return fallback;
  }
  if (parsed.origin !== base || /[\u0000-\u001f\u007f\\]/.test(value)) return fallback;
  // Re-serialised, so the Location header carries only percent-encoded ASCII.
  return parsed.pathname + parsed.search + parsed.hash;
}

/** The page's stream; `since` (its render time) lets the first connection catch up on what changed meanwhile. */
function liveUrl(projectId: unknown): string {
  const project = typeof projectId === 'string' ? `&project=${encodeURIComponent(projectId)}` : '';
  return `/events?since=${Date.now()}${project}`;
}

/**
 * `reply.render(template, data)`: every page gets the signed-in user, the CSRF token and the flash
 * message without each route passing them. Templates receive plain objects and never query.
 */
export default fp(
  async (app) => {
    app.decorateReply('render', async function (this: FastifyReply, template: string, data: Record<string, unknown> = {}) {
      const req = this.request;
      const user = req.user ?? null;
      const locals = {
        user,
        csrfToken: this.generateCsrf(),
        flash: takeFlash(req, this),
        path: req.url,
        isHtmx: req.isHtmx,
        googleEnabled: app.config.googleEnabled,
        devSignIn: !app.config.googleEnabled && app.config.NODE_ENV !== 'production',
        requestId: req.id,
        title: 'Echoes',
        // A signed-in page opens its live-update stream (src/live/), scoped to the project it shows.
        liveUrl: user ? liveUrl(data.liveProject) : null,
      };
      const html = await this.viewAsync(template, { ...locals, ...data });
      return this.type('text/html; charset=utf-8').send(html);
    });
  },
  { name: 'view', dependencies: ['web'] },
);
