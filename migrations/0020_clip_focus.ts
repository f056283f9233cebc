import { sql, type Kysely } from 'kysely';

// The crop you can see (issue 28, item 4): a clip's focal point in its photo, each 0–1 from the
// top left (0.5, 0.5: the centre). The stored image, the draft, every later take and the export
// crop the photo to the project's shape around it. `source_key` holds the upright, metadata-free
// photo before any crop, so the focal point can be moved after the upload; a clip uploaded before
// this migration has none and is re-cropped from its stored image.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips
      add column focus_x real not null default 0.5 check (focus_x >= 0 and focus_x <= 1),
      add column focus_y real not null default 0.5 check (focus_y >= 0 and focus_y <= 1),
      add column source_key text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clips drop column focus_x, drop column focus_y, drop column source_key`.execute(db);
}
