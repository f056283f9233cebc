import { sql, type Kysely } from 'kysely';

// Export options (issue 31): the size and shape asked for, per-person dispatch (one export of a
// person's in the render queue at a time, decision 0035), when rendering started and how long it
// took (the time estimate learns from it), and the finished file's real properties (ffprobe).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table exports
      add column resolution smallint not null default 720 check (resolution in (720, 1080)),
      add column shape text not null default 'project' check (shape in ('project', '16:9', '9:16', '1:1')),
      add column dispatched_at timestamptz,
      add column started_at timestamptz,
      add column render_s real check (render_s >= 0),
      add column file_info jsonb;
  `.execute(db);
  // Exports already queued have their job in the queue: they count as dispatched.
  await sql`update exports set dispatched_at = created_at where status in ('queued', 'rendering')`.execute(db);
  await sql`create index exports_user_waiting_idx on exports (user_id, created_at) where status in ('queued', 'rendering')`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists exports_user_waiting_idx`.execute(db);
  await sql`
    alter table exports
      drop column resolution, drop column shape, drop column dispatched_at,
      drop column started_at, drop column render_s, drop column file_info;
  `.execute(db);
}
