import { sql, type Kysely } from 'kysely';

// Storage quota: every stored object's size is recorded on the row that names it, so a person's use
// is the sum over their rows (exact by construction: a deleted row, or a cascade, gives the space
// back). Exports already record size_bytes. Rows from before this migration have NULL sizes (the
// database never knew them); a worker task fills them in from storage (limits/backfill.ts), and
// until then they count as 0.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips
      add column image_bytes bigint check (image_bytes >= 0),
      add column video_bytes bigint check (video_bytes >= 0);
    alter table projects
      add column music_bytes bigint check (music_bytes >= 0);
    create index if not exists exports_user_idx on exports (user_id);
    -- The backfill's lookups (limits/backfill.ts); empty once every size is known.
    create index clips_size_unknown_idx on clips (id) where image_bytes is null or (video_key is not null and video_bytes is null);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index if exists clips_size_unknown_idx;
    drop index if exists exports_user_idx;
    alter table clips drop column image_bytes, drop column video_bytes;
    alter table projects drop column music_bytes;
  `.execute(db);
}
