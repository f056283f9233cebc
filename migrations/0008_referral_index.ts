import { sql, type Kysely } from 'kysely';

// The referral page counts sign-ups by referred_by, and deleting a user nulls it on the people
// they referred: both want an index instead of a scan of every user.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`create index if not exists users_referred_by_idx on users (referred_by) where referred_by is not null`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index if exists users_referred_by_idx`.execute(db);
}
