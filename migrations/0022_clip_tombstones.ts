import { sql, type Kysely } from 'kysely';

// A deleted clip leaves a tombstone for a day, so a page that missed the change feed's delete
// event (its stream reconnecting, or the web process's LISTEN connection cut) is still told to
// drop the card when it catches up (src/live/routes.ts). Written by the database, like the feed,
// so it holds whatever deleted the clip (a request, a worker, psql). A clip that goes with its
// project (a project or an account deleted) leaves none: no page shows it any more, and an
// account's deletion keeps nothing of it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table clip_tombstones (
      clip_id uuid primary key,
      user_id uuid not null references users (id) on delete cascade,
      project_id uuid not null references projects (id) on delete cascade,
      deleted_at timestamptz not null default now()
    )
  `.execute(db);
  await sql`create index clip_tombstones_project_idx on clip_tombstones (project_id, deleted_at)`.execute(db);
  await sql`create index clip_tombstones_deleted_idx on clip_tombstones (deleted_at)`.execute(db);
  await sql`
    create function echoes_clip_tombstones() returns trigger language plpgsql as $$
    begin
      insert into clip_tombstones (clip_id, user_id, project_id)
        select g.id, g.user_id, g.project_id from gone g where exists (select 1 from projects p where p.id = g.project_id)
        on conflict (clip_id) do nothing;
      delete from clip_tombstones where deleted_at < now() - interval '1 day';
      return null;
    end $$;
  `.execute(db);
  await sql`create trigger clips_tombstones after delete on clips referencing old table as gone
    for each statement execute function echoes_clip_tombstones()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop trigger if exists clips_tombstones on clips`.execute(db);
  await sql`drop function if exists echoes_clip_tombstones()`.execute(db);
  await sql`drop table if exists clip_tombstones`.execute(db);
}
