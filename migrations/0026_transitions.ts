import { sql, type Kysely } from 'kysely';

// Transitions per cut (issue 30.3): the transition from a clip into the next belongs to the clip
// (design.md). `crossfade` with no length is today's 0.3 s crossfade, so every film stays as it was.
// A length is in beats (of the music) or in seconds, never both; none is the kind's default.
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    alter table clips
      add column transition_kind text not null default 'crossfade' check (transition_kind in ('cut', 'crossfade', 'dip', 'flash')),
      add column transition_s real check (transition_s > 0 and transition_s <= 10),
      add column transition_beats real check (transition_beats > 0 and transition_beats <= 16),
      add constraint clips_transition_length_check check (transition_s is null or transition_beats is null);
  `.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table clips drop column transition_kind, drop column transition_s, drop column transition_beats`.execute(db);
}
