import { sql, type Kysely } from 'kysely';

// A refund arrives as a charge that names only its PaymentIntent, so a paid payment remembers it.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table payments add column stripe_payment_intent text;
    create unique index payments_payment_intent_key on payments (stripe_payment_intent) where stripe_payment_intent is not null;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop index payments_payment_intent_key;
    alter table payments drop column stripe_payment_intent;
  `.execute(db);
}
