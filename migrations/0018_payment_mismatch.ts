import { sql, type Kysely } from 'kysely';

// Issue 25: a signed Stripe event whose amount, currency or mode differs from the payment it
// names grants nothing; what differed is kept on the payment for the admin overview.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table payments add column mismatch text, add column mismatch_at timestamptz;
    create index payments_mismatch_idx on payments (mismatch_at desc) where mismatch_at is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table payments drop column mismatch, drop column mismatch_at`.execute(db);
}
