import { sql, type Kysely } from 'kysely';

// Issue 29: a take is made from a direction (prompt, length, camera motion, and whether it ends on
// the next clip's photo). The clip's current attempt carries its motion and end image (the worker
// hands them to the provider); each take keeps them, so a second version queued behind the first
// (variations) starts from its own row.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips add column motion text, add column end_image_key text;
    alter table takes add column end_image_key text;
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips drop column motion, drop column end_image_key;
    alter table takes drop column end_image_key;
  `.execute(db);
}
