import { sql, type Kysely } from 'kysely';

// Admin sessions live server-side so sign-out (and a password change) can end them. The id is the
// SHA-256 of the cookie's token, so a copy of this table opens nothing; password_tag is an HMAC of
// ADMIN_PASSWORD under SESSION_SECRET, compared on every request.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table admin_sessions (
      id text primary key,
      password_tag text not null,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      ended_at timestamptz,
      ip text,
      user_agent text
    );
    create index admin_sessions_expires_idx on admin_sessions (expires_at);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop table admin_sessions`.execute(db);
}
