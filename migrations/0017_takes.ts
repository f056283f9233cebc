import { sql, type Kysely } from 'kysely';

// Takes (design.md, issues 28 and 29): a clip is one photo's place in the film; each video made
// from that photo is a take, a free `draft` (the local motion render) or an `ai` take from a
// provider. The clip points at the take the film uses (`clips.take_id`); the videos move from the
// clip to its takes, so none is overwritten by a regeneration and every one counts in the quota.
// The clip keeps its generation state (status, attempt, provider task): that is the pipeline of
// its current AI attempt, which writes the take of that attempt (unique per clip and attempt). A
// clip no AI take was asked for yet (a photo with only its free draft) is `draft`, attempt 0.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    create table takes (
      id uuid primary key default gen_random_uuid(),
      clip_id uuid not null references clips(id) on delete cascade,
      user_id uuid not null references users(id) on delete cascade,
      kind text not null check (kind in ('draft', 'ai')),
      status text not null default 'queued' check (status in ('queued', 'generating', 'ready', 'error')),
      attempt integer check (attempt >= 1),
      prompt text not null default '' check (length(prompt) <= 1000),
      motion text,
      provider text,
      model text,
      duration_s real not null check (duration_s > 0 and duration_s <= 60),
      video_key text,
      video_bytes bigint check (video_bytes >= 0),
      video_duration_s real check (video_duration_s > 0),
      credits_spent integer not null default 0 check (credits_spent >= 0),
      error_code text,
      error_message text,
      created_at timestamptz not null default now(),
      finished_at timestamptz,
      check ((kind = 'ai') = (attempt is not null)),
      check (kind = 'ai' or credits_spent = 0),
      check (status <> 'ready' or video_key is not null)
    );
    create unique index takes_ai_attempt on takes (clip_id, attempt) where attempt is not null;
    create index takes_clip_idx on takes (clip_id, created_at desc);
    create index takes_user_idx on takes (user_id);
    create index takes_unfinished_draft_idx on takes (created_at) where kind = 'draft' and status in ('queued', 'generating');

    alter table clips add column take_id uuid references takes(id) on delete set null;
    alter table clips drop constraint clips_status_check,
      add constraint clips_status_check check (status in ('draft', 'queued', 'generating', 'ready', 'error'));
    alter table clips drop constraint clips_attempt_check,
      add constraint clips_attempt_check check (attempt >= 0 and (attempt = 0) = (status = 'draft'));

    -- The take holding each clip's current video: the attempt named in its key (.vN.mp4; the first has none).
    insert into takes (clip_id, user_id, kind, status, attempt, prompt, provider, model, duration_s, video_key, video_bytes,
                       video_duration_s, credits_spent, created_at, finished_at)
    select c.id, c.user_id, 'ai', 'ready', v.attempt, c.prompt, c.provider, c.model, c.duration_s, c.video_key, c.video_bytes,
           c.video_duration_s, coalesce((select -t.amount from credit_transactions t where t.type = 'generation' and t.reference_id = c.id || ':' || v.attempt), 0),
           coalesce(c.submitted_at, c.created_at), coalesce(c.finished_at, c.updated_at)
    from clips c
    cross join lateral (select coalesce((substring(c.video_key from '\\.v([0-9]+)\\.mp4$'))::int, 1) as attempt) v
    where c.video_key is not null;

    -- The current attempt, when it is not the one whose video the clip shows (queued, generating, failed).
    insert into takes (clip_id, user_id, kind, status, attempt, prompt, provider, model, duration_s, credits_spent, error_code,
                       error_message, created_at, finished_at)
    select c.id, c.user_id, 'ai', c.status, c.attempt, c.prompt, c.provider, c.model, c.duration_s, c.credits_spent, c.error_code,
           c.error_message, coalesce(c.submitted_at, c.updated_at), c.finished_at
    from clips c
    where c.status <> 'ready'
      and not exists (select 1 from takes t where t.clip_id = c.id and t.attempt = c.attempt);

    update clips c set take_id = t.id from takes t where t.clip_id = c.id and t.status = 'ready';

    -- Storage: a clip counts its image; each take counts its video (0014's counting, split in two).
    create or replace function echoes_clip_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform echoes_storage_delta(old.user_id, -coalesce(old.image_bytes, 0));
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform echoes_storage_delta(new.user_id, coalesce(new.image_bytes, 0));
      end if;
      return null;
    end $$;
    drop trigger clips_storage on clips;
    alter table clips drop column video_key, drop column video_bytes, drop column video_duration_s;
    create trigger clips_storage after insert or delete or update of image_bytes, user_id on clips
      for each row execute function echoes_clip_storage();

    create function echoes_take_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform echoes_storage_delta(old.user_id, -coalesce(old.video_bytes, 0));
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform echoes_storage_delta(new.user_id, coalesce(new.video_bytes, 0));
      end if;
      return null;
    end $$;
    create trigger takes_storage after insert or delete or update of video_bytes, user_id on takes
      for each row execute function echoes_take_storage();
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`
    update clips set status = case when take_id is null then 'error' else 'ready' end, attempt = 1 where status = 'draft';
    alter table clips drop constraint clips_attempt_check, add constraint clips_attempt_check check (attempt >= 1);
    alter table clips drop constraint clips_status_check,
      add constraint clips_status_check check (status in ('queued', 'generating', 'ready', 'error'));
    drop trigger takes_storage on takes;
    drop function echoes_take_storage();
    alter table clips add column video_key text, add column video_bytes bigint, add column video_duration_s real check (video_duration_s > 0);
    update clips c set video_key = t.video_key, video_bytes = t.video_bytes, video_duration_s = t.video_duration_s
      from takes t where t.id = c.take_id;
    create or replace function echoes_clip_storage() returns trigger language plpgsql as $$
    begin
      if tg_op in ('UPDATE', 'DELETE') then
        perform echoes_storage_delta(old.user_id, -(coalesce(old.image_bytes, 0) + coalesce(old.video_bytes, 0)));
      end if;
      if tg_op in ('INSERT', 'UPDATE') then
        perform echoes_storage_delta(new.user_id, coalesce(new.image_bytes, 0) + coalesce(new.video_bytes, 0));
      end if;
      return null;
    end $$;
    drop trigger clips_storage on clips;
    create trigger clips_storage after insert or delete or update of image_bytes, video_bytes, user_id on clips
      for each row execute function echoes_clip_storage();
    alter table clips drop column take_id;
    drop table takes;
    update users u set storage_bytes =
      (select coalesce(sum(coalesce(image_bytes, 0) + coalesce(video_bytes, 0)), 0) from clips where user_id = u.id)
      + (select coalesce(sum(music_bytes), 0) from projects where user_id = u.id and music_key is not null)
      + (select coalesce(sum(size_bytes), 0) from exports where user_id = u.id and object_key is not null);
  `.execute(db);
}
