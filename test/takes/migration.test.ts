import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { Kysely, Migrator, PostgresDialect, sql } from 'kysely';
import { migrations } from '../../migrations/index.js';
import { TEST_PG_URL, dbUrl } from '../setup/template-db.js';

// Migration 0017 on a database holding clips from before takes: each clip's video becomes a ready
// take it points at, an unfinished or failed attempt its own take, and storage use is unchanged.
const name = `echoes_t_takes_${randomBytes(4).toString('hex')}`;
let db: Kysely<any>;
const admin = () => new pg.Client({ connectionString: TEST_PG_URL });

beforeAll(async () => {
  const a = admin();
  await a.connect();
  await a.query(`create database "${name}"`);
  await a.end();
  db = new Kysely<any>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: dbUrl(name), max: 2 }) }) });
});

afterAll(async () => {
  await db?.destroy();
  const a = admin();
  await a.connect();
  await a.query(`drop database if exists "${name}" with (force)`);
  await a.end();
});

function migrator() {
  return new Migrator({ db, provider: { getMigrations: async () => migrations }, allowUnorderedMigrations: true });
}

describe('migration 0017 (takes)', () => {
  it('backfills one take per video, points clips at it, keeps storage use', async () => {
    expect((await migrator().migrateTo('0016_job_failures')).error).toBeUndefined();
    const user = await db.insertInto('users').values({ google_sub: 's1', email: 'm@example.com', name: 'M', referral_code: 'MIGR1' }).returning('id').executeTakeFirstOrThrow();
    const project = await db.insertInto('projects').values({ user_id: user.id, title: 'P', ratio: '1280:720' }).returning('id').executeTakeFirstOrThrow();
    const clip = (o: Record<string, unknown>) =>
      db.insertInto('clips').values({ project_id: project.id, user_id: user.id, image_key: 'i', duration_s: 5, ratio: '1280:720', position: 1, prompt: 'p', provider: 'runway', model: 'gen4_turbo', image_bytes: 100, ...o }).returning('id').executeTakeFirstOrThrow();
    const ready = await clip({ status: 'ready', video_key: 'clips/a.mp4', video_bytes: 1000, video_duration_s: 5, credits_spent: 1 });
    // Regenerating (attempt 2) with the first attempt's video still shown.
    const regenerating = await clip({ status: 'generating', attempt: 2, video_key: 'clips/b.mp4', video_bytes: 2000, credits_spent: 2 });
    // Regenerated twice, the third attempt's video shown.
    const third = await clip({ status: 'ready', attempt: 3, video_key: 'clips/c.v3.mp4', video_bytes: 3000, credits_spent: 1 });
    const failed = await clip({ status: 'error', error_code: 'SAFETY', error_message: 'no', credits_spent: 1 });
    await db.insertInto('credit_transactions').values([
      { user_id: user.id, amount: 10, type: 'admin' },
      { user_id: user.id, amount: -1, type: 'generation', reference_id: `${ready.id}:1` },
      { user_id: user.id, amount: -3, type: 'generation', reference_id: `${regenerating.id}:1` },
      { user_id: user.id, amount: -2, type: 'generation', reference_id: `${regenerating.id}:2` },
    ]).execute();
    const before = await db.selectFrom('users').select('storage_bytes').where('id', '=', user.id).executeTakeFirstOrThrow();
    expect(Number(before.storage_bytes)).toBe(4 * 100 + 1000 + 2000 + 3000);

    expect((await migrator().migrateToLatest()).error).toBeUndefined();
    const takes = await db.selectFrom('takes').selectAll().orderBy('video_key').execute();
    const of = (id: string) => takes.filter((t) => t.clip_id === id).map((t) => ({ kind: t.kind, status: t.status, attempt: t.attempt, video_key: t.video_key, credits: t.credits_spent }));
    expect(of(ready.id)).toEqual([{ kind: 'ai', status: 'ready', attempt: 1, video_key: 'clips/a.mp4', credits: 1 }]);
    expect(of(regenerating.id)).toEqual([
      { kind: 'ai', status: 'ready', attempt: 1, video_key: 'clips/b.mp4', credits: 3 },
      { kind: 'ai', status: 'generating', attempt: 2, video_key: null, credits: 2 },
    ]);
    expect(of(third.id)).toEqual([{ kind: 'ai', status: 'ready', attempt: 3, video_key: 'clips/c.v3.mp4', credits: 0 }]);
    expect(of(failed.id)).toEqual([{ kind: 'ai', status: 'error', attempt: 1, video_key: null, credits: 1 }]);
    const chosen = await db.selectFrom('clips').leftJoin('takes', 'takes.id', 'clips.take_id').select(['clips.id', 'takes.video_key']).execute();
    const byClip = Object.fromEntries(chosen.map((c) => [c.id, c.video_key]));
    expect(byClip).toEqual({ [ready.id]: 'clips/a.mp4', [regenerating.id]: 'clips/b.mp4', [third.id]: 'clips/c.v3.mp4', [failed.id]: null });

    const storage = async () => Number((await db.selectFrom('users').select('storage_bytes').where('id', '=', user.id).executeTakeFirstOrThrow()).storage_bytes);
    expect(await storage()).toBe(before.storage_bytes * 1);
    // From now on every take counts, and deleting a clip removes its takes and their bytes.
    await db.updateTable('takes').set({ video_key: 'clips/b.v2.mp4', video_bytes: 500, status: 'ready' }).where('clip_id', '=', regenerating.id).where('attempt', '=', 2).execute();
    expect(await storage()).toBe(Number(before.storage_bytes) + 500);
    await db.deleteFrom('clips').where('id', '=', regenerating.id).execute();
    expect(await storage()).toBe(Number(before.storage_bytes) + 500 - 100 - 2000 - 500);
    expect(Number((await db.selectFrom('takes').select(sql<number>`count(*)`.as('n')).where('clip_id', '=', regenerating.id).executeTakeFirstOrThrow()).n)).toBe(0);

    // And back down: the chosen take's video returns to its clip.
    expect((await migrator().migrateTo('0016_job_failures')).error).toBeUndefined();
    const down = await db.selectFrom('clips').select(['id', 'video_key']).execute();
    expect(Object.fromEntries(down.map((c) => [c.id, c.video_key]))).toEqual({ [ready.id]: 'clips/a.mp4', [third.id]: 'clips/c.v3.mp4', [failed.id]: null });
  });
});
