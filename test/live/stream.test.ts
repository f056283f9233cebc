import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { FastifyInstance } from 'fastify';
import { buildApp } from '../../src/app.js';
import { failGeneration } from '../../src/generation/service.js';
import { MAX_STREAMS_PER_PERSON } from '../../src/live/hub.js';
import { createTestContext, type TestContext } from '../setup/context.js';
import { TestBrowser } from '../setup/browser.js';
import { clipIdOf, SseClient } from '../setup/sse.js';
import { deleteClip } from '../../src/clips/service.js';
import { createProject } from '../factories.js';
import { createClip } from '../factories/clips.js';
import { attemptPrice, getSettings, primaryRoute, saveSettings } from '../../src/settings/service.js';

/** One clip's card as a page shows it: its whole <article>. */
function cardIn(html: string, clipId: string): string | undefined {
  const at = html.indexOf(`id="clip-${clipId}"`);
  if (at < 0) return undefined;
  const start = html.lastIndexOf('<article', at);
  const end = html.indexOf('</article>', at);
  return html.slice(start, end + '</article>'.length);
}

// The live stream (GET /events) of a page on web process B, for things recorded anywhere else
// (here: app A's context, as a worker would). Two apps over one database and Redis.

let t: TestContext;
let a: FastifyInstance;
let b: FastifyInstance;
let base: string;
const open: SseClient[] = [];
beforeAll(async () => {
  t = await createTestContext();
  a = await buildApp(t.ctx);
  b = await buildApp(t.ctx);
  await a.ready();
  base = await b.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  for (const c of open) c.close();
  await a?.close();
  await b?.close();
  await t?.close();
});

async function person(email: string) {
  const browser = new TestBrowser(a);
  await browser.signInDev(email);
  const user = await t.ctx.db.selectFrom('users').selectAll().where('email', '=', email).executeTakeFirstOrThrow();
  const project = await createProject(t.ctx.db, user.id);
  const stream = async (query = '', headers: Record<string, string> = {}) => {
    const c = await SseClient.open(`${base}/events${query}`, { cookie: browser.cookieHeader, ...headers });
    open.push(c);
    // Every stream starts with the balance: after it, the stream is subscribed.
    if (c.status === 200) await c.next((m) => m.data.includes('id="credit-balance"'));
    return c;
  };
  return { browser, user, project, stream };
}

