import { sql, type Kysely } from 'kysely';

// A person's storage use as one number on their row, so pages read it with the user they already
// load instead of summing three tables per request. Triggers keep it right in the same transaction
// as every change to a size (cascaded deletes included); the quota check still locks the row.
// Counted as in 0010: a clip's image + video, a project's music while it has one, an export's file
// while it has one.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table users add column storage_bytes bigint not null default 0;

    create function echoes_storage_delta(user_id uuid, delta bigint) returns void language sql as $$
      update users set storage_bytes = storage_bytes + delta where id = user_id and delta <> 0;
    $$;

    create function echoes_clip_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform echoes_storage_delta(old.user_id, -(coalesce(old.image_bytes, 0) + coalesce(old.video_bytes, 0)));
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform echoes_storage_delta(new.user_id, coalesce(new.image_bytes, 0) + coalesce(new.video_bytes, 0));
      end if;
      return null;
    end $$;
    create trigger clips_storage after insert or delete or update of image_bytes, video_bytes, user_id on clips
      for each row execute function echoes_clip_storage();

    create function echoes_project_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') and old.music_key is not null then
        perform echoes_storage_delta(old.user_id, -coalesce(old.music_bytes, 0));
      end if;
      if tg_op in ('INSERT', 'UPDATE') and new.music_key is not null then
        perform echoes_storage_delta(new.user_id, coalesce(new.music_bytes, 0));
      end if;
      return null;
    end $$;
    create trigger projects_storage after insert or delete or update of music_bytes, music_key, user_id on projects
      for each row execute function echoes_project_storage();

    create function echoes_export_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') and old.object_key is not null then
        perform echoes_storage_delta(old.user_id, -coalesce(old.size_bytes, 0));
      end if;
      if tg_op in ('INSERT', 'UPDATE') and new.object_key is not null then
        perform echoes_storage_delta(new.user_id, coalesce(new.size_bytes, 0));
      end if;
      return null;
    end $$;
    create trigger exports_storage after insert or delete or update of size_bytes, object_key, user_id on exports
      for each row execute function echoes_export_storage();

    update users u set storage_bytes =
      (select coalesce(sum(coalesce(image_bytes, 0) + coalesce(video_bytes, 0)), 0) from clips where user_id = u.id)
      + (select coalesce(sum(music_bytes), 0) from projects where user_id = u.id and music_key is not null)
      + (select coalesce(sum(size_bytes), 0) from exports where user_id = u.id and object_key is not null);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    drop trigger if exists exports_storage on exports;
    drop trigger if exists projects_storage on projects;
    drop trigger if exists clips_storage on clips;
    drop function if exists echoes_export_storage();
    drop function if exists echoes_project_storage();
    drop function if exists echoes_clip_storage();
    drop function if exists echoes_storage_delta(uuid, bigint);
    alter table users drop column storage_bytes;
  `.execute(db);
}
