import { sql, type Kysely } from 'kysely';

// A new project suggests its shape from its first photos (issue 28, item 4). Each clip remembers
// its photo's upright size (the source's, before any crop), so the project page can see that most
// of the photos are portrait (or square) and offer the matching shape; a clip uploaded before this
// migration has none and the project makes no offer. `shape_settled` is set once the creator has
// answered the offer either way (or chose a shape through it), so it is never made again.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips
      add column source_width integer check (source_width > 0),
      add column source_height integer check (source_height > 0);
    alter table projects add column shape_settled boolean not null default false;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clips drop column source_width, drop column source_height`.execute(db);
  await sql`alter table projects drop column shape_settled`.execute(db);
}