describe('the live stream', () => {
  it('pushes a clip card and the balance when a worker records a failure (refund), on the other web process', async () => {
    const p = await person('cards@example.com');
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: p.user.id, projectId: p.project.id, status: 'generating', credits: 1 });
    const s = await p.stream(`?project=${p.project.id}&since=${Date.now()}`);
    expect(s.status).toBe(200);
    const from = s.messages.length;
    await failGeneration(t.ctx, clip.id, clip.attempt, { code: 'X', message: 'It failed.' });
    const card = await s.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-status="error"'), 5000, from);
    expect(card.data).toContain(`<hx-partial hx-target="#clip-${clip.id}" hx-swap="outerHTML">`);
    expect(card.event).toBeUndefined();
    const balance = await s.next((m) => m.data.includes('id="credit-balance"'), 5000, from);
    expect(balance.data).toContain('data-credit-balance="1"');
  });

  it('is owner-scoped: another person’s project is a 404, and their events never reach this stream', async () => {
    const mine = await person('mine@example.com');
    const theirs = await person('theirs@example.com');
    const refused = await mine.stream(`?project=${theirs.project.id}`);
    expect(refused.status).toBe(404);
    const signedOut = await SseClient.open(`${base}/events`);
    open.push(signedOut);
    expect(signedOut.status).toBe(401);

    const s = await mine.stream(`?project=${mine.project.id}`);
    const from = s.messages.length;
    // Committed in this order, so theirs would arrive first if it arrived at all.
    await createClip(t.ctx.db, t.ctx.storage, { userId: theirs.user.id, projectId: theirs.project.id, status: 'generating', credits: 0 });
    await t.ctx.db.updateTable('users').set({ name: 'Theirs again' }).where('id', '=', theirs.user.id).execute();
    await t.ctx.db.updateTable('users').set({ name: 'Mine again' }).where('id', '=', mine.user.id).execute();
    await s.next((m) => m.data.includes('id="credit-balance"'), 5000, from);
    expect(s.messages.slice(from)).toHaveLength(1);
  });

  it('pushes the very card the project page shows, byte for byte, priced as charging prices it (per-provider price set)', async () => {
    const p = await person('same-card@example.com');
    const settings = await getSettings(t.ctx.db);
    const route = primaryRoute(settings, t.ctx.config);
    // The primary route's own price, unlike the general one: a card priced without the route shows 2.
    await saveSettings(t.ctx.db, { creditsPer5s: 2, providerCosts: { ...settings.providerCosts, [`${route.provider}:${route.model}`]: 7 } });
    try {
      const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: p.user.id, projectId: p.project.id, status: 'generating', credits: 0, durationS: 10 });
      const price = attemptPrice(await getSettings(t.ctx.db), t.ctx.config, 10);
      expect(price).toBe(14);
      await p.browser.get(`/projects/${p.project.id}`); // the browser's CSRF secret, which the stream's forms carry too
      const s = await p.stream(`?project=${p.project.id}`);
      const from = s.messages.length;
      await t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1, updated_at: new Date() }).where('id', '=', clip.id).execute();
      const pushed = await s.next((m) => clipIdOf(m) === clip.id && m.data.includes('data-status="ready"'), 5000, from);
      const wrapper = new RegExp(`^<hx-partial hx-target="#clip-${clip.id}" hx-swap="outerHTML">([\\s\\S]*)</hx-partial>$`);
      const pushedCard = wrapper.exec(pushed.data)?.[1];
      expect(pushedCard).toBeDefined();
      for (const web of [a, b]) {
        const page = await web.inject({ url: `/projects/${p.project.id}`, headers: { cookie: p.browser.cookieHeader } });
        expect(page.statusCode).toBe(200);
        // The page's card is the pushed one, every byte (the rendered card ends in a newline).
        expect(cardIn(page.body, clip.id)).toBe(pushedCard!.trimEnd());
        expect(page.body).toContain(pushedCard);
        const one = await web.inject({ url: `/clips/${clip.id}`, headers: { cookie: p.browser.cookieHeader } });
        expect(one.body).toBe(pushedCard);
      }
      expect(pushedCard).toContain(`Regenerate <span class="clip-cost">· ${price} cr</span>`.replace('·', '&#xb7;'));
    } finally {
      await saveSettings(t.ctx.db, { creditsPer5s: settings.creditsPer5s, providerCosts: settings.providerCosts });
    }
  });

  it('takes a deleted clip’s card off the person’s other pages', async () => {
    const p = await person('deleted-card@example.com');
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: p.user.id, projectId: p.project.id, status: 'ready', credits: 0 });
    const s = await p.stream(`?project=${p.project.id}`);
    const from = s.messages.length;
    await deleteClip(t.ctx, p.user.id, clip.id);
    const gone = await s.next((m) => m.data.includes(`id="clip-${clip.id}"`), 5000, from);
    expect(gone.data).toBe(`<div id="clip-${clip.id}" hx-swap-oob="delete"></div>`);
  });

  it('tells panels to refresh: export, beat analysis, payment, data download', async () => {
    const p = await person('panels@example.com');
    const s = await p.stream(`?project=${p.project.id}`);
    const from = s.messages.length;
    await t.ctx.db.insertInto('exports').values({ user_id: p.user.id, project_id: p.project.id, status: 'rendering' }).execute();
    await t.ctx.db.insertInto('music_analyses').values({ project_id: p.project.id, music_key: 'music/x.mp3' }).execute();
    const exp = await s.next((m) => m.event === 'live-export', 5000, from);
    expect(JSON.parse(exp.data)).toEqual({ project: p.project.id });
    await s.next((m) => m.event === 'live-analysis', 5000, from);
    // The data-download panel is pushed itself (out of band), in order with the other events.
    await t.ctx.db.insertInto('account_exports').values({ user_id: p.user.id, status: 'building', progress: 40 }).execute();
    const panel = await s.next((m) => m.data.includes('id="download"'), 5000, from);
    expect(panel.data).toContain('hx-swap-oob="true"');
    expect(panel.data).toContain('data-download-state="building"');
  });

  it('catches a reconnecting page up on what changed while it was away', async () => {
    const p = await person('catch-up@example.com');
    const clip = await createClip(t.ctx.db, t.ctx.storage, { userId: p.user.id, projectId: p.project.id, status: 'generating', credits: 0 });
    const first = await p.stream(`?project=${p.project.id}&since=${Date.now()}`);
    const lastId = first.messages.at(-1)!.id!;
    first.close();
    await t.ctx.db.updateTable('clips').set({ status: 'ready', progress: 1, updated_at: new Date() }).where('id', '=', clip.id).execute();
    // Deleted while the page was away: no row is left to send, yet its card must go.
    const doomed = await createClip(t.ctx.db, t.ctx.storage, { userId: p.user.id, projectId: p.project.id, status: 'ready', credits: 0 });
    await deleteClip(t.ctx, p.user.id, doomed.id);
    const again = await p.stream(`?project=${p.project.id}`, { 'last-event-id': lastId });
    const card = await again.next((m) => clipIdOf(m) === clip.id);
    expect(card.data).toContain('data-status="ready"');
    const gone = await again.next((m) => m.data.includes(`id="clip-${doomed.id}"`));
    expect(gone.data).toBe(`<div id="clip-${doomed.id}" hx-swap-oob="delete"></div>`);
    await again.next((m) => m.event === 'live-export');
  });

  it('ends when the session ends (sign-out on the other process), and when its session is gone', async () => {
    const p = await person('ends@example.com');
    const s = await p.stream();
    await p.browser.post('/logout');
    await s.next((m) => m.event === 'ended');
    await s.waitClosed();

    const q = await person('gone@example.com');
    const s2 = await q.stream();
    await t.ctx.db.updateTable('sessions').set({ expires_at: new Date(Date.now() - 1000) }).where('user_id', '=', q.user.id).execute(); // expired: the heartbeat finds out
    await b.liveHub.tick();
    await s2.next((m) => m.event === 'ended');
    await s2.waitClosed();
  });

  it('sends heartbeats', async () => {
    const p = await person('heartbeat@example.com');
    const s = await p.stream();
    await b.liveHub.tick();
    const deadline = Date.now() + 5000;
    while (!s.comments.includes('hb') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(s.comments).toContain('hb');
  });

  it('bounds the open streams per person, over both web processes', async () => {
    const p = await person('bounded@example.com');
    const baseA = await a.listen({ port: 0, host: '127.0.0.1' });
    const streams: SseClient[] = [];
    for (let i = 0; i < MAX_STREAMS_PER_PERSON; i++) {
      const url = `${i % 2 ? base : baseA}/events`;
      const c = await SseClient.open(url, { cookie: p.browser.cookieHeader });
      open.push(c);
      streams.push(c);
      expect(c.status).toBe(200);
    }
    const over = await p.stream();
    expect(over.status).toBe(429);
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    streams[0]!.close();
    // The slot comes back once the server has seen the close.
    let again: SseClient | undefined;
    for (let i = 0; i < 50 && again?.status !== 200; i++) {
      await new Promise((r) => setTimeout(r, 50));
      again = await p.stream();
    }
    expect(again!.status).toBe(200);
  });

  it('is declared by signed-in pages with htmx’s SSE extension, served same-origin', async () => {
    const p = await person('page@example.com');
    const page = await b.inject({ url: `/projects/${p.project.id}`, headers: { cookie: p.browser.cookieHeader } });
    expect(page.body).toMatch(new RegExp(`hx-ext="sse" sse-connect="/events\\?since=\\d+&amp;project=${p.project.id}"`));
    // htmx and its extension load in order, not deferred: a deferred htmx could start before the
    // extension arrived and never open the stream.
    expect(page.body).toMatch(/<script src="\/vendor\/htmx\/htmx\.min\.js"><\/script>\s*<script src="\/vendor\/htmx\/ext\/hx-sse\.min\.js"><\/script>/);
    const ext = await b.inject('/vendor/htmx/ext/hx-sse.min.js');
    expect(ext.statusCode).toBe(200);
    expect(ext.body).toContain('registerExtension');
  });
});
