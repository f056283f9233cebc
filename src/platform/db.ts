import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql, type Transaction } from 'kysely';
import type { Database } from './db-types.js';
import { migrations } from '../../migrations/index.js';

export type DB = Kysely<Database>;
export type Tx = Transaction<Database>;
/** Queries take either the pool or a transaction, and never open one themselves. */
export type Conn = DB | Tx;

// bigint counts (count(*), sum()) arrive as strings by default; they are small here.
pg.types.setTypeParser(20, (v) => Number(v));

// 20 per process: a web process that also runs workers (20 generation slots) starved page
// requests at 10 (load bench: card polls' p99 1.9 s → 0.2 s); app + worker stay well under
// Postgres's default 100 connections.
export function createDb(databaseUrl: string, max = 20): DB {
  const pool = new pg.Pool({ connectionString: databaseUrl, max, connectionTimeoutMillis: 5000 });
  // A dropped connection (Postgres restarting) must not crash the process; the pool reconnects.
  // pg-pool only listens for errors on idle clients, and a client that is checked out when the
  // server goes away emits an unhandled 'error' (its query still rejects, and the pool drops it).
  pool.on('error', () => {});
  pool.on('connect', (client) => client.on('error', () => {}));
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

const afterCommit = new WeakMap<Tx, Array<() => void | Promise<void>>>();
const owners = new WeakMap<Tx, DB>();

/** The database handle a transaction opened by withTx belongs to. */
export function txOwner(tx: Tx): DB | undefined {
  return owners.get(tx);
}

/**
 * Runs `fn` in one transaction; callbacks registered with onCommit run only once it has committed,
 * and withTx resolves after them (a live event is out before the caller answers anyone).
 */
export async function withTx<T>(db: DB, fn: (tx: Tx) => Promise<T>): Promise<T> {
  const callbacks: Array<() => void | Promise<void>> = [];
  const result = await db.transaction().execute(async (tx) => {
    afterCommit.set(tx, callbacks);
    owners.set(tx, db);
    return fn(tx);
  });
  await Promise.all(callbacks.map((cb) => cb()));
  return result;
}

/** Something to do once the transaction has committed (a metric, say); dropped on rollback. Must not reject. */
export function onCommit(tx: Tx, cb: () => void | Promise<void>): void {
  const callbacks = afterCommit.get(tx);
  if (callbacks) callbacks.push(cb);
}

/** Creates the database named in the URL when it does not exist yet (a fresh machine). */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const url = new URL(databaseUrl);
  const name = decodeURIComponent(url.pathname.slice(1));
  if (!name) return;
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) {
      await client.query(`create database "${name.replaceAll('"', '""')}"`).catch((err: { code?: string }) => {
        if (err.code !== '42P04') throw err; // created meanwhile by another process
      });
    }
  } finally {
    await client.end();
  }
}

/**
 * True when every migration this build knows is already applied: one query, where the migrator
 * takes a lock and reads its tables in several round trips (a start on a migrated database, the
 * usual case, skips it; docs/decisions/0028). False when the table or the database is missing.
 */
export async function allMigrationsApplied(db: DB): Promise<boolean> {
  try {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration`.execute(db);
    const applied = new Set(rows.map((r) => r.name));
    return Object.keys(migrations).every((name) => applied.has(name));
  } catch {
    return false;
  }
}

export async function migrateToLatest(db: DB): Promise<string[]> {
  // Features land in any order; each migration is independent, so a later-numbered one may already be applied.
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
  const { error, results } = await migrator.migrateToLatest();
  if (error) throw error;
  return (results ?? []).filter((r) => r.status === 'Success').map((r) => r.migrationName);
}
