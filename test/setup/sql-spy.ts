import pg from 'pg';

/** Runs fn and returns it with the SQL every pg client sent meanwhile (counting, not mocking). */
export async function withSqlSpy<T>(fn: () => Promise<T>): Promise<{ result: T; sql: string[] }> {
  const sql: string[] = [];
  const original = pg.Client.prototype.query;
  pg.Client.prototype.query = function (this: pg.Client, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    sql.push(typeof first === 'string' ? first : first?.text ?? '');
    return (original as (...a: unknown[]) => unknown).apply(this, args);
  } as typeof original;
  try {
    return { result: await fn(), sql };
  } finally {
    pg.Client.prototype.query = original;
  }
}
