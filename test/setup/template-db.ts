import { createHash } from 'node:crypto';

/** Base URL of the Postgres server tests use (a database name is added per use). */
export const TEST_PG_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** One template per checkout, so two work trees on one machine never share it. */
export const TEMPLATE_DB = `echoes_tpl_${createHash('sha1').update(process.cwd()).digest('hex').slice(0, 10)}`;

export function dbUrl(name: string): string {
  const u = new URL(TEST_PG_URL);
  u.pathname = `/${name}`;
  return u.toString();
}
