import type { AppContext } from './context.js';
import type { Config } from './config.js';
import type { DB } from './db.js';
import type { Storage } from './storage.js';
import type { Queues } from './queues.js';
import type { User } from './db-types.js';
import type { PersonReads } from './person-reads.js';
import type { ChangeFeed } from './change-feed.js';
import type { PgSessionStore } from './session-store.js';
import type { Signer } from '@fastify/cookie';

declare module 'fastify' {
  interface FastifyInstance {
    ctx: AppContext;
    config: Config;
    db: DB;
    storage: Storage;
    queues: Queues;
    /** What people's pages read, kept for a few seconds in this web process (person-reads.ts). */
    personReads: PersonReads;
    /** This process's LISTEN connection to the database's change feed (change-feed.ts). */
    changeFeed: ChangeFeed;
    /** Sessions in Postgres, kept for a few seconds with their user (session-store.ts); web/sessions.ts makes it. */
    sessionStore: PgSessionStore;
    /** Signs and unsigns cookies, remembering its answers (cookie-signer.ts); web/cookies.ts makes it. */
    cookieSigner: Pick<Signer, 'sign' | 'unsign'>;
  }
  interface FastifyReply {
    /** Renders a view with the page locals (user, csrf token, flash); see platform/view.ts. */
    render(template: string, data?: Record<string, unknown>): Promise<FastifyReply>;
    locals?: Record<string, unknown>;
  }
  interface FastifyRequest {
    isHtmx: boolean;
  }
  interface PassportUser extends User {}
  interface FastifyContextConfig {
    /**
     * Who may call the route. Left out, a signed-in creator (auth/require-user.ts guards it);
     * 'public' for anyone; 'admin' for the admin area, which has its own sign-in and guard.
     */
    access?: 'creator' | 'public' | 'admin';
    /** A route of @fastify/static's: its files are compressed once and kept (compression.ts). */
    staticFiles?: boolean;
  }
}
