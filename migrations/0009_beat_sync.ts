import { sql, type Kysely } from 'kysely';

// Beat sync: one analysis per project (of the track at music_key), and the project's cut setting.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table music_analyses (
      project_id uuid primary key references projects(id) on delete cascade,
      music_key text not null,
      status text not null default 'queued' check (status in ('queued', 'running', 'ready', 'no_beat', 'error')),
      tempo_bpm real check (tempo_bpm > 0),
      beats jsonb not null default '[]',
      downbeats jsonb not null default '[]',
      waveform jsonb not null default '[]',
      duration_s real check (duration_s >= 0),
      note text,
      error_message text,
      attempts integer not null default 0,
      started_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index music_analyses_unfinished_idx on music_analyses (status, updated_at) where status in ('queued', 'running');

    alter table projects
      add column cut_on_beat boolean not null default true,
      add column cut_mode text not null default 'beat' check (cut_mode in ('beat', 'downbeat'));
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table music_analyses;
    alter table projects drop column cut_on_beat, drop column cut_mode;
  `.execute(db);
}
