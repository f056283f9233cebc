import { sql, type Kysely } from 'kysely';

// The whole schema of the design. Constraints carry the rules the database can enforce itself.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table users (
      id uuid primary key default gen_random_uuid(),
      google_sub text unique,
      email text not null,
      name text not null default '',
      avatar_url text,
      credit_balance integer not null default 0 check (credit_balance >= 0),
      referral_code text not null unique,
      referred_by uuid references users(id) on delete set null,
      disabled_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      check (referred_by is null or referred_by <> id)
    );
    create index users_email_idx on users (lower(email));

    create table sessions (
      sid text primary key,
      user_id uuid references users(id) on delete cascade,
      data jsonb not null,
      expires_at timestamptz not null
    );
    create index sessions_user_idx on sessions (user_id);
    create index sessions_expires_idx on sessions (expires_at);

    create table projects (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      title text not null check (length(title) between 1 and 120),
      ratio text not null,
      music_key text,
      music_name text,
      music_duration_s real,
      status text not null default 'in_progress' check (status in ('in_progress', 'completed')),
      share_token text unique,
      shared_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index projects_user_idx on projects (user_id, created_at desc);

    create table clips (
      id uuid primary key default gen_random_uuid(),
      project_id uuid not null references projects(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      image_key text not null,
      thumb_key text,
      video_key text,
      prompt text not null default '' check (length(prompt) <= 1000),
      status text not null default 'queued' check (status in ('queued', 'generating', 'ready', 'error')),
      duration_s integer not null check (duration_s between 2 and 10),
      ratio text not null,
      progress real not null default 0 check (progress between 0 and 1),
      provider text,
      model text,
      provider_task_id text,
      attempt integer not null default 1 check (attempt >= 1),
      error_code text,
      error_message text,
      error_detail text,
      approved boolean not null default false,
      position integer not null,
      credits_spent integer not null default 0 check (credits_spent >= 0),
      request_id text,
      submitted_at timestamptz,
      finished_at timestamptz,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index clips_project_idx on clips (project_id, position);
    create index clips_user_idx on clips (user_id);
    create index clips_unfinished_idx on clips (status, updated_at) where status in ('queued', 'generating');

    create table credit_transactions (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      amount integer not null check (amount <> 0),
      type text not null check (type in ('signup', 'purchase', 'referral', 'generation', 'refund', 'share', 'admin')),
      reference_id text,
      note text,
      created_at timestamptz not null default now()
    );
    create unique index credit_transactions_grant_once on credit_transactions (type, reference_id) where reference_id is not null;
    create index credit_transactions_user_idx on credit_transactions (user_id, created_at desc);

    create table credit_packs (
      id uuid primary key default gen_random_uuid(),
      name text not null check (length(name) between 1 and 60),
      credits integer not null check (credits > 0),
      price_cents integer not null check (price_cents > 0),
      currency text not null default 'usd' check (currency ~ '^[a-z]{3}$'),
      active boolean not null default true,
      sort_order integer not null default 0,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );

    create table payments (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null references users(id) on delete cascade,
      credit_pack_id uuid not null references credit_packs(id) on delete restrict,
      stripe_session_id text unique,
      amount_cents integer not null check (amount_cents > 0),
      currency text not null,
      credits_purchased integer not null check (credits_purchased > 0),
      status text not null default 'pending' check (status in ('pending', 'paid', 'failed', 'expired', 'refunded')),
      error_message text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index payments_user_idx on payments (user_id, created_at desc);

    create table settings (
      key text primary key,
      value jsonb not null,
      updated_at timestamptz not null default now()
    );

    create table exports (
      id uuid primary key default gen_random_uuid(),
      project_id uuid not null references projects(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      status text not null default 'queued' check (status in ('queued', 'rendering', 'ready', 'error')),
      progress real not null default 0 check (progress between 0 and 1),
      object_key text,
      error_message text,
      source_hash text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now()
    );
    create index exports_project_idx on exports (project_id, created_at desc);
    create unique index exports_one_running on exports (project_id) where status in ('queued', 'rendering');

    create table admin_audit (
      id uuid primary key default gen_random_uuid(),
      actor text not null,
      action text not null,
      target text,
      before jsonb,
      after jsonb,
      ip text,
      created_at timestamptz not null default now()
    );
    create index admin_audit_created_idx on admin_audit (created_at desc);

    insert into credit_packs (name, credits, price_cents, currency, sort_order) values
      ('Starter', 5, 500, 'usd', 1),
      ('Creator', 20, 1800, 'usd', 2),
      ('Studio', 40, 3200, 'usd', 3);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop table admin_audit, exports, settings, payments, credit_packs, credit_transactions, clips, projects, sessions, users;
  `.execute(db);
}
