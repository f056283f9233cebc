import { sql, type Kysely } from 'kysely';

// A second real provider with automatic failover: every submission of an attempt is a row (which
// provider, which model, the task id it got, or why it was refused and where it went instead), and
// a clip keeps the real length of the video it received (Luma makes 9 s of a 10 s request).
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table provider_submissions (
      id uuid primary key default gen_random_uuid(),
      clip_id uuid not null references clips(id) on delete cascade,
      attempt integer not null,
      provider text not null,
      model text,
      status text not null default 'submitting' check (status in ('submitting', 'accepted', 'refused', 'vanished')),
      task_id text,
      reason text,
      detail text,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create index provider_submissions_clip_idx on provider_submissions (clip_id, attempt, created_at);
    create index provider_submissions_task_idx on provider_submissions (provider, task_id) where task_id is not null;

    alter table clips
      add column video_duration_s real check (video_duration_s > 0),
      add column failover_from text,
      add column failover_reason text;
    create index clips_provider_task_idx on clips (provider, provider_task_id) where provider_task_id is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table provider_submissions;
    drop index if exists clips_provider_task_idx;
    alter table clips drop column video_duration_s, drop column failover_from, drop column failover_reason;
  `.execute(db);
}
