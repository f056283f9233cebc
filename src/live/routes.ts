import fp from 'fastify-plugin';
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { currentUser } from '../auth/require-user.js';
import { findClipForUser } from '../clips/queries.js';
import type { Change } from '../platform/change-feed.js';
import { RateLimitedError, UnavailableError } from '../platform/errors.js';
import { readForm } from '../platform/forms.js';
import { ownedProject } from '../projects/own.js';
import { HEARTBEAT_MS, LiveHub } from './hub.js';
import { findBalance, listClipsChangedSince, listClipsDeletedSince, liveSessionIds } from './queries.js';
import { balanceHtml, removedCardHtml, sendCards, sendDownloadPanel } from './render.js';
import { isUuid } from '../platform/ids.js';
import { LiveStream } from './stream.js';
import { pageCsrfToken } from '../platform/csrf-token.js';

/** How far back a reconnecting page is caught up beyond its last event (clocks of other processes). */
const CATCH_UP_SLACK_MS = 5000;

declare module 'fastify' {
  interface FastifyInstance {
    liveHub: LiveHub;
  }
}

/** A reconnecting page's last event time (ms), from Last-Event-ID or `since`; anything else is none. */
const sinceField = z.preprocess(
  (v) => (typeof v === 'string' ? Number(v) : NaN),
  z.number().finite().positive().transform((n) => new Date(n - CATCH_UP_SLACK_MS)).nullable(),
).catch(null);

const eventsQuery = z.object({ project: z.unknown().optional(), since: z.unknown().optional() });

/**
 * `GET /events[?project=<id>]`: the page's live updates as server-sent events (htmx's SSE
 * extension opens it, see views/layouts/main.eta). Signed-in and scoped to the person: a project
 * that is not theirs is a 404. Ends when the session does.
 */
export default fp(
  async (app) => {
    const hub = new LiveHub(app.ctx.redis, app.config.QUEUE_PREFIX, {
      deliver: (streams, change) => deliver(streams, change),
      catchUp: (stream, since) => catchUp(stream, since),
      liveSessions: (sids) => liveSessionIds(app.db, sids),
    }, app.log);
    app.decorate('liveHub', hub);
    const stopFollowing = app.changeFeed.subscribe({
      change: (change) => hub.onChange(change),
      listening: (on, downSince) => {
        if (on && downSince !== null) hub.resync(new Date(downSince - CATCH_UP_SLACK_MS));
      },
    });
    // Open streams would keep the server from closing: end them first (the pages reconnect elsewhere).
    app.addHook('preClose', async () => {
      stopFollowing();
      await hub.close();
    });

    /** The project's film changed (a clip, its take or trim, the order, the music, beat sync): its timeline refreshes itself. */
    function sendFilmChanged(streams: LiveStream[], projectId: string | null): void {
      for (const s of streams) s.send(JSON.stringify({ project: projectId }), 'live-film');
    }

    async function sendBalance(streams: LiveStream[], userId: string): Promise<void> {
      const balance = await findBalance(app.db, userId);
      if (balance !== undefined) for (const s of streams) s.send(balanceHtml(balance));
    }

    async function deliver(streams: LiveStream[], change: Change): Promise<void> {
      const userId = streams[0]!.userId;
      const showing = streams.filter((s) => s.projectId !== null && s.projectId === change.projectId);
      switch (change.table) {
        case 'clips':
        case 'takes': {
          if (showing.length === 0 || !change.id) return;
          const clip = await findClipForUser(app.db, userId, change.id);
          if (clip) await sendCards(app, showing, [clip]);
          // Gone (deleted, perhaps in another tab): its card leaves every page that shows it.
          else if (isUuid(change.id)) for (const s of showing) s.send(removedCardHtml(change.id));
          sendFilmChanged(showing, change.projectId);
          return;
        }
        case 'projects':
          // Its music, its beat-sync setting: the film's timeline changes.
          sendFilmChanged(showing, change.projectId);
          return;
        case 'users':
          return sendBalance(streams, userId);
        case 'exports':
        case 'music_analyses': {
          const event = change.table === 'exports' ? 'live-export' : 'live-analysis';
          for (const s of showing) s.send(JSON.stringify({ project: change.projectId }), event);
          if (change.table === 'music_analyses') sendFilmChanged(showing, change.projectId);
          return;
        }
        case 'payments':
          for (const s of streams) s.send('{}', 'live-payment');
          return;
        case 'account_exports':
          return sendDownloadPanel(app, streams, userId);
      }
    }

    /** What may have changed since `since`: the balance, the project's changed and deleted cards, and a refresh of every panel. */
    async function catchUp(stream: LiveStream, since: Date, balance?: number): Promise<void> {
      if (balance !== undefined) stream.send(balanceHtml(balance));
      else await sendBalance([stream], stream.userId);
      const { projectId } = stream;
      if (projectId) {
        await sendCards(app, [stream], await listClipsChangedSince(app.db, stream.userId, projectId, since));
        // A delete missed in the gap has no row left to send: its tombstone says which card goes.
        for (const id of await listClipsDeletedSince(app.db, stream.userId, projectId, since)) stream.send(removedCardHtml(id));
        stream.send(JSON.stringify({ project: projectId }), 'live-export');
        stream.send(JSON.stringify({ project: projectId }), 'live-analysis');
        sendFilmChanged([stream], projectId);
      }
      stream.send('{}', 'live-payment');
      await sendDownloadPanel(app, [stream], stream.userId, { onlyWhenStarted: true });
    }

    app.get('/events', async (req, reply) => {
      const user = currentUser(req);
      const query = readForm(eventsQuery, req.query);
      // The project is optional here, so it is checked in the handler rather than by ownProject().
      const projectId = query.project === undefined ? null : (await ownedProject(req, String(query.project))).id;
      const since = readForm(sinceField, req.headers['last-event-id'] ?? query.since);
      const streamId = randomUUID();
      let reserved: boolean;
      try {
        reserved = await hub.reserve(user.id, streamId);
      } catch {
        throw new UnavailableError('Live updates are unavailable just now; the page checks by itself instead.', 'live_unavailable');
      }
      // A slot comes back as soon as a page closes, or within four missed heartbeats.
      if (!reserved) throw new RateLimitedError('Too many open pages are receiving live updates; this one checks by itself instead.', HEARTBEAT_MS / 1000);

      const csrfToken = pageCsrfToken(reply);
      reply.hijack();
      const res = reply.raw;
      res.writeHead(200, {
        ...(reply.getHeaders() as Record<string, string>),
        'content-type': 'text/event-stream; charset=utf-8',
        'cache-control': 'no-store',
        'x-accel-buffering': 'no',
      });
      res.write(': open\n\n');
      const stream = new LiveStream(streamId, user.id, req.session.sessionId, projectId, csrfToken, res);
      req.raw.on('close', () => {
        stream.close();
        hub.detach(stream);
      });
      try {
        // Attached first: a change committed from here on is delivered; one before is in the catch-up read.
        hub.attach(stream);
        if (since) await catchUp(stream, since, user.credit_balance);
        else stream.send(balanceHtml(user.credit_balance));
      } catch (err) {
        req.log.warn({ err }, 'live stream setup failed');
        stream.close();
        hub.detach(stream);
      }
    });
  },
  { name: 'live', dependencies: ['auth', 'view', 'projects'] },
);
