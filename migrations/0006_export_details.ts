import { sql, type Kysely } from 'kysely';

// What the export page shows about a finished file, recorded once by the job (no probe per view).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table exports
      add column size_bytes bigint check (size_bytes >= 0),
      add column duration_s real check (duration_s >= 0);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table exports drop column size_bytes, drop column duration_s;`.execute(db);
}
