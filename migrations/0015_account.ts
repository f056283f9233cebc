import { sql, type Kysely } from 'kysely';

// The person's own account (issue 19): devices, data downloads, deletion.
// - sessions learn where they come from and when they were last used (touched at most every
//   few minutes, see src/account/last-seen.ts), so /account can list devices.
// - users.deleted_at marks the one kind of row deletion leaves behind: an anonymous holder of
//   the kept payments and ledger (docs/decisions/0018-account-deletion.md).
// - deleted_subjects remembers only a hash of a deleted person's Google subject, so signing in
//   again makes an empty account without a second sign-up credit.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table sessions
      add column user_agent text,
      add column created_at timestamptz not null default now(),
      add column last_seen_at timestamptz not null default now();

    alter table users add column deleted_at timestamptz;

    create table deleted_subjects (
      subject_hash text primary key,
      created_at timestamptz not null default now()
    );

    create table account_deletions (
      id uuid primary key default gen_random_uuid(),
      user_id uuid,
      anon_id uuid not null default gen_random_uuid(),
      requested_by text not null check (requested_by in ('self', 'admin')),
      status text not null default 'pending' check (status in ('pending', 'done')),
      step text,
      created_at timestamptz not null default now(),
      finished_at timestamptz
    );
    create unique index account_deletions_one_pending on account_deletions (user_id) where status = 'pending';

    create table account_exports (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      status text not null default 'queued' check (status in ('queued', 'building', 'ready', 'error')),
      progress integer not null default 0,
      object_key text,
      size_bytes bigint,
      error_message text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create unique index account_exports_one_running on account_exports (user_id) where status in ('queued', 'building');
    create index account_exports_user_idx on account_exports (user_id, created_at desc);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table account_exports, account_deletions, deleted_subjects;
    alter table users drop column deleted_at;
    alter table sessions drop column user_agent, drop column created_at, drop column last_seen_at;
  `.execute(db);
}
