import { sql, type Kysely } from 'kysely';

// Issue 30: trim belongs to the clip (design.md), not to a take: which part of the chosen take the
// film uses, in seconds from the take's start. `trim_out_s` null: to the end of the take. A take
// chosen later that is shorter than the trim is clamped by the film plan (src/film/plan.ts).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips
      add column trim_in_s double precision not null default 0 check (trim_in_s >= 0),
      add column trim_out_s double precision check (trim_out_s > trim_in_s);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clips drop column trim_in_s, drop column trim_out_s`.execute(db);
}
