import { sql, type Kysely } from 'kysely';

// The edit log (issue 30.4, docs/decisions/0031-edit-log-and-undo.md): per project, the last 20
// edits, each holding the inverse to apply. A deleted clip's row goes (its takes with it) but its
// objects are kept while its entry can still be undone: the entry holds their keys and bytes, and
// those bytes count in the person's storage (the trigger below) so the quota stays true. An entry
// that falls out of the last 20 is `expired`; one holding objects waits for the purge to delete
// them, the others are deleted at once.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table project_edits (
      id bigint generated always as identity primary key,
      project_id uuid not null references projects(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      kind text not null check (kind in ('delete', 'reorder', 'trim', 'transition', 'take', 'focus')),
      clip_id uuid,
      label text not null check (length(label) between 1 and 200),
      inverse jsonb not null,
      held_keys jsonb not null default '[]',
      held_bytes bigint not null default 0 check (held_bytes >= 0),
      expired boolean not null default false,
      created_at timestamptz not null default now()
    );
    create index project_edits_project_idx on project_edits (project_id, id desc) where not expired;
    create index project_edits_expired_idx on project_edits (id) where expired;

    create function echoes_edit_storage() returns trigger language plpgsql as $$
    begin
      if tg_op = 'DELETE' then perform echoes_storage_delta(old.user_id, -old.held_bytes); end if;
      if tg_op = 'INSERT' then perform echoes_storage_delta(new.user_id, new.held_bytes); end if;
      return null;
    end $$;
    create trigger project_edits_storage after insert or delete on project_edits
      for each row execute function echoes_edit_storage();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    delete from project_edits;
    drop table project_edits;
    drop function echoes_edit_storage();
  `.execute(db);
}
