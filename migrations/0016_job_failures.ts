import { sql, type Kysely } from 'kysely';

// Background jobs whose last try failed for a reason of ours (issue 24): what /admin/jobs lists
// beside the failed generations. One row per job that gave up; the person's row (analysis,
// export, download) carries what they read.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table job_failures (
      id uuid primary key default gen_random_uuid(),
      queue text not null,
      job_name text not null,
      job_id text not null,
      user_id uuid references users(id) on delete set null,
      attempts integer not null,
      error text not null,
      created_at timestamptz not null default now()
    );
    create index job_failures_created_idx on job_failures (created_at desc);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table job_failures`.execute(db);
}
