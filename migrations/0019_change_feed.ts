import { sql, type Kysely } from 'kysely';

// One change feed from the database itself (docs/decisions/0027-*): every committed change to a
// person's rows notifies channel `echoes_changes` with who it belongs to and what changed, whatever
// wrote it (a request, a worker, a webhook, an admin page, psql). Postgres delivers a NOTIFY only
// after its transaction commits, never for a rollback, and in commit order.
//
// Payload: `<user id> <table> <I|U|D> <row id or -> <project id or ->`, one per person a row
// belonged to before and after (an UPDATE that moves a row notifies both). Rows of nobody
// (anonymous sessions) notify nothing; a take names its clip (its card shows it), nor does an UPDATE that changes nothing but last_seen_at.
export const FEED_TABLES = ['users', 'sessions', 'projects', 'clips', 'takes', 'credit_transactions', 'payments', 'exports', 'music_analyses', 'account_exports'];

export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create function echoes_notify_change() returns trigger language plpgsql as $$
    declare
      rows jsonb[] := array[]::jsonb[];
      r jsonb;
      u text;
      p text;
      sent text := '';
    begin
      if tg_op <> 'INSERT' then rows := rows || to_jsonb(old); end if;
      if tg_op <> 'DELETE' then rows := rows || to_jsonb(new); end if;
      -- A session's last-seen stamp (touched every few minutes) is nothing any page or cache shows.
      if tg_op = 'UPDATE' and rows[1] - 'last_seen_at' = rows[2] - 'last_seen_at' then return null; end if;
      foreach r in array rows loop
        u := case tg_table_name when 'users' then r->>'id' else r->>'user_id' end;
        p := case tg_table_name when 'projects' then r->>'id' else r->>'project_id' end;
        -- A take is shown on its clip's card: it names the clip, and the clip's project.
        if tg_table_name = 'takes' then
          select project_id::text into p from clips where id = (r->>'clip_id')::uuid;
          r := jsonb_build_object('id', r->>'clip_id', 'user_id', r->>'user_id');
        end if;
        if u is null and p is not null then
          select user_id::text into u from projects where id = p::uuid;
        end if;
        if u is not null and u <> sent then
          perform pg_notify('echoes_changes', concat_ws(' ', u, tg_table_name, left(tg_op, 1), coalesce(r->>'id', r->>'sid', '-'), coalesce(p, '-')));
          sent := u;
        end if;
      end loop;
      return null;
    end $$;
  `.execute(db);
  for (const table of FEED_TABLES) {
    await sql`create trigger ${sql.raw(`${table}_change_feed`)} after insert or update or delete on ${sql.table(table)}
      for each row execute function echoes_notify_change()`.execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of FEED_TABLES) await sql`drop trigger if exists ${sql.raw(`${table}_change_feed`)} on ${sql.table(table)}`.execute(db);
  await sql`drop function if exists echoes_notify_change()`.execute(db);
}
