import pg from 'pg';
import type { Logger } from './logger.js';

/** The channel the database's triggers notify (migrations/0019_change_feed.ts). */
export const FEED_CHANNEL = 'echoes_changes';

/** A committed change to one of a person's rows, as the triggers describe it. */
export interface Change {
  userId: string;
  table: string;
  op: 'I' | 'U' | 'D';
  /** The row's id (a session's sid), or null. */
  id: string | null;
  /** The project the row belongs to (or is), or null. */
  projectId: string | null;
}

export function parseChange(payload: string): Change | null {
  const [userId, table, op, id, projectId] = payload.split(' ');
  if (!userId || !table || (op !== 'I' && op !== 'U' && op !== 'D')) return null;
  return { userId, table, op, id: id && id !== '-' ? id : null, projectId: projectId && projectId !== '-' ? projectId : null };
}

export interface FeedListener {
  /** Every change, in commit order. Must not throw. */
  change?(change: Change): void;
  /**
   * The feed went down (false: changes may be missed from now on) or is listening again (true:
   * anything kept from before may be stale, and whatever was shown may have missed changes).
   */
  listening?(on: boolean, downSince: number | null): void;
}

const RETRY_MIN_MS = 100;
const RETRY_MAX_MS = 5_000;
/**
 * What a barrier round sends: an empty query, which Postgres answers with EmptyQueryResponse and
 * ReadyForQuery, sending any pending notifications first, as it does before every ReadyForQuery
 * (postgres.c's main loop): no parse, plan, row description or row, on either side.
 */
export const BARRIER_SQL = '';
/** A barrier round slower than this means the connection is in trouble. */
const BARRIER_WAIT_MS = 2_000;

/**
 * This web process's one LISTEN connection to the change feed (docs/decisions/0029-one-change-feed.md). Caches and
 * live streams follow it; when the connection drops it says so at once, reconnects with backoff,
 * and says so again once it is listening, so they can drop what they kept and catch up.
 */
export class ChangeFeed {
  private client: pg.Client | null = null;
  private listeners = new Set<FeedListener>();
  private up = false;
  private downSince: number | null = null;
  private closed = false;
  private retryMs = RETRY_MIN_MS;
  private retryTimer: NodeJS.Timeout | undefined;
  private next: Promise<void> | null = null;
  private inFlight: Promise<void> | null = null;

  constructor(
    private databaseUrl: string,
    private log: Pick<Logger, 'warn' | 'info'>,
  ) {}

  get listening(): boolean {
    return this.up;
  }

  /** The backend pid of the LISTEN connection (tests end it with pg_terminate_backend). */
  get backendPid(): number | null {
    return (this.client as unknown as { processID?: number } | null)?.processID ?? null;
  }

  subscribe(listener: FeedListener): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  /** Connects and listens; resolves once listening (or after the first failure, retrying meanwhile). */
  async start(): Promise<void> {
    await this.connect();
  }

  private async connect(): Promise<void> {
    if (this.closed) return;
    const client = new pg.Client({ connectionString: this.databaseUrl, application_name: 'echoes-change-feed' });
    this.client = client;
    client.on('notification', (msg) => {
      if (msg.channel === FEED_CHANNEL && msg.payload) this.onPayload(msg.payload);
    });
    client.on('error', () => this.lost(client));
    client.on('end', () => this.lost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${FEED_CHANNEL}`);
    } catch (err) {
      this.log.warn({ err }, 'change feed: could not listen');
      this.lost(client);
      return;
    }
    if (this.client !== client || this.closed) return;
    this.retryMs = RETRY_MIN_MS;
    const downSince = this.downSince;
    this.up = true;
    this.downSince = null;
    if (downSince !== null) this.log.info({ downMs: Date.now() - downSince }, 'change feed: listening again');
    for (const l of this.listeners) l.listening?.(true, downSince);
  }

  private lost(client: pg.Client): void {
    if (this.client !== client) return;
    this.client = null;
    client.end().catch(() => {});
    const wasUp = this.up;
    this.up = false;
    this.downSince ??= Date.now();
    if (wasUp) {
      this.log.warn({}, 'change feed: connection lost');
      for (const l of this.listeners) l.listening?.(false, this.downSince);
    }
    if (this.closed) return;
    this.retryTimer = setTimeout(() => void this.connect(), this.retryMs);
    this.retryTimer.unref();
    this.retryMs = Math.min(this.retryMs * 2, RETRY_MAX_MS);
  }

  private onPayload(payload: string): void {
    const change = parseChange(payload);
    if (!change) return;
    for (const l of this.listeners) l.change?.(change);
  }

  /**
   * Resolves once this process has heard every change committed before the call. A committing
   * backend signals every listening one before its client learns of the commit, and a signalled
   * backend sends its pending notifications before it answers the next query (Postgres 14+,
   * postgres.c's main loop): so one round trip on the LISTEN connection (an empty query), started
   * after the commit, brings them in. Every request with a session cookie awaits it before anything is
   * served from memory (docs/decisions/0029-one-change-feed.md). Concurrent callers share the next round. A round
   * that does not come back in time counts as a lost connection (caches off, reconnect).
   */
  barrier(): Promise<void> {
    if (!this.up) return Promise.resolve();
    if (!this.inFlight) return (this.inFlight = this.round().finally(() => (this.inFlight = null)));
    // One round is out, and may have been sent before the caller's change committed: wait for the next.
    this.next ??= this.inFlight.then(() => {
      this.next = null;
      return this.barrier();
    });
    return this.next;
  }

  private round(): Promise<void> {
    const client = this.client;
    if (!client) return Promise.resolve();
    let timer: NodeJS.Timeout | undefined;
    return Promise.race([
      client.query(BARRIER_SQL).then(
        () => {},
        () => this.lost(client),
      ),
      new Promise<void>((resolve) => {
        timer = setTimeout(() => {
          this.log.warn({}, 'change feed: no answer in time');
          this.lost(client);
          resolve();
        }, BARRIER_WAIT_MS);
      }),
    ]).finally(() => clearTimeout(timer));
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    const client = this.client;
    this.client = null;
    this.up = false;
    await client?.end().catch(() => {});
  }
}
